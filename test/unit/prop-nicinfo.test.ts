// Properties of NicInfo v3: any NicInfoV3 within nicinfo.x's limits that the
// guest encodes (src/report/nicinfo.ts) decodes on the host
// (src/sim/host/nicinfo.ts) to the same value; whatever the network facts,
// buildNicInfo neither throws nor builds what the host refuses; hostile bytes
// to the host decoder give a reason, never an exception; address text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  buildNicInfo, encodeGuestNicProto, ipBytes, ipText, LIMITS, macText, ORIGINS, STATUSES,
  type DhcpConfigInfo, type DnsConfigInfo, type GuestNicV3, type InetCidrRouteEntry, type InterfaceFact, type IpAddressEntry, type NetFacts, type NicInfoV3, type Origin, type Status, type TypedIpAddress,
} from '../../src/report/nicinfo.js';
import { truncateUtf8 } from '../../src/report/xdr.js';
import * as host from '../../src/sim/host/nicinfo.js';
import { runs } from './prop.js';

const u32 = fc.nat({ max: 0xffffffff });
const v4 = fc.uint8Array({ minLength: 4, maxLength: 4 });
const v6 = fc.oneof(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.array(fc.constantFrom(0, 0, 0, 1, 0xff), { minLength: 16, maxLength: 16 }).map((a) => Uint8Array.from(a)));
const typedIp: fc.Arbitrary<TypedIpAddress> = fc.oneof(
  v4.map((b) => ({ ipAddressAddrType: 'IAT_IPV4', ipAddressAddr: ipText(b) }) as const),
  v6.map((b) => ({ ipAddressAddrType: 'IAT_IPV6', ipAddressAddr: ipText(b) }) as const),
);
const text = (max: number) => fc.string({ unit: 'binary', maxLength: max });
const dns: fc.Arbitrary<DnsConfigInfo> = fc.record({
  hostName: fc.option(text(300), { nil: null }),
  domainName: fc.option(text(40), { nil: null }),
  serverList: fc.array(typedIp, { maxLength: LIMITS.DNSINFO_MAX_SERVERS }),
  searchSuffixes: fc.array(text(30), { maxLength: LIMITS.DNSINFO_MAX_SUFFIXES }),
});
const dhcp: fc.Arbitrary<DhcpConfigInfo> = fc.record({ enabled: fc.boolean(), dhcpSettings: text(60) });
const ipEntry: fc.Arbitrary<IpAddressEntry> = fc.record({
  ipAddressAddr: typedIp,
  ipAddressPrefixLength: fc.oneof(fc.nat({ max: 128 }), u32),
  ipAddressOrigin: fc.option(fc.constantFrom(...(Object.keys(ORIGINS) as Origin[])), { nil: null }),
  ipAddressStatus: fc.option(fc.constantFrom(...(Object.keys(STATUSES) as Status[])), { nil: null }),
});
const nic: fc.Arbitrary<GuestNicV3> = fc.record({
  macAddress: fc.uint8Array({ minLength: 6, maxLength: 6 }).map((b) => macText([...b].map((x) => x.toString(16)).join(':'))),
  ips: fc.array(ipEntry, { maxLength: 6 }),
  dnsConfigInfo: fc.option(dns, { nil: null, freq: 3 }),
  winsConfigInfo: fc.constant(null),
  dhcpConfigInfov4: fc.option(dhcp, { nil: null, freq: 3 }),
  dhcpConfigInfov6: fc.option(dhcp, { nil: null, freq: 3 }),
});
const nicInfo: fc.Arbitrary<NicInfoV3> = fc.array(nic, { maxLength: 4 }).chain((nics) =>
  fc.record({
    nics: fc.constant(nics),
    routes: nics.length === 0 ? fc.constant([]) : fc.array(fc.record({
      inetCidrRouteDest: typedIp,
      inetCidrRoutePfxLen: fc.nat({ max: 128 }),
      inetCidrRouteNextHop: fc.option(typedIp, { nil: null }),
      inetCidrRouteIfIndex: fc.nat({ max: nics.length - 1 }),
      inetCidrRouteType: fc.constant(0),
      inetCidrRouteMetric: u32,
    }) as fc.Arbitrary<InetCidrRouteEntry>, { maxLength: 5 }),
    dnsConfigInfo: fc.option(dns, { nil: null }),
    winsConfigInfo: fc.constant(null),
    dhcpConfigInfov4: fc.option(dhcp, { nil: null, freq: 3 }),
    dhcpConfigInfov6: fc.option(dhcp, { nil: null, freq: 3 }),
  }),
);

