#!/usr/bin/env node
// `npm run package`: the release files, into dist/, from the standalone
// binaries in dist/bin (npm run binaries), the man pages in man/, the shell
// completions in completions/ and LICENSE:
//   vmt_<version>_<arch>.deb       the binary as /usr/bin/vmt, man pages, completions
//   vmt-compat_<version>_all.deb   /usr/bin/vmware-rpctool and vmware-checkvm -> vmt;
//                                  Conflicts: open-vm-tools, which ships those paths
//   vmt-<version>-<target>.tar.gz  per target: vmt, man/man1/, completions/, LICENSE
//   SHA256SUMS                     of all of the above (sha256sum -c SHA256SUMS)
// The targets, and which of them get a .deb, are in scripts/release-targets.json
// (the tests read the same list). `node scripts/package.mjs linux-x64` makes
// only the files of the targets named; `--out DIR` writes them there instead
// of dist/, and `--fast` does not compress them (the tests). Anything missing is named in one line
// on stderr, then exit status 1; nothing is half-written into dist/.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync, copyFileSync, createWriteStream, existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const TARGETS = JSON.parse(readFileSync(join(root, 'scripts/release-targets.json'), 'utf8'));
/** The completion scripts (generated from the command metadata) and where the .deb puts them. */
export const COMPLETIONS = [
  { file: 'vmt.bash', deb: 'usr/share/bash-completion/completions/vmt' },
  { file: '_vmt', deb: 'usr/share/zsh/vendor-completions/_vmt' },
  { file: 'vmt.fish', deb: 'usr/share/fish/vendor_completions.d/vmt.fish' },
];
const MAINTAINER = process.env.DEB_MAINTAINER || 'vmt authors <vmt@localhost>';

function fail(line) {
  console.error(`package: ${line}`);
  process.exit(1);
}

function run(cmd, args, what, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'], ...opts });
  if (r.error) fail(`${what} failed: cannot run ${cmd} (${r.error.code ?? r.error.message})${r.error.code === 'ENOENT' ? `; install it (Debian: apt-get install ${cmd === 'dpkg-deb' ? 'dpkg' : cmd})` : ''}`);
  if (r.status !== 0) fail(`${what} failed: ${cmd} ${r.signal ? `was killed by ${r.signal}` : `exited ${r.status}`}; see its lines above`);
}

function sha256(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Total size of a tree in KiB, as Installed-Size counts it (files and symlinks, 1 KiB at least each). */
function kib(dir) {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isDirectory()) continue;
    total += Math.max(1, Math.ceil(lstatSync(join(e.parentPath ?? e.path, e.name)).size / 1024));
  }
  return Math.ceil(total);
}

function put(src, dest, mode = 0o644) {
  mkdirSync(dirname(dest), { recursive: true });
  copyFileSync(src, dest);
  chmodSync(dest, mode);
}

/** The binary into a tree: a hard link where it can be (100 MB each), else a copy; mode 0755 either way. */
function putBinary(src, dest) {
  mkdirSync(dirname(dest), { recursive: true });
  try {
    if ((lstatSync(src).mode & 0o7777) === 0o755) return linkSync(src, dest);
  } catch {
    // another filesystem: copy
  }
  put(src, dest, 0o755);
}

function control(fields, description) {
  return `${Object.entries(fields).map(([k, v]) => `${k}: ${v}`).join('\n')}\nDescription: ${description.join('\n ')}\n`;
}

function copyright(pkg) {
  return `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nUpstream-Name: ${pkg}\n\nFiles: *\nLicense: MIT\n ${readFileSync(join(root, 'LICENSE'), 'utf8').trimEnd().split('\n').map((l) => l || '.').join('\n ')}\n`;
}

