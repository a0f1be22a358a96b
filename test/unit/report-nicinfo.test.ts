// NicInfo v3 from fixtures: vmtoolsd's limits and truncation, which interfaces
// count, routes and DNS, and the XDR bytes of a small case worked out by hand.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildNicInfo, encodeGuestNicProto, ipBytes, ipText, LIMITS, macText, parseResolvConf, parseRouteV4, parseRouteV6, type InterfaceFact, type NetFacts } from '../../src/report/nicinfo.js';
import { fits, items, snapshot } from '../../src/report/report.js';

const nicFact = (name: string, i: number, addresses: InterfaceFact['addresses'] = []): InterfaceFact => ({
  name,
  mac: `00:50:56:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`,
  up: true,
  loopback: false,
  ethernet: true,
  addresses,
});
const lo: InterfaceFact = { name: 'lo', mac: '00:00:00:00:00:00', up: true, loopback: true, ethernet: false, addresses: [{ address: '127.0.0.1', prefixLength: 8 }, { address: '::1', prefixLength: 128 }] };
const facts = (over: Partial<NetFacts> = {}): NetFacts => ({ hostname: 'guest', interfaces: [], routeV4: null, routeV6: null, resolvConf: null, resolvedConf: null, ...over });

const ROUTE_HEAD = 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n';

test('addresses: text to bytes and back (IPv6 compressed, embedded IPv4, scope ignored)', () => {
  assert.deepEqual([...ipBytes('192.0.2.7')!], [192, 0, 2, 7]);
  assert.equal(Buffer.from(ipBytes('2001:db8::7')!).toString('hex'), '20010db8000000000000000000000007');
  assert.equal(Buffer.from(ipBytes('::ffff:192.0.2.1')!).toString('hex'), '00000000000000000000ffffc0000201');
  assert.equal(Buffer.from(ipBytes('fe80::1%eth0')!).toString('hex'), 'fe800000000000000000000000000001');
  assert.equal(Buffer.from(ipBytes('::')!).toString('hex'), '0'.repeat(32));
  assert.equal(ipBytes('nonsense'), null);
  assert.equal(ipBytes('1.2.3.256'), null);
  for (const t of ['2001:db8::7', '::', '::1', 'fe80::fc:ff:fe00:1', '2001:db8:0:1:1:1:1:1', '1::', '2001:db8::1:0:0:1']) assert.equal(ipText(ipBytes(t)!), t);
  assert.equal(ipText(ipBytes('2001:0db8:0000:0000:0001:0000:0000:0001')!), '2001:db8::1:0:0:1', 'the first of two equal runs');
  assert.equal(macText('00:50:56:AB:CD:EF'), '00:50:56:ab:cd:ef');
  assert.equal(macText(null), '00:00:00:00:00:00');
});

test('one NIC, one IPv4 address, a default route, resolv.conf: the XDR byte for byte', () => {
  const f = facts({
    hostname: 'h',
    interfaces: [lo, nicFact('eth0', 1, [{ address: '192.0.2.5', prefixLength: 24 }])],
    routeV4: `${ROUTE_HEAD}eth0\t00000000\t010200C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n`,
    resolvConf: 'search ex\nnameserver 192.0.2.53\n',
  });
  const { info, dropped } = buildNicInfo(f);
  assert.deepEqual(dropped, { nics: 0, ips: 0, routes: 0, servers: 0, searchSuffixes: 0 });
  const expected = [
    '00000003', // GuestNicProto: ver = NIC_INFO_V3
    '00000001', // nicInfoV3 pointer: present
    '00000001', // nics<16>: 1
    '00000011', '30303a35303a35363a30303a30303a3031000000', // macAddress string<18>: 17 bytes "00:50:56:00:00:01", padded
    '00000001', // ips<2048>: 1
    '00000001', '00000004', 'c0000205', // TypedIpAddress: IAT_IPV4, opaque<255> of 4 bytes
    '00000018', // prefix length 24
    '00000000', // origin: absent
    '00000001', '00000001', // status: present, IAS_PREFERRED
    '00000000', '00000000', '00000000', '00000000', // nic dnsConfigInfo, winsConfigInfo, dhcpConfigInfov4, dhcpConfigInfov6: absent
    '00000001', // routes<100>: 1
    '00000001', '00000004', '00000000', // dest IAT_IPV4 0.0.0.0
    '00000000', // prefix 0
    '00000001', '00000001', '00000004', 'c0000201', // next hop present: IAT_IPV4 192.0.2.1
    '00000000', // ifIndex 0 (the first NIC)
    '00000000', // type: 0, as vmtoolsd leaves it
    '00000064', // metric 100
    '00000001', // dnsConfigInfo present
    '00000001', '00000001', '68000000', // hostName present: "h"
    '00000001', '00000002', '65780000', // domainName present: "ex"
    '00000001', '00000001', '00000004', 'c0000235', // serverList: 1, IAT_IPV4 192.0.2.53
    '00000001', '00000002', '65780000', // searchSuffixes: 1, "ex"
    '00000000', '00000000', '00000000', // winsConfigInfo, dhcpConfigInfov4, dhcpConfigInfov6: absent
  ].join('');
  assert.equal(Buffer.from(encodeGuestNicProto(info)).toString('hex'), expected);
});

