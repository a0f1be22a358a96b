// native/vmt-trace/x86len.c: the x86-64 length decoder that finds the `cpuid` instructions vmt-trace
// turns into `ud2`, and elfscan.c, which decides which of them are safe to patch. The C unit tests
// run first; then cpuid-scan (a thin CLI over elf_cpuid_sites) is cross-checked against GNU objdump on
// real binaries: the sweep must find exactly objdump's set, and the trust rule (a site must lie inside
// a function symbol or an FDE) may drop only the 0F A2 pairs in libcrypto's P-256 table. Malformed
// files (truncated, garbage, mutated) must be refused or scanned cleanly, under ASan and UBSan.
// The C unit tests live with libvmt's in native/test/.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { before, test } from 'node:test';
import { repoRoot } from '../helpers.js';

const root = repoRoot();
const trace = (f: string) => `native/vmt-trace/${f}`;
const work = mkdtempSync(join(tmpdir(), 'vmt-x86len-'));
const scanner = join(work, 'cpuid-scan');
const SCANNER_SOURCES = ['cpuid-scan.c', 'elfscan.c', 'ehframe.c', 'x86len.c'].map(trace);
const CFLAGS = ['-std=c11', '-O2', '-Wall', '-Wextra'];
const lib = '/usr/lib/x86_64-linux-gnu';
const libcrypto = `${lib}/libcrypto.so.3`;
const libvmt = join(root, 'native/build/libvmt.so');

/** Compiles C sources (paths from the repository root) into exe; gcc -O2 -Wall -Wextra must have nothing to say. */
function compile(exe: string, files: string[], flags: string[] = []): void {
  const r = spawnSync(process.env.CC || 'cc', [...CFLAGS, ...flags, '-o', exe, ...files.map((f) => join(root, f))], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '', `compiler warnings:\n${r.stderr}`);
}

interface Scan {
  sites: Set<number>; // trusted: what vmt-trace patches
  untrusted: Set<number>; // found by the sweep, dropped by the trust rule
  summary: Record<string, number>;
}

function scan(file: string, exe = scanner): Scan {
  const r = spawnSync(exe, [file], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr);
  const summary = Object.fromEntries([...r.stderr.matchAll(/(\w+)=([\d.]+)/g)].map((m) => [m[1]!, Number(m[2])]));
  const sites = new Set<number>();
  for (const line of r.stdout.split('\n').filter(Boolean)) {
    const m = /^0x([0-9a-f]+) 0x([0-9a-f]+)$/.exec(line);
    assert.ok(m, `bad output line: ${line}`);
    sites.add(parseInt(m[1]!, 16));
  }
  const untrusted = new Set([...r.stderr.matchAll(/^untrusted 0x([0-9a-f]+)$/gm)].map((m) => parseInt(m[1]!, 16)));
  assert.equal(sites.size, summary.cpuid, 'one line per trusted site, as many as the summary says');
  assert.equal(untrusted.size, summary.untrusted, 'one line per untrusted site, as many as the summary says');
  return { sites, untrusted, summary };
}

// objdump prints prefixes as words before the mnemonic ("data16 cpuid", "rex.W cpuid").
const PREFIX_WORD = /^(data16|data32|addr32|rex(\.[WRXB]+)?|lock|repn?z?|repn?e|[c-gs]s|notrack|bnd|xacquire|xrelease)$/;
const LINE = /^\s*([0-9a-f]+):\t([0-9a-f ]+)\t(.*)$/;

/**
 * The cpuid instructions `objdump -d` finds, as the addresses of their 0F A2 bytes (what cpuid-scan
 * reports), or null when objdump takes longer than limitMs (it is killed then).
 */
