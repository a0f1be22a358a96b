#!/usr/bin/env node
// `npm test`: builds what the tests run (libvmt, the bundle, the standalone
// binary), type-checks and compiles the tests, installs the Debian packages
// they need, and runs them with node's test runner.
//   npm test             unit + cli + sim (real programs under vmt sim) + e2e (QEMU)
//   npm run test:unit    (or: node scripts/test.mjs unit cli)
// The test files of a part are test/<part>/**/*.test.ts, run compiled from
// build/test/<part>/, sorted by path (a compiled file whose source is gone is
// not run). A set-up step that fails ends the run with one line on stderr
// that says what failed and how to fix it, and exit status 1;
// scripts/build.mjs and scripts/apt-install.sh write that line themselves.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ALL = ['unit', 'cli', 'sim', 'e2e'];
const parts = process.argv.slice(2).length ? process.argv.slice(2) : ALL;
for (const p of parts) {
  if (!ALL.includes(p)) {
    console.error(`test: unknown part '${p}' (${ALL.join(', ')})`);
    process.exit(2);
  }
}

function fail(line) {
  console.error(`test: ${line}`);
  process.exit(1);
}

/**
 * Runs one set-up step (announced unless `quiet`). When it fails: one line
 * saying so, unless the step writes its own (`speaks`), then exit 1.
 */
function step(what, cmd, args, { name = cmd, fix = 'see the lines above', speaks = false, quiet = false } = {}) {
  if (!quiet) console.error(`test: ${what}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.error) fail(`${what} failed: cannot run ${cmd} (${r.error.code ?? r.error.message}); ${fix}`);
  if (r.signal) fail(`${what} failed: ${name} was killed by ${r.signal}`);
  if (r.status !== 0) {
    if (!speaks) fail(`${what} failed: ${name} exited ${r.status}; ${fix}`);
    process.exit(1);
  }
}

/** test/<part>/**\/*.test.ts, as the compiled build/test/<part>/... .test.js, sorted by path. */
function testFiles(part) {
  const src = join(root, 'test', part);
  if (!existsSync(src)) fail(`there is no test/${part}/`);
  const found = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.endsWith('.test.ts')) found.push(relative(src, join(dir, e.name)).replace(/\.ts$/, '.js'));
    }
  };
  walk(src);
  found.sort();
  const files = found.map((f) => join('build/test', part, f));
  const missing = files.filter((f) => !existsSync(join(root, f)));
  if (missing.length) fail(`${missing[0]} was not compiled (tsc -p . writes build/test/); run tsc -p . and look at its errors`);
  return files;
}

step('building libvmt and dist/vmt.js', process.execPath, ['scripts/build.mjs'], { speaks: true });
step('type-checking and compiling the tests (tsc)', process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', '.'], {
  name: 'tsc',
  fix: 'fix the errors above, then run again (no tsc at all: run npm install)',
});
// for test/cli/package.test.ts: the arm64 libvmt of the npm package (Debian's cross compiler) and man
if (parts.includes('cli')) {
  step('installing the arm64 cross compiler and man-db', 'bash', ['scripts/apt-install.sh', 'gcc-aarch64-linux-gnu', 'libc6-dev-arm64-cross', 'man-db'], { speaks: true, quiet: true });
}
if (parts.some((p) => p !== 'unit')) {
  step('building the standalone binary', process.execPath, ['scripts/binaries.mjs'], {
    name: 'scripts/binaries.mjs',
    fix: 'see the lines above (it needs bun from npm install)',
  });
}
// mandoc for test/unit/man.test.ts, zsh and fish for test/unit/contracts.test.ts (the completions);
// apt-install.sh says what it installs when it has to
if (parts.includes('unit')) step('installing mandoc, zsh and fish', 'bash', ['scripts/apt-install.sh', 'mandoc', 'zsh', 'fish'], { speaks: true, quiet: true });

// The vsock interlock: libvmt refuses every vsock socket (and /dev/vsock) with EPERM while this is
// set, so no test can reach this machine's vsock; vsock runs only inside the QEMU guest, where
// qemu-run.sh starts programs with the guest's own environment.
process.env.VMT_VSOCK_FORBID = '1';
const files = parts.flatMap(testFiles);
console.error(`test: running ${files.length} test files`);
const r = spawnSync(process.execPath, ['--test', ...files], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