test('40 NICs of 20 addresses each: the first 16 NICs, each with its 20 addresses, sent as SetGuestInfo 10', () => {
  const ifs = Array.from({ length: 40 }, (_, n) =>
    nicFact(`eth${n}`, n + 1, Array.from({ length: 20 }, (_, a) => (a % 2 ? { address: `2001:db8:${n}::${a}`, prefixLength: 64 } : { address: `10.${n}.${a}.1`, prefixLength: 16 }))),
  );
  const { info, dropped } = buildNicInfo(facts({ interfaces: [lo, ...ifs] }));
  assert.equal(info.nics.length, LIMITS.NICINFO_MAX_NICS);
  assert.equal(dropped.nics, 24);
  assert.deepEqual(info.nics.map((n) => n.macAddress), ifs.slice(0, 16).map((i) => i.mac));
  for (const n of info.nics) assert.equal(n.ips.length, 20);
  assert.equal(info.nics[3]!.ips[1]!.ipAddressAddr.ipAddressAddr, '2001:db8:3::1');
  assert.equal(info.nics[3]!.ips[1]!.ipAddressStatus, 'IAS_UNKNOWN', "vmtoolsd's default for IPv6");
  const snap = snapshot({ os: { sysname: 'Linux', release: '6.1.0', machine: 'x86_64', osRelease: null }, net: facts({ interfaces: ifs }), uptime: '1.00' });
  const nic = items(snap).find((it) => it.part === 'nicInfo')!;
  assert.equal(nic.type, 10);
  assert.ok(fits(10, nic.payload), `${nic.payload.length} bytes fit in one request`);
});

test('addresses past NICINFO_MAX_IPS are dropped; a report too large for 10 falls back to 9 with 64 addresses per NIC, and fits', () => {
  const many = Array.from({ length: 16 }, (_, n) => nicFact(`eth${n}`, n, Array.from({ length: 2100 }, (_, a) => ({ address: `2001:db8:${n}:${a.toString(16)}::1`, prefixLength: 64 }))));
  const routes6 = Array.from({ length: 150 }, (_, i) => `2001${i.toString(16).padStart(4, '0')}000000000000000000000000 40 00000000000000000000000000000000 00 fe800000000000000000000000000001 00000400 00000001 00000000 00000003     eth0`).join('\n');
  const resolv = `${Array.from({ length: 20 }, (_, i) => `nameserver 2001:db8::${i + 1}`).join('\n')}\nsearch ${Array.from({ length: 12 }, (_, i) => `${String(i).repeat(300)}.example`).join(' ')}\n`;
  const f = facts({ hostname: 'x'.repeat(300), interfaces: many, routeV6: routes6, resolvConf: resolv, resolvedConf: resolv });
  const { info, dropped } = buildNicInfo(f);
  assert.equal(info.nics.every((n) => n.ips.length === LIMITS.NICINFO_MAX_IPS), true);
  assert.equal(dropped.ips, 16 * 52);
  assert.equal(info.routes.length, 100, 'parse stops at NICINFO_MAX_ROUTES lines');
  assert.equal(info.dnsConfigInfo!.serverList.length, LIMITS.DNSINFO_MAX_SERVERS, "systemd-resolved's file: up to 16");
  assert.equal(dropped.servers, 4);
  assert.equal(info.dnsConfigInfo!.searchSuffixes.length, LIMITS.MAXDNSRCH);
  assert.ok(info.dnsConfigInfo!.searchSuffixes.every((s) => Buffer.byteLength(s) <= 255));
  assert.equal(info.dnsConfigInfo!.hostName, 'x'.repeat(255));
  const snap = snapshot({ os: { sysname: 'Linux', release: '6.1.0', machine: 'x86_64', osRelease: null }, net: f, uptime: '1' });
  const nic = items(snap).find((it) => it.part === 'nicInfo')!;
  assert.ok(!fits(10, nic.payload), 'too large for one request as 10');
  assert.equal(nic.fallback!.type, 9);
  assert.ok(fits(9, nic.fallback!.payload), `the fallback fits: ${nic.fallback!.payload.length} bytes`);
  assert.ok((nic.fallback!.value as typeof info).nics.every((n) => n.ips.length === 64));
});