// ---- the value the host should see: enums as numbers, strings as the guest truncates and UTF-8 carries them
const sent = (s: string, max: number) => new TextDecoder().decode(new TextEncoder().encode(truncateUtf8(s, max)));
const hTyped = (t: TypedIpAddress): host.TypedIpAddress => ({ ipAddressAddrType: t.ipAddressAddrType === 'IAT_IPV4' ? host.IAT.IPV4 : host.IAT.IPV6, ipAddressAddr: t.ipAddressAddr });
const hDns = (d: DnsConfigInfo | null): host.DnsConfigInfo | null =>
  d && {
    hostName: d.hostName === null ? null : sent(d.hostName, LIMITS.DNSINFO_MAX_ADDRLEN),
    domainName: d.domainName === null ? null : sent(d.domainName, LIMITS.DNSINFO_MAX_ADDRLEN),
    serverList: d.serverList.map(hTyped),
    searchSuffixes: d.searchSuffixes.map((s) => sent(s, LIMITS.DNSINFO_MAX_ADDRLEN)),
  };
const hDhcp = (d: DhcpConfigInfo | null): host.DhcpConfigInfo | null => d && { enabled: d.enabled, dhcpSettings: sent(d.dhcpSettings, host.DHCP_MAX_CONFIG_SIZE) };
const configs = (v: { dnsConfigInfo: DnsConfigInfo | null; dhcpConfigInfov4: DhcpConfigInfo | null; dhcpConfigInfov6: DhcpConfigInfo | null }) => ({
  dnsConfigInfo: hDns(v.dnsConfigInfo),
  winsConfigInfo: null,
  dhcpConfigInfov4: hDhcp(v.dhcpConfigInfov4),
  dhcpConfigInfov6: hDhcp(v.dhcpConfigInfov6),
});
function hostView(info: NicInfoV3): host.NicInfoV3 {
  return {
    nics: info.nics.map((n) => ({
      macAddress: n.macAddress,
      ips: n.ips.map((ip) => ({
        ipAddressAddr: hTyped(ip.ipAddressAddr),
        ipAddressPrefixLength: ip.ipAddressPrefixLength,
        ipAddressOrigin: ip.ipAddressOrigin === null ? null : ORIGINS[ip.ipAddressOrigin],
        ipAddressStatus: ip.ipAddressStatus === null ? null : STATUSES[ip.ipAddressStatus],
      })),
      ...configs(n),
    })),
    routes: info.routes.map((r) => ({ ...r, inetCidrRouteDest: hTyped(r.inetCidrRouteDest), inetCidrRouteNextHop: r.inetCidrRouteNextHop && hTyped(r.inetCidrRouteNextHop) })),
    ...configs(info),
  };
}

test('NicInfo v3: what the guest encodes within the limits, the host decodes to the same value', () => {
  fc.assert(
    fc.property(nicInfo, (info) => {
      assert.deepEqual(host.decodeGuestNicProto(encodeGuestNicProto(info)), { ok: true, nicInfo: hostView(info), trailing: 0 });
    }),
    runs(200),
  );
});

