#!/usr/bin/env node
// `npm test`: builds what the tests run (libvmt, the bundle, the standalone
// binary), type-checks and compiles the tests, installs the Debian packages
// they need, and runs them with node's test runner.
//   npm test             unit + cli + sim (real programs under vmt sim) + e2e (QEMU)
//   npm run test:unit    (or: node scripts/test.mjs unit cli)
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
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
const sh = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });
const step = (what) => console.error(`test: ${what}`);

step('building libvmt and dist/vmt.js');
sh(process.execPath, ['scripts/build.mjs']);
step('type-checking and compiling the tests (tsc)');
sh(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', '.']);
if (parts.some((p) => p !== 'unit')) {
  step('building the standalone binary');
  sh(process.execPath, ['scripts/binaries.mjs']);
}
if (parts.includes('unit')) sh('bash', ['scripts/apt-install.sh', 'mandoc']);

const files = parts.flatMap((p) =>
  readdirSync(join(root, 'build/test', p))
    .filter((f) => f.endsWith('.test.js'))
    .map((f) => join('build/test', p, f)),
);
step(`running ${files.length} test files`);
try {
  sh(process.execPath, ['--test', ...files]);
} catch {
  process.exit(1);
}
