// The sim plays vCenter for open-vm-tools' own agent: vmtoolsd, unmodified,
// under `vmt sim` (and only there), with a tools.conf of this test's own so
// that its guestInfo plugin reports every second. It gets no TCLO command but
// the sim's reset handshake. The host view (--host-view) must then show this
// machine as `hostname`, /proc/uptime and `ip -j addr` do.
//
// Differences by design, from vmtoolsd's guestInfo plugin (open-vm-tools
// lib/nicInfo, services/plugins/guestInfo):
// - it reports only interfaces that are up and not loopback, each under its
//   MAC (an interface without a link-layer address is not one of them), at
//   most 16 (NICINFO_MAX_NICS);
// - exclude-nics is emptied in the test's tools.conf, so no name pattern
//   (docker*, veth*, virbr* by default) hides an interface;
// - the host name may be sent fully qualified: its first label is compared.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { entries, ROOT, SIM, sim, tmp } from './sim-helpers.js';

before(() => {
  execFileSync('bash', [join(ROOT, 'scripts/apt-install.sh'), 'open-vm-tools']);
});

interface AddrInfo {
  family: string;
  local: string;
  prefixlen: number;
}
interface Link {
  ifname: string;
  flags: string[];
  link_type: string;
  address?: string;
  addr_info: AddrInfo[];
}
interface ViewNic {
  macAddress: string;
  ipAddress: string[];
  ipConfig: { ipAddress: { ipAddress: string; prefixLength: number; origin?: string; state?: string }[] };
}
interface View {
  hostName?: string;
  guestFullName?: string;
  guestId?: string;
  guestDetailedData?: string;
  ipAddress?: string;
  uptimeSeconds?: number;
  net?: ViewNic[];
  ipStack?: { dnsConfig?: { ipAddress: string[] }; ipRouteConfig: { ipRoute: { network: string; prefixLength: number; gateway: { ipAddress?: string } }[] } }[];
}

