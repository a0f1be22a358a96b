// `vmt report` under `vmt sim`: the SetGuestInfo requests as the simulated host
// saw them (its transcript), what a second report sends (only what changed),
// --dry-run --json, and the exit statuses off VMware and on bad usage.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, uptime } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { osFacts } from '../../../src/report/facts.js';
import { osIdentity } from '../../../src/report/identity.js';
import { run, runtimes } from '../../helpers.js';
import { SIM, tmp, type SimRun } from '../../sim/sim-helpers.js';

const RT = runtimes();
/** the vmt under test: the standalone binary when it is built, else node */
const VMT = RT.binary ?? RT.node!;
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const runDir = () => {
  const d = tmp('vmt-report-');
  dirs.push(d);
  return d;
};

/** [type, payload bytes] of every SetGuestInfo the host received */
function setGuestInfo(r: SimRun): [number, Buffer][] {
  return r.transcript
    .filter((e) => e.t === 'rpci')
    .map((e) => (e.request_base64 ? Buffer.from(e.request_base64 as string, 'base64') : Buffer.from(e.request as string)))
    .filter((b) => b.subarray(0, 14).toString('latin1') === 'SetGuestInfo  ')
    .map((b) => {
      const sp = b.indexOf(0x20, 14);
      return [Number(b.subarray(14, sp).toString('latin1')), b.subarray(sp + 1)] as [number, Buffer];
    });
}

/** vmt sim -- vmt report ARGS, with XDG_RUNTIME_DIR (where the state is kept) the run's own directory */
function report(dir: string, args: string[]): SimRun {
  const file = join(dir, `transcript-${Math.random().toString(36).slice(2)}.jsonl`);
  const r = run(SIM, ['sim', '--transcript', file, '--', ...VMT, 'report', ...args], { XDG_RUNTIME_DIR: dir });
  const transcript = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) : [];
  return { ...r, transcript };
}

test('vmt report --all under the sim: SetGuestInfo 5, 6, 11, 1, 10, 7 with this guest\'s values; a second report sends only what changed', () => {
  const dir = runDir();
  const first = report(dir, ['--all', '--json']);
  assert.equal(first.status, 0, first.stderr);
  const got = setGuestInfo(first);
  assert.deepEqual(got.map(([t]) => t), [5, 6, 11, 1, 10, 7]);
  const text = new Map(got.map(([t, p]) => [t, p.toString('utf8')]));
  const id = osIdentity(osFacts());
  assert.equal(text.get(5), id.fullName);
  assert.equal(text.get(6), id.shortName);
  assert.equal(text.get(1), hostname());
  const up = Number(text.get(7));
  assert.ok(Number.isInteger(up) && Math.abs(up / 100 - uptime()) < 60, `uptime ${up} hundredths vs ${uptime()} s`);
  // 11: HostinfoDetailedDataHeader, version 1, then the data
  const detailed = got.find(([t]) => t === 11)![1];
  assert.equal(detailed.readUInt32LE(0), 1);
  assert.equal(detailed.subarray(4, 133).toString().replace(/\0+$/, ''), id.shortName);
  // the data's NUL ends the request: the sim takes one trailing NUL as the request's terminator (nul: true), as from vmtoolsd
  assert.equal(detailed.subarray(648).toString().replace(/\0$/, ''), id.detailed);
  assert.equal(first.transcript.find((e) => e.t === 'rpci' && String(e.request).startsWith('SetGuestInfo  11 '))!.nul, true);
  // 10: GuestNicProto, NIC_INFO_V3, a NicInfoV3 present, then the NICs' count
  const nic = got.find(([t]) => t === 10)![1];
  assert.equal(nic.readUInt32BE(0), 3);
  assert.equal(nic.readUInt32BE(4), 1);
  const json = JSON.parse(first.stdout) as { sent: { type: number; ok: boolean }[]; unchanged: string[] };
  assert.deepEqual(json.sent.map((s) => [s.type, s.ok]), [[5, true], [6, true], [11, true], [1, true], [10, true], [7, true]]);
  assert.ok(existsSync(join(dir, 'vmt/report.json')), 'the state is kept under XDG_RUNTIME_DIR');
  for (const e of first.transcript.filter((e) => e.t === 'rpci')) assert.equal(e.reply, '1 ');

  const second = report(dir, []);
  assert.equal(second.status, 0, second.stderr);
  assert.deepEqual(setGuestInfo(second).map(([t]) => t), [7], 'only the uptime changed');
  assert.match(second.stdout, /^SetGuestInfo {2}7 \d+ -> ok\n$/);

  const all = report(dir, ['--all']);
  assert.deepEqual(setGuestInfo(all).map(([t]) => t), [5, 6, 11, 1, 10, 7], '--all sends everything again');
});

test('a damaged state file is ignored: everything is sent', () => {
  const dir = runDir();
  assert.equal(report(dir, []).status, 0);
  const state = join(dir, 'vmt/report.json');
  assert.match(readFileSync(state, 'utf8'), /"version": 1/);
  writeFileSync(state, '{not json');
  assert.deepEqual(setGuestInfo(report(dir, [])).map(([t]) => t), [5, 6, 11, 1, 10, 7]);
});

test('--dry-run --json: every request decoded, binary ones also as base64; nothing sent, no state written, anywhere', () => {
  const dir = runDir();
  const r = run(VMT, ['report', '--all', '--dry-run', '--json'], { XDG_RUNTIME_DIR: dir });
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { requests: { type: number; name: string; value: unknown; base64?: string; request: string }[] };
  assert.deepEqual(doc.requests.map((q) => [q.type, q.name]), [[5, 'INFO_OS_NAME_FULL'], [6, 'INFO_OS_NAME'], [11, 'INFO_OS_DETAILED'], [1, 'INFO_DNS_NAME'], [10, 'INFO_IPADDRESS_V3'], [7, 'INFO_UPTIME']]);
  const nic = doc.requests.find((q) => q.type === 10)!;
  assert.ok(Array.isArray((nic.value as { nics: unknown[] }).nics));
  assert.equal(Buffer.from(nic.base64!, 'base64').readUInt32BE(0), 3);
  assert.equal(doc.requests.find((q) => q.type === 1)!.value, hostname());
  assert.equal(doc.requests.find((q) => q.type === 1)!.base64, undefined);
  assert.ok(!existsSync(join(dir, 'vmt')), 'a dry run keeps no state');
});

test('off VMware: exit 3 with one line; a bad flag: exit 2 with the usage', () => {
  const dir = runDir();
  const off = run(VMT, ['report', '--all'], { XDG_RUNTIME_DIR: dir });
  assert.equal(off.status, 3, off.stderr);
  assert.match(off.stderr, /^vmt report: .+\n$/);
  assert.equal(off.stdout, '');
  assert.ok(!existsSync(join(dir, 'vmt/report.json')));
  const bad = run(VMT, ['report', '--bogus']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /Usage: vmt report/);
});