function objdumpCpuid(file: string, limitMs: number): Promise<{ sites: Set<number>; ms: number } | null> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn('objdump', ['-d', '-w', file], { stdio: ['ignore', 'pipe', 'inherit'] });
    const sites = new Set<number>();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, limitMs);
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.includes('cpuid')) return;
      const m = LINE.exec(line);
      if (!m) return;
      const words = m[3]!.trim().split(/\s+/).filter((w) => !PREFIX_WORD.test(w));
      if (words[0] !== 'cpuid') return;
      const bytes = m[2]!.trim().split(' ');
      assert.deepEqual(bytes.slice(-2), ['0f', 'a2'], line);
      sites.add(parseInt(m[1]!, 16) + bytes.length - 2);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (timedOut) return resolve(null);
      if (code !== 0) return reject(new Error(`objdump -d ${file} exited with ${code}`));
      resolve({ sites, ms: Date.now() - t0 });
    });
  });
}

const hex = (s: Iterable<number>) => [...s].sort((a, b) => a - b).map((a) => '0x' + a.toString(16));

/**
 * cpuid-scan's trusted sites must be objdump's minus the ones the trust rule dropped, and the rule
 * may drop only libcrypto's two table sites (expected: how many it drops in this file).
 */
async function crossCheck(file: string, expected = 0, limitMs = 300_000): Promise<boolean> {
  const ours = scan(file);
  const theirs = await objdumpCpuid(file, limitMs);
  if (!theirs) return false;
  const swept = new Set([...ours.sites, ...ours.untrusted]);
  const s = ours.summary;
  console.log(
    `${file}: cpuid objdump=${theirs.sites.size} trusted=${ours.sites.size} dropped=${ours.untrusted.size}` +
      `${ours.untrusted.size ? ` (${hex(ours.untrusted).join(' ')})` : ''}; sections=${s.sections} bytes=${s.bytes} ` +
      `undecodable=${s.undecodable} data=${s.data} functions=${s.functions} fdes=${s.fdes}; ` +
      `elf_cpuid_sites ${s.ms} ms, objdump ${theirs.ms} ms`,
  );
  const sweptOnly = hex([...swept].filter((a) => !theirs.sites.has(a)));
  const objdumpOnly = hex([...theirs.sites].filter((a) => !swept.has(a)));
  assert.deepEqual({ sweptOnly, objdumpOnly }, { sweptOnly: [], objdumpOnly: [] }, `${file}: the sweep against objdump`);
  assert.equal(ours.untrusted.size, expected, `${file}: dropped by the trust rule: ${hex(ours.untrusted).join(' ') || 'none'}`);
  return true;
}

before(() => {
  // objdump (binutils) and the open-vm-tools binaries; a no-op when they are installed
  if (!existsSync('/usr/bin/objdump') || !existsSync('/usr/bin/vmware-rpctool')) {
    execFileSync('bash', [join(root, 'scripts/apt-install.sh'), 'binutils', 'open-vm-tools'], { stdio: 'inherit' });
  }
  compile(scanner, SCANNER_SOURCES);
});

