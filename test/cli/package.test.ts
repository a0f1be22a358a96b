// The release packages. The npm tarball installs into a clean prefix, offline with an empty npm
// cache, on a PATH without a C compiler (the prebuilt libvmt is used), and vmt, its man pages, the
// vmware-* symlinks and vmt sim work from there. `npm run package` makes the .deb files, the
// archives and SHA256SUMS; the amd64 .deb installs into a scratch dpkg root (this machine's dpkg
// database is never touched), man finds vmt there, vmt-compat refuses to go beside open-vm-tools,
// and removing leaves nothing. The targets come from scripts/release-targets.json: in CI every one
// of them must be there (a missing binary fails); elsewhere the ones whose binary is built.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers.js';
import { noTrace } from './helpers.js';
import { elfMachine, installEnv, ok, sh } from './package-helpers.js';

const root = repoRoot();
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; man: string[]; scripts: Record<string, string> };
const version = pkg.version;
interface Target { binary: string; archive: string; deb?: string }
const ALL: Target[] = JSON.parse(readFileSync(join(root, 'scripts/release-targets.json'), 'utf8'));
const built = (t: Target) => existsSync(join(root, 'dist/bin', t.binary));
const TARGETS = process.env.CI ? ALL : ALL.filter(built);
const work = mkdtempSync(join(tmpdir(), 'vmt-package-test-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
/** Where the package test writes its release files (uncompressed, for the tests only): beside dist/bin, so the binaries are linked, not copied. */
mkdirSync(join(root, 'dist'), { recursive: true });
const out = mkdtempSync(join(root, 'dist', '.package-test-'));
process.on('exit', () => rmSync(out, { recursive: true, force: true }));

const MACHINE: Record<string, number> = { amd64: 62, arm64: 183, x64: 62 };

test('package.json lists every man page in man/ for npm (man vmt after npm i -g)', () => {
  const pages = readdirSync(join(root, 'man')).filter((f) => /\.\d$/.test(f)).sort().map((f) => `./man/${f}`);
  assert.deepEqual([...pkg.man].sort(), pages, 'package.json "man" must name each page in man/ (npm links only those)');
  assert.match(pkg.scripts.prepack ?? '', /scripts\/prebuilt\.mjs/, 'npm pack builds the prebuilt libvmt');
});

test('npm pack: the tarball installs offline, without a C compiler, into a clean prefix; vmt, man, vmware-* symlinks and vmt sim work there', () => {
  // what `npm pack` runs first (prepack); prepare (scripts/build.mjs) has run before the tests
  ok(sh(process.execPath, ['scripts/prebuilt.mjs'], { cwd: root }), 'scripts/prebuilt.mjs');
  assert.equal(elfMachine(join(root, 'native/prebuilt/linux-x64/libvmt.so')), 62);
  assert.equal(elfMachine(join(root, 'native/prebuilt/linux-arm64/libvmt.so')), 183);
  const npmCli = realpathSync(ok(sh('sh', ['-c', 'command -v npm']), 'npm on PATH').stdout.trim());
  const packed = ok(sh(process.execPath, [npmCli, 'pack', '--ignore-scripts', '--pack-destination', work], { cwd: root }), 'npm pack');
  const tgz = join(work, packed.stdout.trim().split('\n').pop()!);
  const files = ok(sh('tar', ['tzf', tgz]), 'tar tzf').stdout.split('\n');
  for (const f of ['bin/run.js', 'dist/vmt.js', 'dist/fast.js', 'native/prebuilt/linux-x64/libvmt.so', 'native/prebuilt/linux-x64/vmt-trace', 'native/prebuilt/linux-arm64/libvmt.so', 'man/vmt.1', 'LICENSE', 'node_modules/ffi-rs/index.js', 'node_modules/@yuuang/ffi-rs-linux-arm64-gnu/ffi-rs.linux-arm64-gnu.node']) {
    assert.ok(files.includes(`package/${f}`), `the tarball lacks ${f}`);
  }
  assert.deepEqual(files.filter((f) => /^package\/(native\/build|dist\/bin|src)\//.test(f)), [], 'no local build, binary or source in the tarball');

  // PATH: node and a few tools, no compiler; HOME and the npm cache empty; --offline
  const tools = join(work, 'tools');
  const prefix = join(work, 'prefix');
  mkdirSync(tools);
  symlinkSync(process.execPath, join(tools, 'node'));
  const env = installEnv(work, tools, prefix);
  ok(sh(process.execPath, [npmCli, 'install', '--global', '--offline', '--cache', join(work, 'cache'), '--prefix', prefix, '--allow-scripts=vmt', '--no-audit', '--no-fund', '--no-update-notifier', tgz], { env }), 'npm install -g of the tarball');
  const installed = join(prefix, 'lib/node_modules/vmt');
  assert.ok(!existsSync(join(installed, 'native/build')), 'nothing was compiled at install time');

  const ver = sh('vmt', ['--version'], { env });
  noTrace(ver, 'vmt --version');
  assert.match(ok(ver, 'vmt --version').stdout, new RegExp(`^vmt/${version} `));
  const checkvm = sh('vmt', ['checkvm'], { env });
  noTrace(checkvm, 'vmt checkvm');
  assert.ok(checkvm.status === 0 || checkvm.status === 1, `vmt checkvm: exit ${checkvm.status}\n${checkvm.stderr}`);
  assert.doesNotMatch(checkvm.stderr, /libvmt/, 'libvmt loads');

  // man: npm linked the pages into PREFIX/share/man
  const manEnv = { ...process.env, MANPATH: join(prefix, 'share/man') };
  assert.ok(ok(sh('man', ['-w', 'vmt'], { env: manEnv }), 'man -w vmt').stdout.startsWith(prefix));
  assert.match(ok(sh('man', ['vmt-checkvm'], { env: { ...manEnv, MANPAGER: 'cat', PAGER: 'cat' } }), 'man vmt-checkvm').stdout, /VMT-CHECKVM\(1\)/);

  // the documented explicit step for the stand-ins, then them and vmt sim (the prebuilt vmt-trace)
  for (const name of ['vmware-checkvm', 'vmware-rpctool']) symlinkSync('vmt', join(prefix, 'bin', name));
  const compat = sh('vmware-checkvm', [], { env });
  noTrace(compat, 'vmware-checkvm');
  assert.ok(compat.status === 0 || compat.status === 1, `vmware-checkvm: exit ${compat.status}\n${compat.stderr}`);
  const simmed = sh('vmt', ['sim', '--guestinfo', 'x=hello', '--', 'vmware-rpctool', 'info-get guestinfo.x'], { env, timeout: 120_000 });
  assert.equal(ok(simmed, 'vmt sim -- vmware-rpctool').stdout, 'hello\n');
  assert.equal(ok(sh('vmt', ['sim', '--', 'vmware-checkvm'], { env, timeout: 120_000 }), 'vmt sim -- vmware-checkvm').stdout, 'VMware software version 6 (good)\n');
});

test('postinstall: with no prebuilt libvmt for this machine it says so and compiles one with cc', () => {
  const copy = join(work, 'fallback');
  for (const d of ['native/libvmt', 'native/vmt-trace']) cpSync(join(root, d), join(copy, d), { recursive: true });
  mkdirSync(join(copy, 'scripts'));
  for (const f of ['build.mjs', 'postinstall.mjs']) copyFileSync(join(root, 'scripts', f), join(copy, 'scripts', f));
  writeFileSync(join(copy, 'package.json'), '{"type": "module"}\n');
  // a compiler that is not there: the announcement, then build.mjs's one line (a working cc is what npm install uses every time)
  const cc = join(work, 'no-such-cc');
  const r = sh(process.execPath, ['scripts/postinstall.mjs'], { cwd: copy, env: { ...process.env, CC: cc } });
  noTrace(r, 'postinstall with a missing compiler');
  assert.equal(r.status, 1);
  assert.deepEqual(r.stderr.trim().split('\n'), [
    `vmt: there is no prebuilt libvmt for ${process.platform}-${process.arch}; compiling it with ${cc}`,
    `build: compiling libvmt failed: there is no C compiler '${cc}'; install one (Debian: apt-get install gcc) or set CC, then run npm install again`,
  ]);
});

test('npm run package: names what is missing, in one line, exit 1; an unknown target is a usage error', () => {
  const copy = join(work, 'empty');
  mkdirSync(join(copy, 'scripts'), { recursive: true });
  for (const f of ['package.mjs', 'release-targets.json']) copyFileSync(join(root, 'scripts', f), join(copy, 'scripts', f));
  writeFileSync(join(copy, 'package.json'), JSON.stringify({ version: '0.0.0', type: 'module' }));
  const r = sh(process.execPath, ['scripts/package.mjs'], { cwd: copy });
  assert.equal(r.status, 1);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /^package: cannot package, missing: /);
  for (const t of ALL) assert.ok(lines[0]!.includes(`dist/bin/${t.binary} `), `names ${t.binary}`);
  for (const f of ['completions/vmt.bash', 'completions/_vmt', 'completions/vmt.fish', 'LICENSE']) assert.ok(lines[0]!.includes(f), `names ${f}`);
  const u = sh(process.execPath, ['scripts/package.mjs', 'linux-sparc'], { cwd: copy });
  assert.equal(u.status, 2);
  assert.match(u.stderr, /^package: unknown target 'linux-sparc' \(.*\)\nUsage: node scripts\/package\.mjs/);
});

test(`npm run package: .deb files, archives and SHA256SUMS for ${TARGETS.map((t) => t.archive).join(', ') || 'no target'}`, { skip: TARGETS.length === 0 && 'no binary in dist/bin' }, () => {
  ok(sh(process.execPath, ['scripts/package.mjs', '--fast', '--out', out, ...TARGETS.map((t) => t.archive)], { cwd: root }), 'scripts/package.mjs');
  const dist = out;
  const debs = TARGETS.filter((t) => t.deb);
  const names = [...debs.map((t) => `vmt_${version}_${t.deb}.deb`), ...TARGETS.map((t) => `vmt-${version}-${t.archive}.tar.gz`), ...(debs.length ? [`vmt-compat_${version}_all.deb`] : [])];
  const sums = readFileSync(join(dist, 'SHA256SUMS'), 'utf8').trim().split('\n').map((l) => l.split('  '));
  assert.deepEqual(sums.map(([, n]) => n).sort(), [...names].sort());
  for (const [sum, name] of sums) assert.equal(createHash('sha256').update(readFileSync(join(dist, name!))).digest('hex'), sum, name);

  for (const t of TARGETS) {
    const top = `vmt-${version}-${t.archive}`;
    const listing = ok(sh('tar', ['tzvf', join(dist, `${top}.tar.gz`)]), `tar of ${t.archive}`).stdout;
    for (const f of ['vmt', 'LICENSE', 'man/man1/vmt.1', 'man/man1/vmt-checkvm.1', 'completions/vmt.bash', 'completions/_vmt', 'completions/vmt.fish']) {
      assert.match(listing, new RegExp(` ${top}/${f.replace(/\./g, '\\.')}$`, 'm'), `${top}.tar.gz lacks ${f}`);
    }
    assert.match(listing, new RegExp(`^-rwxr-xr-x 0/0 .* ${top}/vmt$`, 'm'));
  }
  for (const t of debs) {
    const deb = join(dist, `vmt_${version}_${t.deb}.deb`);
    const field = (f: string) => ok(sh('dpkg-deb', ['-f', deb, f]), `dpkg-deb -f ${f}`).stdout.trim();
    assert.deepEqual([field('Package'), field('Version'), field('Architecture')], ['vmt', version, t.deb]);
    const contents = ok(sh('dpkg-deb', ['-c', deb]), 'dpkg-deb -c').stdout;
    for (const f of ['usr/bin/vmt', 'usr/share/man/man1/vmt.1.gz', 'usr/share/bash-completion/completions/vmt', 'usr/share/zsh/vendor-completions/_vmt', 'usr/share/fish/vendor_completions.d/vmt.fish', 'usr/share/doc/vmt/copyright']) {
      assert.match(contents, new RegExp(` \\./${f.replace(/\./g, '\\.')}$`, 'm'), `${t.deb}.deb lacks ${f}`);
    }
    assert.doesNotMatch(contents, /vmware-/, 'the vmware-* names only in vmt-compat');
    const x = join(work, `x-${t.deb}`);
    ok(sh('dpkg-deb', ['-x', deb, x]), 'dpkg-deb -x');
    assert.equal(elfMachine(join(x, 'usr/bin/vmt')), MACHINE[t.deb!], `usr/bin/vmt of the ${t.deb} .deb is built for ${t.deb}`);
  }
});

/** A dpkg root with an empty database, where `stubs` are recorded as installed (no files). */
function scratchRoot(name: string, stubs: string[]): string {
  const r = join(work, name);
  const admin = join(r, 'var/lib/dpkg');
  for (const d of ['info', 'updates', 'triggers']) mkdirSync(join(admin, d), { recursive: true });
  writeFileSync(join(admin, 'available'), '');
  writeFileSync(join(admin, 'status'), stubs.map((p) => `Package: ${p}\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\nMaintainer: stub <stub@localhost>\nDescription: stand-in\n\n`).join(''));
  for (const p of stubs) writeFileSync(join(admin, 'info', `${p}.list`), '');
  return r;
}

test('the amd64 .deb installs into a scratch dpkg root, man vmt works, vmt-compat conflicts with open-vm-tools, and both remove cleanly', { skip: !TARGETS.some((t) => t.deb === 'amd64') && 'no vmt-linux-x64-v2' }, () => {
  const dist = out;
  const deb = join(dist, `vmt_${version}_amd64.deb`);
  const compat = join(dist, `vmt-compat_${version}_all.deb`);
  assert.ok(existsSync(deb) && existsSync(compat), 'the test above made them');
  const hostDb = () => sh('dpkg-query', ['-W', '-f', '${Package} ${Status}\n', 'vmt', 'vmt-compat']).stdout;
  const before = hostDb();
  const dpkg = (r: string, args: string[]) => sh('dpkg', [`--root=${r}`, '--force-script-chrootless', '--force-not-root', ...args], { env: { ...process.env, LC_ALL: 'C' } });

  const r = scratchRoot('root', ['libc6']);
  ok(dpkg(r, ['-i', deb, compat]), 'dpkg -i vmt vmt-compat');
  const listed = ok(dpkg(r, ['-L', 'vmt']), 'dpkg -L vmt').stdout.split('\n');
  for (const f of ['/usr/bin/vmt', '/usr/share/man/man1/vmt.1.gz', '/usr/share/bash-completion/completions/vmt']) assert.ok(listed.includes(f), `dpkg -L vmt lacks ${f}`);
  const v = sh(join(r, 'usr/bin/vmt'), ['--version']);
  assert.match(ok(v, 'vmt --version').stdout, new RegExp(`^vmt/${version} `));
  const manEnv = { ...process.env, MANPATH: join(r, 'usr/share/man'), MANPAGER: 'cat', PAGER: 'cat' };
  assert.equal(ok(sh('man', ['-w', 'vmt'], { env: manEnv }), 'man -w vmt').stdout.trim(), join(r, 'usr/share/man/man1/vmt.1.gz'));
  assert.match(ok(sh('man', ['vmt'], { env: manEnv }), 'man vmt').stdout, /^VMT\(1\)/m);
  const checkvm = sh(join(r, 'usr/bin/vmware-checkvm'), [], { env: { ...process.env, VMT_VSOCK_FORBID: '1' } });
  noTrace(checkvm, 'vmware-checkvm from the .deb');
  assert.ok(checkvm.status === 0 || checkvm.status === 1, `vmware-checkvm: exit ${checkvm.status}\n${checkvm.stderr}`);

  ok(dpkg(r, ['-r', 'vmt-compat', 'vmt']), 'dpkg -r');
  const left = readdirSync(r).filter((f) => f !== 'var');
  assert.deepEqual(left, [], 'files left after dpkg -r');

  const o = scratchRoot('root-ovt', ['libc6', 'open-vm-tools']);
  ok(dpkg(o, ['-i', deb]), 'dpkg -i vmt beside open-vm-tools');
  const refused = dpkg(o, ['-i', compat]);
  assert.notEqual(refused.status, 0);
  assert.match(refused.stderr, /vmt-compat conflicts with open-vm-tools/);
  assert.ok(!existsSync(join(o, 'usr/bin/vmware-rpctool')));

  assert.equal(hostDb(), before, "this machine's dpkg database is untouched");
});
