// NicInfo v3 checked with a decoder nobody here wrote the XDR of
// (test/sim/govmomi-nicinfo.ts): first that it reads what open-vm-tools'
// vmtoolsd sends under `vmt sim` exactly as `ip -j addr` shows this
// machine's interfaces, so that it can then judge vmt's own bytes.
//
// Safety: vmtoolsd runs only under the sim and gets no TCLO command but the
// sim's reset handshake; it reports NicInfo by itself, every second with the
// tools.conf written here (guestinfo.poll-interval=1), and is stopped with
// SIGTERM (through the sim, which passes it on) once it has.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeNicInfoWithGovmomi, govmomiNicInfoDecoder, nicInfoV3Payloads, type NicInfoV3 } from './govmomi-nicinfo.js';
import { ROOT, SIM, tmp } from './sim-helpers.js';

before(() => {
  execFileSync('bash', [join(ROOT, 'scripts/apt-install.sh'), 'open-vm-tools']);
  govmomiNicInfoDecoder();
});

/** XDR: each number a 4-byte big-endian word; strings/opaque as length + bytes + padding. */
function xdr(...items: (number | string | Uint8Array)[]): Buffer {
  const parts: Buffer[] = [];
  for (const it of items) {
    if (typeof it === 'number') {
      const w = Buffer.alloc(4);
      w.writeUInt32BE(it >>> 0);
      parts.push(w);
    } else {
      const b = Buffer.from(it);
      parts.push(xdr(b.length), b, Buffer.alloc((4 - (b.length % 4)) % 4));
    }
  }
  return Buffer.concat(parts);
}

/** An empty NicInfoV3 with n NICs of only a MAC: version 3, the pointer present, nics, no routes, four absent optionals. */
const nics = (n: number) => xdr(3, 1, n, ...Array.from({ length: n }, () => [`00:50:56:00:00:${String(n).padStart(2, '0')}`, 0, 0, 0, 0, 0]).flat(), 0, 0, 0, 0, 0);

test('the decoder: a NIC with an IPv4 and an IPv6 address, a route and DNS; refuses other versions, trailing or missing bytes and more than nicinfo.x allows', async () => {
  const v4 = [1, Uint8Array.of(192, 0, 2, 10)] as const;
  const v6 = [2, Uint8Array.of(0xfd, 0, ...Array(13).fill(0), 0x10)] as const;
  const bytes = xdr(
    3, 1, // NIC_INFO_V3, nicInfoV3 present
    1, '00:50:56:aa:bb:cc', // one NIC
    2, ...v4, 24, 1, 2, 1, 1, ...v6, 64, 0, 1, 2, // ips: origin manual/status preferred; no origin/status deprecated
    0, 0, 1, 1, 'ip=dhcp', 0, // no dns, no wins, dhcpv4 enabled, no dhcpv6
    1, 1, Uint8Array.of(0, 0, 0, 0), 0, 1, 1, Uint8Array.of(192, 0, 2, 1), 0, 4, 100, // a default route
    1, 1, 'vm1', 1, 'example.com', 1, ...v4, 2, 'example.com', 'example.org', // dns
    0, 0, 0, // no wins, dhcpv4, dhcpv6
  );
  const d = await decodeNicInfoWithGovmomi(bytes);
  assert.deepEqual(d.nics, [{
    macAddress: '00:50:56:aa:bb:cc',
    ips: [
      { type: 'ipv4', address: '192.0.2.10', prefixLength: 24, origin: 'manual', status: 'preferred' },
      { type: 'ipv6', address: 'fd00::10', prefixLength: 64, origin: null, status: 'deprecated' },
    ],
    dns: null, wins: null, dhcpv4: { enabled: true, settings: 'ip=dhcp' }, dhcpv6: null,
  }]);
  assert.deepEqual(d.routes, [{ dest: { type: 'ipv4', address: '0.0.0.0' }, prefixLength: 0, nextHop: { type: 'ipv4', address: '192.0.2.1' }, ifIndex: 0, type: 'remote', metric: 100 }]);
  assert.deepEqual(d.dns, { hostName: 'vm1', domainName: 'example.com', servers: [{ type: 'ipv4', address: '192.0.2.10' }], searchSuffixes: ['example.com', 'example.org'] });
  // the whole request works as well
  assert.deepEqual(await decodeNicInfoWithGovmomi(Buffer.concat([Buffer.from('SetGuestInfo  10 '), bytes])), d);

  assert.equal((await decodeNicInfoWithGovmomi(nics(16))).nics.length, 16);
  const refused: [string, Buffer, RegExp][] = [
    ['version 2', Buffer.concat([xdr(2), nics(0).subarray(4)]), /version 2, not NIC_INFO_V3/],
    ['a trailing word', Buffer.concat([bytes, xdr(0)]), /4 bytes left/],
    ['one byte short', bytes.subarray(0, -1), /EOF/],
    ['17 NICs', nics(17), /nics: 17, more than nicinfo\.x allows \(16\)/],
    ['an optional with 2 elements', xdr(3, 2, ...Array(12).fill(0)), /nicInfoV3 \(optional, so 0 or 1\): 2/],
    ['a count larger than the input', xdr(3, 1, 0x7fffffff), /nicinfo-decode: not NicInfo v3:/],
  ];
  for (const [what, b, re] of refused) await assert.rejects(decodeNicInfoWithGovmomi(b), re, what);
});