function debBuild(tree, out, epoch) {
  for (const e of readdirSync(tree, { withFileTypes: true, recursive: true })) {
    if (e.isDirectory()) chmodSync(join(e.parentPath ?? e.path, e.name), 0o755);
  }
  chmodSync(tree, 0o755);
  // gzip: xz of a 100 MB binary takes a minute on a small machine; every dpkg reads gzip
  run('dpkg-deb', ['--root-owner-group', ...(LEVEL ? ['-Zgzip', `-z${LEVEL}`] : ['-Znone']), '--build', tree, out], `building ${out}`, { env: { ...process.env, SOURCE_DATE_EPOCH: epoch } });
}

function manPages() {
  return readdirSync(join(root, 'man')).filter((f) => /\.\d$/.test(f)).sort();
}

function vmtDeb(t, version, work, epoch) {
  const tree = join(work, `deb-${t.deb}`);
  putBinary(join(root, 'dist/bin', t.binary), join(tree, 'usr/bin/vmt'));
  for (const page of manPages()) {
    const dest = join(tree, 'usr/share/man', `man${page.slice(-1)}`, `${page}.gz`);
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, gzipSync(readFileSync(join(root, 'man', page)), { level: 9 }));
  }
  for (const c of COMPLETIONS) put(join(root, 'completions', c.file), join(tree, c.deb));
  mkdirSync(join(tree, 'usr/share/doc/vmt'), { recursive: true });
  writeFileSync(join(tree, 'usr/share/doc/vmt/copyright'), copyright('vmt'));
  const size = kib(tree);
  mkdirSync(join(tree, 'DEBIAN'));
  writeFileSync(join(tree, 'DEBIAN/control'), control({
    Package: 'vmt', Version: version, Architecture: t.deb, Maintainer: MAINTAINER, 'Installed-Size': size,
    Depends: 'libc6', Suggests: 'vmt-compat', Section: 'admin', Priority: 'optional',
  }, [
    'VMware guest utilities in one binary',
    'checkvm (is this a VMware VM?), gettime (the host\'s clock), GuestRPC',
    '(rpc, info get/set of guestinfo), stat, the guest end of the host\'s command',
    'channel (tclo listen), and vmt sim, a simulated VMware host for tests.',
    'Safe off VMware. The vmware-rpctool and vmware-checkvm names are in',
    'vmt-compat, apart, since open-vm-tools ships them.',
  ]));
  const out = join(work, `vmt_${version}_${t.deb}.deb`);
  debBuild(tree, out, epoch);
  return out;
}

function compatDeb(version, work, epoch) {
  const tree = join(work, 'deb-compat');
  mkdirSync(join(tree, 'usr/bin'), { recursive: true });
  for (const name of ['vmware-rpctool', 'vmware-checkvm']) symlinkSync('vmt', join(tree, 'usr/bin', name));
  mkdirSync(join(tree, 'usr/share/doc/vmt-compat'), { recursive: true });
  writeFileSync(join(tree, 'usr/share/doc/vmt-compat/copyright'), copyright('vmt'));
  const size = kib(tree);
  mkdirSync(join(tree, 'DEBIAN'));
  writeFileSync(join(tree, 'DEBIAN/control'), control({
    Package: 'vmt-compat', Version: version, Architecture: 'all', Maintainer: MAINTAINER, 'Installed-Size': size,
    Depends: `vmt (= ${version})`, Conflicts: 'open-vm-tools', Section: 'admin', Priority: 'optional',
  }, [
    'vmware-rpctool and vmware-checkvm as vmt',
    '/usr/bin/vmware-rpctool and /usr/bin/vmware-checkvm, symlinks to vmt, which',
    'answers under these names with open-vm-tools\' arguments, texts and exit',
    'statuses (cloud-init calls vmware-rpctool). open-vm-tools ships the same two',
    'paths, hence the conflict: install this only where open-vm-tools is not.',
  ]));
  const out = join(work, `vmt-compat_${version}_all.deb`);
  debBuild(tree, out, epoch);
  return out;
}