test('a 300-character host name: 255 bytes in SetGuestInfo 1 and in the DNS config', () => {
  const name = `${'a'.repeat(250)}é${'b'.repeat(49)}`;
  const snap = snapshot({ os: { sysname: 'Linux', release: '6.1.0', machine: 'x86_64', osRelease: null }, net: facts({ hostname: name }), uptime: '1' });
  assert.equal(Buffer.byteLength(snap.hostname), 255);
  assert.equal(snap.hostname, name.slice(0, 254), 'é would straddle the limit: cut before it');
  assert.ok(Buffer.byteLength(snap.nicInfo.dnsConfigInfo!.hostName!) <= 255);
  assert.doesNotThrow(() => encodeGuestNicProto(snap.nicInfo));
});

test('a NIC with no address is reported with none; loopback, downed and excluded interfaces are not', () => {
  const ifs: InterfaceFact[] = [
    lo,
    nicFact('eth0', 1),
    { ...nicFact('eth1', 2, [{ address: '192.0.2.9', prefixLength: 24 }]), up: false },
    nicFact('docker0', 3, [{ address: '172.17.0.1', prefixLength: 16 }]),
    nicFact('veth12ab', 4),
    nicFact('ens192', 5, [{ address: '127.0.0.5', prefixLength: 8 }, { address: '198.51.100.4', prefixLength: 99 }]),
  ];
  const { info } = buildNicInfo(facts({ interfaces: ifs }));
  assert.deepEqual(info.nics.map((n) => [n.macAddress, n.ips.map((i) => `${i.ipAddressAddr.ipAddressAddr}/${i.ipAddressPrefixLength}`)]), [
    ['00:50:56:00:00:01', []],
    ['00:50:56:00:00:05', ['198.51.100.4/32']],
  ]);
  assert.equal(buildNicInfo(facts({ interfaces: ifs, excludes: [] })).info.nics.length, 4, 'with no exclude patterns docker0 and the veth count');
});