const procUptime = () => Math.floor(Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What vmtoolsd reports, by design: up, not loopback, with a MAC; at most 16. */
function expectedNics(): Link[] {
  const links = JSON.parse(execFileSync('ip', ['-j', 'addr'], { encoding: 'utf8' })) as Link[];
  return links.filter((l) => l.flags.includes('UP') && !l.flags.includes('LOOPBACK') && l.address && /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(l.address)).slice(0, 16);
}

test('vmtoolsd under the sim: the host view has this machine\'s name, OS, uptime, and every NIC with its MAC and addresses', async () => {
  const dir = tmp('vmt-host-view-');
  const conf = join(dir, 'tools.conf');
  writeFileSync(conf, '[guestinfo]\npoll-interval=1\nexclude-nics=\n\n[logging]\nlog=false\n');
  const viewFile = join(dir, 'view.json');
  const transcriptFile = join(dir, 'transcript.jsonl');
  const uptimeBefore = procUptime();
  // Bounded twice: the sim's --timeout, and the wait below; the test stops it as soon as the view is complete.
  const child = spawn(SIM[0]!, [...SIM.slice(1), 'sim', '--timeout', '120', '--transcript', transcriptFile, '--host-view', viewFile, '--', 'vmtoolsd', '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let done = false;
  void exited.then(() => (done = true));

  // Until every part has been reported (the file is replaced atomically, so each read is whole JSON).
  const complete = (v: View) => v.hostName !== undefined && v.guestFullName !== undefined && v.uptimeSeconds !== undefined && v.net !== undefined;
  let view: View = {};
  for (let i = 0; i < 900 && !done && !complete(view); i++) {
    await sleep(100);
    if (existsSync(viewFile)) view = JSON.parse(readFileSync(viewFile, 'utf8')) as View;
  }
  if (!done) child.kill('SIGTERM'); // the sim's own child: it passes the signal on to vmtoolsd
  await exited;
  const uptimeAfter = procUptime();
  view = JSON.parse(readFileSync(viewFile, 'utf8')) as View; // the final write
  assert.ok(complete(view), `the view was completed: ${JSON.stringify(view)}\n${stderr}`);

  // the machine's name, its OS, its uptime
  assert.equal(view.hostName!.split('.')[0], hostname().split('.')[0]);
  assert.ok(view.guestFullName!.length > 0, 'an OS name');
  if (view.guestDetailedData !== undefined) assert.match(view.guestDetailedData, /familyName='Linux'/);
  assert.match(view.guestId ?? '', /^[a-z][A-Za-z0-9_]*Guest(64)?$/, 'a vSphere guestId for the short name vmtoolsd chose');
  assert.ok(view.uptimeSeconds! >= uptimeBefore && view.uptimeSeconds! <= uptimeAfter, `uptime ${view.uptimeSeconds} s is /proc/uptime's (${uptimeBefore}..${uptimeAfter})`);

  // every NIC, its MAC and its addresses with their prefixes, as `ip -j addr` shows them
  const nics = expectedNics();
  assert.ok(nics.length > 0, 'this machine has a NIC that is up');
  assert.equal(view.net!.length, nics.length, `NICs: ${view.net!.map((n) => n.macAddress)} vs ${nics.map((n) => `${n.ifname} ${n.address}`)}`);
  for (const link of nics) {
    const nic = view.net!.find((n) => n.macAddress.toLowerCase() === link.address!.toLowerCase());
    assert.ok(nic, `${link.ifname} (${link.address}) is in the view`);
    const want = link.addr_info.map((a) => `${a.local}/${a.prefixlen}`).sort();
    const got = nic.ipConfig.ipAddress.map((a) => `${a.ipAddress}/${a.prefixLength}`).sort();
    assert.deepEqual(got, want, `${link.ifname}: addresses and prefix lengths`);
    assert.deepEqual([...nic.ipAddress].sort(), link.addr_info.map((a) => a.local).sort());
  }
  const v4 = nics.flatMap((l) => l.addr_info.filter((a) => a.family === 'inet').map((a) => a.local));
  if (v4.length > 0) assert.ok(v4.includes(view.ipAddress!), `ipAddress ${view.ipAddress} is one of this machine's IPv4 addresses`);

  // the IPv4 default route's gateway, as `ip -j route` shows it
  const defaults = JSON.parse(execFileSync('ip', ['-j', '-4', 'route', 'show', 'default'], { encoding: 'utf8' })) as { gateway?: string }[];
  const routes = view.ipStack?.[0]?.ipRouteConfig.ipRoute ?? [];
  for (const d of defaults.filter((r) => r.gateway)) {
    assert.ok(routes.some((r) => r.network === '0.0.0.0' && r.prefixLength === 0 && r.gateway.ipAddress === d.gateway), `default route via ${d.gateway}`);
  }

  // the transcript: a guestinfo entry per SetGuestInfo, decoded; only keys the sim leaves alone have an error
  const transcript = readFileSync(transcriptFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  const reports = transcript.filter((e) => e.t === 'guestinfo');
  const requests = transcript.filter((e) => e.t === 'rpci' && String(e.request).startsWith('SetGuestInfo '));
  assert.equal(reports.length, requests.length, 'one guestinfo entry per SetGuestInfo');
  for (const r of reports) if (r.error !== undefined) assert.match(String(r.error), /the sim does not decode it/, JSON.stringify(r));
  const keys = new Set(reports.map((r) => r.key));
  for (const k of [1, 7, 10]) assert.ok(keys.has(k), `vmtoolsd sent SetGuestInfo ${k}: ${[...keys]}`);
  assert.ok(keys.has(11) || (keys.has(5) && keys.has(6)), 'the OS: detailed data, or the short and full names');
  // nothing but the handshake went over TCLO
  assert.deepEqual(transcript.filter((e) => e.t === 'tclo').map((e) => e.command).filter((c) => c !== 'reset'), []);
});

test('vmware-rpctool SetGuestInfo under the sim: a good report reaches the view, a bad one is a transcript reason and leaves it as it was', () => {
  const dir = tmp('vmt-host-view-');
  const viewFile = join(dir, 'view.json');
  const r = sim(['--host-view', viewFile], ['sh', '-c', 'vmware-rpctool "SetGuestInfo  1 myname" && vmware-rpctool "SetGuestInfo  7 soon" && vmware-rpctool "SetGuestInfo  7 4200"']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(readFileSync(viewFile, 'utf8')), { hostName: 'myname', uptimeSeconds: 42 });
  assert.deepEqual(entries(r, 'guestinfo'), [
    { t: 'guestinfo', key: 1, name: 'INFO_DNS_NAME', value: 'myname' },
    { t: 'guestinfo', key: 7, name: 'INFO_UPTIME', error: "uptime 'soon' is not a count of hundredths of a second" },
    { t: 'guestinfo', key: 7, name: 'INFO_UPTIME', value: 4200 },
  ]);
});

test('--host-view FILE that cannot be written: exit 2 before the program starts', () => {
  const dir = tmp('vmt-host-view-');
  const marker = join(dir, 'ran');
  const r = sim(['--host-view', join(dir, 'no/such/dir/view.json')], ['touch', marker]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^vmt sim: --host-view .*no\/such\/dir\/view.json: cannot write it: ENOENT: no such file or directory\n/);
  assert.match(r.stderr, /^Usage: vmt sim /m);
  assert.equal(existsSync(marker), false, 'the program did not run');
});