async function archive(t, version, work, epoch) {
  const name = `vmt-${version}-${t.archive}`;
  const tree = join(work, 'tar', name);
  putBinary(join(root, 'dist/bin', t.binary), join(tree, 'vmt'));
  for (const page of manPages()) put(join(root, 'man', page), join(tree, 'man', `man${page.slice(-1)}`, page));
  for (const c of COMPLETIONS) put(join(root, 'completions', c.file), join(tree, 'completions', c.file));
  put(join(root, 'LICENSE'), join(tree, 'LICENSE'));
  const out = join(work, `${name}.tar.gz`);
  // tar's output straight into gzip
  const tar = spawn('tar', ['-C', join(work, 'tar'), '--sort=name', '--owner=0', '--group=0', '--numeric-owner', `--mtime=@${epoch}`, '-cf', '-', name], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((done) => tar.on('close', (status, signal) => done({ status, signal })));
  let spawnError;
  tar.on('error', (err) => { spawnError = err; });
  try {
    await pipeline(tar.stdout, createGzip({ level: LEVEL }), createWriteStream(out));
  } catch (err) {
    fail(`archiving ${name} failed: ${err.message}`);
  }
  const { status, signal } = await exited;
  if (spawnError) fail(`archiving ${name} failed: cannot run tar (${spawnError.code ?? spawnError.message})`);
  if (status !== 0) fail(`archiving ${name} failed: tar ${signal ? `was killed by ${signal}` : `exited ${status}`}; see its lines above`);
  return out;
}

function usage(line) {
  console.error(`package: ${line}`);
  console.error('Usage: node scripts/package.mjs [--fast] [--out DIR] [TARGET...]');
  process.exit(2);
}
let LEVEL = 6;
let dist = join(root, 'dist');
const wanted = [];
for (const args = process.argv.slice(2); args.length;) {
  const a = args.shift();
  if (a === '--fast') LEVEL = 0;
  else if (a === '--out') dist = resolve(args.shift() ?? usage('--out needs a directory'));
  else if (TARGETS.some((t) => t.archive === a)) wanted.push(a);
  else usage(`unknown target '${a}' (${TARGETS.map((t) => t.archive).join(', ')})`);
}
const targets = wanted.length ? TARGETS.filter((t) => wanted.includes(t.archive)) : TARGETS;
const missing = [
  ...targets.filter((t) => !existsSync(join(root, 'dist/bin', t.binary))).map((t) => `dist/bin/${t.binary} (${t.archive}${t.deb ? `, the ${t.deb} .deb` : ''}; npm run binaries)`),
  ...COMPLETIONS.filter((c) => !existsSync(join(root, 'completions', c.file))).map((c) => `completions/${c.file} (the shell completions)`),
  ...['LICENSE', 'man/vmt.1'].filter((f) => !existsSync(join(root, f))),
];
if (missing.length) fail(`cannot package, missing: ${missing.join(', ')}`);

const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const git = spawnSync('git', ['log', '-1', '--format=%ct'], { cwd: root, encoding: 'utf8' });
const epoch = /^\d+$/.test(git.stdout?.trim() ?? '') ? git.stdout.trim() : String(Math.floor(Date.now() / 1000));
mkdirSync(dist, { recursive: true });
const work = mkdtempSync(join(dist, '.package-')); // in dist/, so the files are renamed into place
// also when fail() exits
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
{
  const outs = [];
  for (const t of targets) {
    if (t.deb) outs.push(vmtDeb(t, version, work, epoch));
    outs.push(await archive(t, version, work, epoch));
  }
  if (targets.some((t) => t.deb)) outs.push(compatDeb(version, work, epoch));
  // all made: now replace the previous release files in dist/
  for (const f of readdirSync(dist)) {
    if (/^vmt(-compat)?_.*\.deb$|^vmt-.*\.tar\.gz$|^SHA256SUMS$/.test(f)) rmSync(join(dist, f));
  }
  const sums = [];
  for (const f of outs) {
    const name = f.slice(work.length + 1);
    renameSync(f, join(dist, name));
    sums.push(`${sha256(join(dist, name))}  ${name}\n`);
    console.log(join(dist, name));
  }
  writeFileSync(join(dist, 'SHA256SUMS'), sums.join(''));
  console.log(join(dist, 'SHA256SUMS'));
}