test('IPv6 only: addresses with prefixes and known origin/status; routes by MAC; within every limit', () => {
  const eth0: InterfaceFact = nicFact('eth0', 1, [
    { address: '2001:db8::5', prefixLength: 64, origin: 'IAO_MANUAL', status: 'IAS_PREFERRED' },
    { address: 'fe80::250:56ff:fe00:1', prefixLength: 64, origin: 'IAO_LINKLAYER', status: 'IAS_TENTATIVE' },
  ]);
  const routeV6 = [
    '00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000001 00000400 00000001 00000000 00000003     eth0',
    '20010db8000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0',
    '00000000000000000000000000000001 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000002 00000000 80200001       lo',
    '20010db8000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000000     eth0',
  ].join('\n');
  const { info } = buildNicInfo(facts({ interfaces: [lo, eth0], routeV4: ROUTE_HEAD, routeV6, resolvConf: 'nameserver 2001:db8::53\nnameserver 2001:db8::54\nnameserver 2001:db8::55\nnameserver 2001:db8::56\n' }));
  assert.deepEqual(info.nics[0]!.ips.map((i) => [i.ipAddressAddr.ipAddressAddrType, i.ipAddressAddr.ipAddressAddr, i.ipAddressPrefixLength, i.ipAddressOrigin, i.ipAddressStatus]), [
    ['IAT_IPV6', '2001:db8::5', 64, 'IAO_MANUAL', 'IAS_PREFERRED'],
    ['IAT_IPV6', 'fe80::250:56ff:fe00:1', 64, 'IAO_LINKLAYER', 'IAS_TENTATIVE'],
  ]);
  assert.deepEqual(info.routes.map((r) => [r.inetCidrRouteDest.ipAddressAddr, r.inetCidrRoutePfxLen, r.inetCidrRouteNextHop?.ipAddressAddr ?? null, r.inetCidrRouteIfIndex, r.inetCidrRouteMetric]), [
    ['::', 0, 'fe80::1', 0, 1024],
    ['2001:db8::', 64, null, 0, 256],
  ], 'the loopback route has no NIC; a route without RTF_UP is skipped');
  assert.deepEqual(info.dnsConfigInfo!.serverList.map((s) => s.ipAddressAddr), ['2001:db8::53', '2001:db8::54', '2001:db8::55'], "glibc's MAXNS");
});

test('routes: /proc/net/route in host byte order, RTF_GATEWAY for the next hop; a table that does not parse gives none', () => {
  const r = parseRouteV4(`${ROUTE_HEAD}eth0\t0002000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\neth0\t00000000\t0102000A\t0001\t0\t0\t5\t00000000\t0\t0\t0\n`);
  assert.deepEqual(r.map((x) => [ipText(x.dest), x.prefix, x.gateway && ipText(x.gateway), x.metric]), [
    ['10.0.2.0', 24, null, 0],
    ['0.0.0.0', 0, null, 5],
  ]);
  assert.deepEqual(parseRouteV4('garbage\n'), []);
  assert.deepEqual(parseRouteV4(`${ROUTE_HEAD}eth0 nonsense\n`), []);
  assert.deepEqual(parseRouteV6('nonsense'), []);
});

test('resolv.conf: the last domain/search line wins; the domain from the host name when neither', () => {
  assert.deepEqual(parseResolvConf('domain a.example\nsearch b.example c.example\nnameserver 192.0.2.1\n'), { domain: 'b.example', search: ['b.example', 'c.example'], servers: ['192.0.2.1'] });
  assert.deepEqual(parseResolvConf('search b.example\ndomain a.example\n'), { domain: 'a.example', search: ['a.example'], servers: [] });
  const { info } = buildNicInfo(facts({ hostname: 'vm.corp.example', resolvConf: 'nameserver 192.0.2.1\n' }));
  assert.equal(info.dnsConfigInfo!.domainName, 'corp.example');
  assert.deepEqual(info.dnsConfigInfo!.searchSuffixes, ['corp.example']);
});

test('never throws: nonsense facts give a NicInfo that encodes', () => {
  const junk: NetFacts = {
    hostname: '',
    interfaces: [
      { name: '', mac: 'zz', up: true, loopback: false, ethernet: true, addresses: [{ address: 'x', prefixLength: NaN }, { address: '1.2.3.4', prefixLength: -5 }, { address: '::2', prefixLength: 1e9 }] },
      { name: 'a*b', mac: null, up: true, loopback: false, ethernet: false, addresses: [] },
    ],
    routeV4: '\u0000\u0001',
    routeV6: `${'f'.repeat(32)} zz`,
    resolvConf: 'nameserver\nnameserver not-an-ip\nsearch\n',
    resolvedConf: null,
  };
  const { info } = buildNicInfo(junk);
  assert.deepEqual(info.nics.map((n) => [n.macAddress, n.ips.map((i) => `${i.ipAddressAddr.ipAddressAddr}/${i.ipAddressPrefixLength}`)]), [
    ['00:00:00:00:00:00', ['1.2.3.4/0', '::2/128']],
    ['00:00:00:00:00:00', []],
  ]);
  assert.ok(encodeGuestNicProto(info).length > 0);
});
