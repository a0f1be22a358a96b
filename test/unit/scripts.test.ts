// The set-up scripts. scripts/apt-install.sh against a fake apt-get and dpkg-query (earlier on
// PATH): it waits for another apt's lock, keeps debconf's chatter out, and turns a failure into one
// line and exit status 1. scripts/test.mjs in a copy of the repository with fake steps: a failing
// step becomes one line and exit status 1, never a stack trace, and the test files are found in
// subfolders too, in a fixed order. scripts/build.mjs says which C compiler failed. The machine's own
// apt and dpkg are never run.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers.js';

const root = repoRoot();
const script = join(root, 'scripts/apt-install.sh');

/**
 * A directory with fake apt-get, dpkg-query and sudo. dpkg-query says installed only what
 * FAKE_INSTALLED names. apt-get records each call (its arguments and DEBIAN_FRONTEND) in
 * FAKE_LOG and, for its command C, follows FAKE_APT_C, a list of outcomes, one per call (the
 * last one repeats): ok, lock (another apt holds /var/lib/apt/lists/lock), fail (exit 100).
 * Every call says what debconf says under a plain DEBIAN_FRONTEND.
 */
function fakes(): { dir: string; log: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vmt-apt-'));
  const bin = join(dir, 'bin');
  const write = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/usr/bin/env bash\n${body}`);
    chmodSync(join(bin, name), 0o755);
  };
  mkdirSync(bin);
  write('dpkg-query', 'for p in $FAKE_INSTALLED; do [ "$p" = "${@: -1}" ] && { printf "install ok installed"; exit 0; }; done\nexit 1\n');
  write('sudo', 'exec "$@"\n');
  write(
    'apt-get',
    `args=("$@"); cmd=
while [ $# -gt 0 ]; do case $1 in -o) shift 2;; -*) shift;; *) cmd=$1; break;; esac; done
echo "DEBIAN_FRONTEND=$DEBIAN_FRONTEND \${args[*]}" >> "$FAKE_LOG"
var=FAKE_APT_\${cmd}; outcomes=(\${!var:-ok})
n=$(grep -c " $cmd" "$FAKE_LOG"); i=$((n - 1)); [ $i -lt \${#outcomes[@]} ] || i=$((\${#outcomes[@]} - 1))
echo "debconf: unable to initialize frontend: Dialog" >&2
echo "debconf: (TERM is not set, so the dialog frontend is not usable.)" >&2
echo "debconf: delaying package configuration, since apt-utils is not installed" >&2
case \${outcomes[$i]} in
  ok) exit 0;;
  lock) echo "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 4242 (apt-get)" >&2
        echo "E: Unable to lock directory /var/lib/apt/lists/" >&2; exit 100;;
  fail) echo "E: Unable to locate package \${@: -1}" >&2; exit 100;;
esac
`,
  );
  return { dir: bin, log: join(dir, 'apt.log') };
}

function run(args: string[], env: Record<string, string>) {
  const { dir, log } = fakes();
  writeFileSync(log, '');
  const r = spawnSync('bash', [script, ...args], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, FAKE_LOG: log, VMT_APT_LOCK_TIMEOUT: '30', ...env },
    timeout: 60_000,
  });
  const calls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  const lines = r.stderr.split('\n').filter(Boolean);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, lines, calls };
}

test('apt-install.sh: nothing missing, apt-get is not run and nothing is said', () => {
  const r = run(['mandoc', 'cpio'], { FAKE_INSTALLED: 'cpio mandoc' });
  assert.deepEqual([r.status, r.stdout, r.stderr, r.calls], [0, '', '', []]);
});

test('apt-install.sh: waits while another apt holds the lists lock, then installs the missing packages quietly', () => {
  const r = run(['mandoc', 'cpio'], { FAKE_INSTALLED: 'cpio', FAKE_APT_update: 'lock lock ok' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.deepEqual(r.lines, [
    'apt-install: installing mandoc',
    'apt-install: waiting up to 30 s for another apt or dpkg to finish (Could not get lock /var/lib/apt/lists/lock. It is held by process 4242 (apt-get))',
  ]);
  assert.deepEqual(
    r.calls.map((c) => c.replace(/DPkg::Lock::Timeout=\d+/, 'DPkg::Lock::Timeout=N')),
    [
      ...Array(3).fill('DEBIAN_FRONTEND=noninteractive -qq -o DPkg::Lock::Timeout=N -o Dpkg::Use-Pty=0 update'),
      'DEBIAN_FRONTEND=noninteractive -qq -o DPkg::Lock::Timeout=N -o Dpkg::Use-Pty=0 install -y --no-install-recommends mandoc',
    ],
  );
});

test('apt-install.sh: a failing apt-get install shows apt\'s errors without debconf\'s lines, then one line, exit 1', () => {
  const r = run(['mandoc'], { FAKE_APT_install: 'fail' });
  assert.equal(r.status, 1);
  assert.deepEqual(r.lines, [
    'apt-install: installing mandoc',
    'E: Unable to locate package mandoc',
    'apt-install: installing Debian packages (mandoc) failed: apt-get install exited 100; see the lines above, or install them by hand: apt-get install mandoc',
  ]);
});

test('apt-install.sh: a failing apt-get update ends the same way, before anything is installed', () => {
  const r = run(['mandoc', 'cpio'], { FAKE_APT_update: 'fail' });
  assert.equal(r.status, 1);
  assert.equal(
    r.lines.at(-1),
    'apt-install: installing Debian packages (mandoc cpio) failed: apt-get update exited 100; see the lines above, or install them by hand: apt-get install mandoc cpio',
  );
  assert.equal(r.calls.length, 1);
});

test('apt-install.sh: a lock that is never let go ends in one line after VMT_APT_LOCK_TIMEOUT seconds', () => {
  const r = run(['mandoc'], { FAKE_APT_update: 'lock', VMT_APT_LOCK_TIMEOUT: '2' });
  assert.equal(r.status, 1);
  assert.match(r.lines[1]!, /^apt-install: waiting up to 2 s for another apt or dpkg to finish \(Could not get lock/);
  assert.equal(
    r.lines.at(-1),
    'apt-install: installing Debian packages (mandoc) failed: apt-get update exited 100 (another apt or dpkg still held its lock after 2 s; ' +
      'VMT_APT_LOCK_TIMEOUT=SECONDS waits longer); see the lines above, or install them by hand: apt-get install mandoc',
  );
  assert.doesNotMatch(r.stderr, /debconf/);
  assert.equal(r.calls.filter((c) => / install /.test(c)).length, 0);
});

test('apt-install.sh sourced (as test/e2e/setup.sh does): apt_get --user download fails with APT_ERROR set and apt\'s errors shown', () => {
  const { dir, log } = fakes();
  writeFileSync(log, '');
  const r = spawnSync('bash', ['-c', `source "$1"; apt_get --user download linux-image-x; echo "status=$? error=$APT_ERROR"`, 'bash', script], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, FAKE_LOG: log, FAKE_APT_download: 'fail' },
  });
  assert.equal(r.stdout, 'status=1 error=apt-get download exited 100\n');
  assert.equal(r.stderr, 'E: Unable to locate package linux-image-x\n');
  assert.match(readFileSync(log, 'utf8'), /^DEBIAN_FRONTEND=noninteractive -qq .* download linux-image-x$/m);
});

/**
 * A copy of the repository's scripts/test.mjs and scripts/apt-install.sh with fake steps
 * (scripts/build.mjs, tsc, scripts/binaries.mjs: each fails when FAKE_FAIL names it, build.mjs
 * with its own one line as the real one does), test sources in subfolders, their compiled files,
 * and a compiled test whose source is gone.
 */
function fakeRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vmt-testmjs-'));
  const put = (f: string, text: string) => {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    writeFileSync(join(dir, f), text);
  };
  for (const f of ['scripts/test.mjs', 'scripts/apt-install.sh']) {
    mkdirSync(join(dir, 'scripts'), { recursive: true });
    copyFileSync(join(root, f), join(dir, f));
  }
  const fails = (name: string, say = '', status = 1) =>
    `if (process.env.FAKE_FAIL === '${name}') { ${say ? `console.error(${JSON.stringify(say)}); ` : ''}process.exit(${status}); }\n`;
  put('scripts/build.mjs', fails('build', "build: compiling libvmt failed: cc exited 1; see the compiler's messages above"));
  put('scripts/binaries.mjs', fails('binaries', 'error: bun build failed'));
  put('node_modules/typescript/bin/tsc', fails('tsc', "test/unit/b.test.ts(1,7): error TS2322: Type 'string' is not assignable to type 'number'.", 2));
  for (const t of ['unit/b', 'unit/a/z', 'unit/a/b/c', 'cli/info/get', 'cli/cli']) {
    put(`test/${t}.test.ts`, '');
    put(`build/test/${t}.test.js`, `import { test } from 'node:test';\ntest('ran ${t}', () => {});\n`);
  }
  put('test/unit/a/helper.ts', '');
  put('build/test/unit/a/helper.js', "import { test } from 'node:test';\ntest('ran a helper', () => {});\n");
  put('build/test/unit/gone.test.js', "import { test } from 'node:test';\ntest('ran unit/gone', () => {});\n");
  return dir;
}

function runTests(parts: string[], env: Record<string, string> = {}) {
  const { dir } = fakes();
  const r = spawnSync(process.execPath, ['scripts/test.mjs', ...parts], {
    cwd: fakeRepo(),
    encoding: 'utf8',
    // without NODE_TEST_CONTEXT, which would make the inner test runner report to this one
    env: { ...process.env, NODE_TEST_CONTEXT: undefined, PATH: `${dir}:${process.env.PATH}`, FAKE_LOG: join(dir, 'apt.log'), FAKE_INSTALLED: 'mandoc', ...env },
    timeout: 120_000,
  });
  const lines = r.stderr.split('\n').filter(Boolean);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, lines, ran: [...r.stdout.matchAll(/^ok \d+ - ran (.*)$/gm)].map((m) => m[1]!) };
}

/** Exactly one line of test.mjs's own (or of the step that speaks for itself) says what failed; no stack trace. */
function assertOneLine(r: ReturnType<typeof runTests>, last: string) {
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.lines.at(-1), last);
  assert.equal(r.lines.filter((l) => / failed: /.test(l)).length, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /^\s+at |node:internal|Error:/m);
  assert.deepEqual(r.ran, []);
}

test('test.mjs: the test files of each part, in subfolders too, sorted by path; stale compiled files and helpers are not run', () => {
  const r = runTests(['unit', 'cli']);
  assert.equal(r.status, 0, r.stderr);
  // (node --test itself may put the parts in another order)
  assert.deepEqual(r.ran.filter((t) => t.startsWith('unit/')), ['unit/a/b/c', 'unit/a/z', 'unit/b']);
  assert.deepEqual(r.ran.filter((t) => t.startsWith('cli/')), ['cli/cli', 'cli/info/get']);
  assert.equal(r.ran.length, 5, r.stdout);
  assert.ok(r.lines.includes('test: running 5 test files'), r.stderr);
});

test('test.mjs: tsc failing is one line that says what to do, exit 1, no stack trace', () => {
  const r = runTests(['unit'], { FAKE_FAIL: 'tsc' });
  assertOneLine(r, 'test: type-checking and compiling the tests (tsc) failed: tsc exited 2; fix the errors above, then run again (no tsc at all: run npm install)');
  assert.match(r.stderr, /error TS2322/);
});

test('test.mjs: the standalone binary failing to build is one line, exit 1, no stack trace', () => {
  const r = runTests(['cli'], { FAKE_FAIL: 'binaries' });
  assertOneLine(r, 'test: building the standalone binary failed: scripts/binaries.mjs exited 1; see the lines above (it needs bun from npm install)');
});

test('test.mjs: the C build failing leaves build.mjs\'s own line as the only one, exit 1', () => {
  const r = runTests(['unit'], { FAKE_FAIL: 'build' });
  assertOneLine(r, "build: compiling libvmt failed: cc exited 1; see the compiler's messages above");
});

test('test.mjs: installing the unit part\'s packages (mandoc, zsh, fish) failing is apt-install.sh\'s one line, exit 1, no stack trace', () => {
  const r = runTests(['unit'], { FAKE_INSTALLED: '', FAKE_APT_install: 'fail' });
  assertOneLine(r, 'apt-install: installing Debian packages (mandoc zsh fish) failed: apt-get install exited 100; see the lines above, or install them by hand: apt-get install mandoc zsh fish');
});

test('build.mjs: a C compiler that fails, or none at all, is one line that says which, exit 1', () => {
  const build = (cc: string) => spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { encoding: 'utf8', env: { ...process.env, CC: cc } });
  const failing = build('false');
  assert.equal(failing.status, 1);
  assert.equal(failing.stderr, "build: compiling libvmt failed: false exited 1; see the compiler's messages above\n");
  const none = build('/nonexistent/cc');
  assert.equal(none.status, 1);
  assert.equal(
    none.stderr,
    "build: compiling libvmt failed: there is no C compiler '/nonexistent/cc'; install one (Debian: apt-get install gcc) or set CC, then run npm install again\n",
  );
});