/** vmtoolsd under the sim until it has sent NicInfo v3 (or exited); the transcript. */
async function vmtoolsdNicInfo(): Promise<{ transcript: Record<string, unknown>[]; stderr: string }> {
  const d = tmp('vmt-nicinfo-govmomi-');
  const conf = join(d, 'tools.conf');
  writeFileSync(conf, '[guestinfo]\npoll-interval=1\n\n[logging]\nlog=false\n');
  const file = join(d, 'transcript.jsonl');
  // --timeout only bounds a hang: the run ends as soon as NicInfo is in the transcript
  const child = spawn(SIM[0]!, [...SIM.slice(1), 'sim', '--transcript', file, '--timeout', '120', '--', 'vmtoolsd', '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  let exited = false;
  const done = new Promise<void>((resolve) => child.on('close', () => ((exited = true), resolve())));
  const read = () => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(0, -1).map((l) => JSON.parse(l) as Record<string, unknown>) : []);
  while (!exited && nicInfoV3Payloads(read()).length === 0) await Promise.race([done, sleep(200)]);
  if (!exited) child.kill('SIGTERM');
  await done;
  return { transcript: read(), stderr };
}

interface IpAddr {
  ifname: string;
  link_type: string;
  address?: string;
  flags: string[];
  addr_info: { family: string; local: string; prefixlen: number }[];
}

/** vmtoolsd's default exclude-nics on Linux (guestInfoServer.c, GUESTINFO_DEFAULT_IFACE_EXCLUDES). */
const EXCLUDED = /^(docker|veth|virbr|antrea-|cali)/;

const ipJson = <T>(...args: string[]) => JSON.parse(execFileSync('ip', ['-j', ...args], { encoding: 'utf8' })) as T;

test("vmtoolsd's NicInfo v3 under the sim, decoded: every NIC's MAC and addresses with prefix lengths as `ip -j addr` has them, the default gateways, the DNS servers", async () => {
  const { transcript, stderr } = await vmtoolsdNicInfo();
  const payloads = nicInfoV3Payloads(transcript);
  assert.ok(payloads.length > 0, `vmtoolsd sent SetGuestInfo 10: ${stderr}`);
  const d: NicInfoV3 = await decodeNicInfoWithGovmomi(payloads[0]!);
  assert.equal(d.version, 3);

  const family = (f: string) => (f === 'inet' ? 'ipv4' : f === 'inet6' ? 'ipv6' : f);
  const expected = ipJson<IpAddr[]>('addr')
    .filter((i) => i.link_type === 'ether' && !i.flags.includes('LOOPBACK') && i.addr_info.length > 0 && !EXCLUDED.test(i.ifname))
    .map((i) => ({ macAddress: i.address!, ips: i.addr_info.map((a) => `${family(a.family)} ${a.local}/${a.prefixlen}`).sort() }))
    .sort((a, b) => a.macAddress.localeCompare(b.macAddress));
  const got = d.nics
    .map((n) => ({ macAddress: n.macAddress, ips: n.ips.map((ip) => `${ip.type} ${ip.address}/${ip.prefixLength}`).sort() }))
    .sort((a, b) => a.macAddress.localeCompare(b.macAddress));
  assert.ok(expected.length > 0, 'this machine has a NIC with an address');
  assert.deepEqual(got, expected);

  const gateways = [...ipJson<{ gateway?: string }[]>('route', 'show', 'default'), ...ipJson<{ gateway?: string }[]>('-6', 'route', 'show', 'default')]
    .flatMap((r) => (r.gateway ? [r.gateway] : []))
    .sort();
  const defaults = d.routes.filter((r) => r.prefixLength === 0 && r.nextHop).map((r) => r.nextHop!.address).sort();
  assert.deepEqual(defaults, gateways, 'the default routes and their gateways');

  const servers = readFileSync('/etc/resolv.conf', 'utf8').split('\n').flatMap((l) => /^\s*nameserver\s+(\S+)/.exec(l)?.[1] ?? []).slice(0, 3);
  assert.ok(d.dns, 'DNS configuration');
  assert.deepEqual(d.dns.servers.map((s) => s.address), servers, 'the DNS servers, as resolv.conf lists them (at most MAXNS, 3)');
  assert.equal(d.dns.hostName, hostname());
});
