// vmt report against open-vm-tools' own agent, under the same simulated host
// on the same machine: vmtoolsd (only under the sim; no TCLO command but the
// reset handshake) and `vmt report --all` each fill a host view (--host-view,
// the sim's own decoders), and the views must agree on what vCenter shows.
// vmt's NicInfo v3 bytes also decode with the independent XDR decoder
// (scripts/govmomi-nicinfo.sh) to this machine's interfaces as `ip -j addr`
// shows them.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { decodeNicInfoWithGovmomi, nicInfoV3Payloads } from './govmomi-nicinfo.js';
import { ROOT, SIM, sim, tmp, VMT } from './sim-helpers.js';

before(() => {
  execFileSync('bash', [join(ROOT, 'scripts/apt-install.sh'), 'open-vm-tools']);
});

interface View {
  hostName?: string;
  guestId?: string;
  guestFullName?: string;
  uptimeSeconds?: number;
  ipAddress?: string;
  net?: { macAddress: string; ipConfig: { ipAddress: { ipAddress: string; prefixLength: number }[] } }[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const complete = (v: View) => v.hostName !== undefined && v.guestFullName !== undefined && v.uptimeSeconds !== undefined && v.net !== undefined;

/** vmtoolsd's host view: it runs under the sim until its guestInfo plugin has reported everything, then is stopped (SIGTERM to the sim). */
async function vmtoolsdView(): Promise<View> {
  const dir = tmp('vmt-report-ref-');
  const conf = join(dir, 'tools.conf');
  writeFileSync(conf, '[guestinfo]\npoll-interval=1\nexclude-nics=\n\n[logging]\nlog=false\n');
  const file = join(dir, 'view.json');
  const child = spawn(SIM[0]!, [...SIM.slice(1), 'sim', '--timeout', '120', '--host-view', file, '--', 'vmtoolsd', '-c', conf], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  let view: View = {};
  let done = false;
  void exited.then(() => (done = true));
  for (let i = 0; i < 900 && !done && !complete(view); i++) {
    await sleep(100);
    if (existsSync(file)) view = JSON.parse(readFileSync(file, 'utf8')) as View;
  }
  if (!done) child.kill('SIGTERM');
  await exited;
  return JSON.parse(readFileSync(file, 'utf8')) as View;
}

const addrs = (v: View) => Object.fromEntries((v.net ?? []).map((n) => [n.macAddress.toLowerCase(), n.ipConfig.ipAddress.map((a) => `${a.ipAddress}/${a.prefixLength}`).sort()]));

test('vmt report --all and vmtoolsd, under the same sim: the host views agree on host name, OS, every NIC\'s MAC and addresses with prefixes', async () => {
  const ref = await vmtoolsdView();
  assert.ok(complete(ref), `vmtoolsd completed its view: ${JSON.stringify(ref)}`);
  const dir = tmp('vmt-report-');
  const file = join(dir, 'view.json');
  const ours = sim(['--host-view', file], ['env', `XDG_RUNTIME_DIR=${dir}`, ...VMT, 'report', '--all']);
  assert.equal(ours.status, 0, ours.stderr);
  const view = JSON.parse(readFileSync(file, 'utf8')) as View;
  assert.equal(view.hostName, ref.hostName, 'host name');
  assert.equal(view.guestId, ref.guestId, 'guestId (from the same short name)');
  assert.equal(view.guestFullName, ref.guestFullName, 'guestFullName');
  assert.equal(view.ipAddress, ref.ipAddress, 'the primary address vSphere shows');
  assert.deepEqual(addrs(view), addrs(ref), 'every NIC: MAC, addresses and prefix lengths');
  assert.ok(Math.abs(view.uptimeSeconds! - ref.uptimeSeconds!) < 300, `uptime ${view.uptimeSeconds} vs ${ref.uptimeSeconds}`);
});

test("vmt's NicInfo v3 bytes decode with the independent XDR decoder to this machine's interfaces (ip -j addr)", async () => {
  const dir = tmp('vmt-report-');
  const r = sim([], ['env', `XDG_RUNTIME_DIR=${dir}`, ...VMT, 'report', '--all']);
  assert.equal(r.status, 0, r.stderr);
  const [payload] = nicInfoV3Payloads(r.transcript);
  assert.ok(payload, 'vmt sent SetGuestInfo 10');
  const info = await decodeNicInfoWithGovmomi(payload);
  const links = (JSON.parse(execFileSync('ip', ['-j', 'addr'], { encoding: 'utf8' })) as { flags: string[]; address?: string; addr_info: { local: string; prefixlen: number }[] }[])
    .filter((l) => l.flags.includes('UP') && !l.flags.includes('LOOPBACK') && l.address && /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(l.address));
  const want = Object.fromEntries(links.map((l) => [l.address!.toLowerCase(), l.addr_info.map((a) => `${a.local}/${a.prefixlen}`).sort()]));
  const got = Object.fromEntries(info.nics.map((n) => [n.macAddress.toLowerCase(), n.ips.map((a) => `${a.address}/${a.prefixLength}`).sort()]));
  assert.deepEqual(got, want);
});