test('x86len unit tests (native/test/x86len_test.c): lengths of every instruction class, and 0F A2 inside operands', () => {
  const exe = join(work, 'x86len_test');
  compile(exe, ['native/test/x86len_test.c', trace('x86len.c')]);
  const r = spawnSync(exe, { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const cases = Number(/ok (\d+) instruction cases/.exec(r.stdout)?.[1]);
  assert.ok(cases >= 80, `${cases} instruction cases`);
  assert.match(r.stdout, /ok scanner cases/);
  assert.match(r.stdout, /PASS: \d+ checks, 0 failures/);
});

test('the CPUID-site cache loader (native/test/patch_cache_test.c): a header is checked against the file sizes before anything is allocated', () => {
  const exe = join(work, 'patch_cache_test');
  compile(exe, ['native/test/patch_cache_test.c', ...SCANNER_SOURCES.filter((f) => !f.endsWith('cpuid-scan.c'))]);
  const r = spawnSync(exe, { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /ok \.\.\. before anything is allocated for them/);
  assert.match(r.stdout, /^PASS$/m);
});

test('cpuid-scan refuses what is not an ELF64 x86-64 file, with exit status 2', () => {
  const r = spawnSync(scanner, [join(root, 'package.json')], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /not an ELF64 x86-64 executable or shared object/);
  assert.equal(spawnSync(scanner, [], { encoding: 'utf8' }).status, 2);
  assert.equal(spawnSync(scanner, [join(work, 'missing')], { encoding: 'utf8' }).status, 2);
});

// The open-vm-tools programs vmt sim will run, and the libraries they load.
const reference = [
  `${lib}/libvmtools.so.0`, // what vmware-checkvm's checks live in
  '/usr/bin/vmware-rpctool',
  '/usr/bin/vmtoolsd',
  '/bin/busybox',
  `${lib}/libc.so.6`,
  `${lib}/ld-linux-x86-64.so.2`, // glibc's own cpuid calls (init_cpu_features) are in ld.so
];

for (const file of reference) {
  test(`cpuid-scan finds objdump's cpuid instructions in ${file}, all of them trusted`, { skip: !existsSync(file) && file === '/bin/busybox' }, async () => {
    assert.ok(existsSync(file), `${file} is missing`);
    assert.ok(await crossCheck(file));
  });
}

test('the open-vm-tools code really has cpuid instructions to find (VmCheck, Hostinfo)', () => {
  assert.ok(scan(`${lib}/libvmtools.so.0`).sites.size > 0);
  assert.ok(scan('/usr/bin/vmware-rpctool').sites.size > 0);
});

test("our own libvmt.so: vmt_cpuid's cpuid is found and trusted", { skip: !existsSync(libvmt) && 'native/build/libvmt.so is not built' }, async () => {
  assert.ok(await crossCheck(libvmt));
  assert.ok(scan(libvmt).sites.size >= 1);
});

test('libcrypto.so.3 (OpenSSL assembly, tables in .text): the trust rule drops exactly the two P-256 table sites', { skip: !existsSync(libcrypto) }, async () => {
  assert.ok(await crossCheck(libcrypto, 2));
});

test('cpuid-scan on node (~90 MB): timing, and objdump minus nothing', async () => {
  const node = process.execPath;
  const ours = scan(node);
  console.log(
    `${node}: ${ours.summary.bytes} bytes of code in ${ours.summary.sections} sections, ` +
      `${ours.sites.size} trusted cpuid, ${ours.untrusted.size} dropped, ${ours.summary.undecodable} undecodable bytes, ` +
      `${ours.summary.data} bytes of STT_OBJECT data skipped; elf_cpuid_sites ${ours.summary.ms} ms`,
  );
  assert.ok(ours.sites.size > 0);
  if (await crossCheck(node, 0, 60_000)) return;
  console.log(`objdump took more than 60 s on ${node}; the libcrypto test compares a big library instead`);
});

test('without section headers, the FDE ranges are swept: the same trusted sites (where every site has unwind info)', () => {
  for (const file of [`${lib}/libvmtools.so.0`, '/usr/bin/vmware-rpctool', `${lib}/ld-linux-x86-64.so.2`]) {
    const bytes = readFileSync(file);
    bytes.writeBigUInt64LE(0n, 0x28); // e_shoff
    bytes.fill(0, 0x3a, 0x40); // e_shentsize, e_shnum, e_shstrndx
    const copy = join(work, 'noshdr');
    writeFileSync(copy, bytes);
    const whole = scan(file);
    const bare = scan(copy);
    assert.equal(bare.summary.symbols, 0, 'no symbols without section headers');
    assert.deepEqual(hex(bare.sites), hex(whole.sites), file);
  }
});

// Found by fuzzing (native/fuzz, target elfscan): a second executable section mapping the same file
// bytes at another address found the same cpuid twice, and the file offset was listed twice (vmt-trace's
// cache then refused the list it had written itself: it must be strictly ascending).
test('two executable sections over the same file bytes: each patch site (file offset) is listed once', () => {
  const r = spawnSync(scanner, [join(root, 'native/fuzz/corpus/elfscan/crash-aliased-sections')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const offsets = r.stdout.split('\n').filter(Boolean).map((l) => BigInt(l.split(' ')[1]!));
  assert.ok(offsets.length >= 1, r.stdout);
  for (let i = 1; i < offsets.length; i++) assert.ok(offsets[i - 1]! < offsets[i]!, `offsets not strictly ascending:\n${r.stdout}`);
});

/** A small deterministic PRNG (mulberry32), so a failing mutant can be made again. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Malformed inputs: truncated copies, garbage, garbage behind a real ELF header, mutants. */
function malformed(): Array<[string, Buffer]> {
  const rand = prng(1);
  const garbage = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));
  const out: Array<[string, Buffer]> = [];
  for (const file of [libcrypto, '/usr/bin/vmware-rpctool', `${lib}/ld-linux-x86-64.so.2`].filter(existsSync)) {
    const whole = readFileSync(file);
    for (const n of [4096, 65536, whole.length >> 1, whole.length - 1]) out.push([`${file}, first ${n} bytes`, whole.subarray(0, n)]);
  }
  out.push(['1 MiB of random bytes', garbage(1 << 20)]);
  const elf = readFileSync('/usr/bin/vmware-rpctool');
  out.push(['an ELF header, then random bytes', Buffer.concat([elf.subarray(0, 64), garbage(1 << 16)])]);
  // mutants: random words written over the header tables, .eh_frame, the symbol tables, anywhere
  const shoff = Number(elf.readBigUInt64LE(0x28));
  for (let i = 0; i < 120; i++) {
    const m = Buffer.from(elf);
    for (let k = 0, n = 1 + Math.floor(rand() * 6); k < n; k++) {
      const where = [0, shoff, Math.floor(rand() * m.length)][k % 3]! + Math.floor(rand() * (k % 3 === 2 ? 1 : 64 * 24));
      const word = [0xffffffff, 0x7fffffff, Math.floor(rand() * 2 ** 32), 0][Math.floor(rand() * 4)]!;
      if (where + 4 <= m.length) m.writeUInt32LE(word, where);
    }
    out.push([`vmware-rpctool mutant ${i}`, m]);
  }
  return out;
}

test('malformed files (truncated, garbage, mutants) are scanned or refused cleanly, under ASan and UBSan', () => {
  const sanitized = join(work, 'cpuid-scan-asan');
  const flags = ['-g', '-fsanitize=address,undefined', '-fno-sanitize-recover=all'];
  const probe = spawnSync(process.env.CC || 'cc', [...flags, '-x', 'c', '-o', join(work, 'probe'), '-'], { input: 'int main(void){return 0;}', encoding: 'utf8' });
  const exe = probe.status === 0 ? sanitized : scanner;
  if (exe === sanitized) compile(sanitized, SCANNER_SOURCES, flags);
  else console.log(`no -fsanitize=address,undefined here (${probe.stderr.trim()}); the plain build is used`);
  const file = join(work, 'malformed');
  const counts = { scanned: 0, refused: 0 };
  for (const [what, bytes] of malformed()) {
    writeFileSync(file, bytes);
    const r = spawnSync(exe, [file], { encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1' } });
    assert.equal(r.signal, null, `${what}: killed by ${r.signal}`);
    assert.ok(r.status === 0 || r.status === 2, `${what}: exit status ${r.status}\n${r.stderr.slice(0, 4000)}`);
    assert.doesNotMatch(r.stderr, /runtime error|Sanitizer/, what);
    counts[r.status === 0 ? 'scanned' : 'refused']++;
  }
  console.log(`malformed files with ${exe === sanitized ? 'ASan+UBSan' : 'the plain build'}: ${counts.scanned} scanned, ${counts.refused} refused`);
});