// ---- facts as a guest may find them: odd names, MACs, addresses, prefix lengths, route and resolver files
const addressText = fc.oneof(v4.map(ipText), v6.map(ipText), v4.map((b) => `::ffff:${[...b].join('.')}`), fc.string({ maxLength: 12 }), fc.constantFrom('127.0.0.1', '::1', 'fe80::1%eth0', '1.2.3.256', ''));
const iface: fc.Arbitrary<InterfaceFact> = fc.record({
  name: fc.oneof(fc.constantFrom('eth0', 'eth1', 'docker0', 'veth1', 'lo', 'ens192'), fc.string({ maxLength: 8 })),
  mac: fc.option(fc.oneof(fc.uint8Array({ minLength: 6, maxLength: 6 }).map((b) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(':')), fc.string({ maxLength: 20 })), { nil: null }),
  up: fc.boolean(),
  loopback: fc.boolean(),
  ethernet: fc.boolean(),
  addresses: fc.array(fc.record({ address: addressText, prefixLength: fc.oneof(fc.integer({ min: -5, max: 200 }), fc.double()) }), { maxLength: 5 }),
});
const hex = (n: number) => fc.array(fc.constantFrom(...'0123456789abcdefABCDEF'), { minLength: n, maxLength: n }).map((a) => a.join(''));
const routeV4Line = fc.tuple(fc.constantFrom('eth0', 'eth1', 'ens192', 'x'), hex(8), hex(8), hex(4), fc.nat(), hex(8)).map(([d, a, g, f, m, k]) => `${d}\t${a}\t${g}\t${f}\t0\t0\t${m}\t${k}\t0\t0\t0`);
const routeV6Line = fc.tuple(hex(32), hex(2), hex(32), hex(8), hex(8), fc.constantFrom('eth0', 'eth1', 'lo')).map(([d, p, g, m, f, dev]) => `${d} ${p} ${'0'.repeat(32)} 00 ${g} ${m} 00000000 00000000 ${f} ${dev}`);
const lines = (line: fc.Arbitrary<string>) => fc.array(fc.oneof({ weight: 5, arbitrary: line }, { weight: 1, arbitrary: fc.string({ maxLength: 30 }) }), { maxLength: 8 });
const ROUTE_HEAD = 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT';
const resolvLine = fc.oneof(
  fc.tuple(fc.constantFrom('nameserver', 'domain', 'search', 'options', '#'), fc.array(fc.oneof(addressText, fc.string({ maxLength: 70 })), { maxLength: 12 })).map(([k, v]) => [k, ...v].join(' ')),
  fc.string({ maxLength: 40 }),
);
const facts: fc.Arbitrary<NetFacts> = fc.record({
  hostname: fc.oneof(fc.string({ maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 300 })),
  interfaces: fc.array(iface, { maxLength: 20 }),
  routeV4: fc.option(lines(routeV4Line).map((l) => [ROUTE_HEAD, ...l].join('\n')), { nil: null }),
  routeV6: fc.option(lines(routeV6Line).map((l) => l.join('\n')), { nil: null }),
  resolvConf: fc.option(fc.array(resolvLine, { maxLength: 25 }).map((l) => l.join('\n')), { nil: null }),
  resolvedConf: fc.option(fc.array(resolvLine, { maxLength: 25 }).map((l) => l.join('\n')), { nil: null }),
});

test('NicInfo v3: whatever the facts, building never throws, stays within the limits, and the host decodes it', () => {
  fc.assert(
    fc.property(facts, (f) => {
      const { info } = buildNicInfo(f);
      assert.ok(info.nics.length <= LIMITS.NICINFO_MAX_NICS && info.routes.length <= LIMITS.NICINFO_MAX_ROUTES);
      const r = host.decodeGuestNicProto(encodeGuestNicProto(info));
      assert.ok(r.ok, r.ok ? '' : r.reason);
      assert.deepEqual(r.nicInfo, hostView(info));
    }),
    runs(300),
  );
});

test('NicInfo v3, host side: hostile bytes (random, or a valid encoding with a word overwritten or cut) give a reason, never an exception', () => {
  const mutated = fc.tuple(nicInfo.map(encodeGuestNicProto), fc.nat(), fc.nat({ max: 0xffffffff }), fc.nat()).map(([b, at, v, cut]) => {
    const out = Uint8Array.from(b);
    if (out.length >= 4) new DataView(out.buffer).setUint32((at % (out.length / 4)) * 4, v);
    return out.subarray(0, out.length - (cut % 3 === 0 ? cut % out.length : 0));
  });
  fc.assert(
    fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), mutated), (b) => {
      const r = host.decodeGuestNicProto(b);
      if (!r.ok) assert.equal(typeof r.reason, 'string');
    }),
    runs(1000),
  );
});

test('addresses: text -> bytes -> text is the RFC 5952 form the URL parser also gives; bytes -> text -> bytes is the identity', () => {
  fc.assert(
    fc.property(fc.oneof(fc.ipV6(), fc.ipV4()), (t) => {
      const b = ipBytes(t);
      assert.ok(b, t);
      const canonical = new URL(`http://${t.includes(':') ? `[${t}]` : t}/`).hostname.replace(/^\[|\]$/g, '');
      assert.equal(ipText(b), canonical);
    }),
    runs(500),
  );
  fc.assert(fc.property(fc.oneof(v4, v6), (b) => assert.deepEqual(ipBytes(ipText(b)), b)), runs(500));
  fc.assert(fc.property(v6, (b) => assert.equal(host.formatIpv6(b), ipText(b))), runs(300));
});
