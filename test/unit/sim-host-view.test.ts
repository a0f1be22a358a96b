// The host view (src/sim/host): the XDR reader, the NicInfo v3 decoder, the
// OS detailed data, SetGuestInfo's keys and the vSphere-shaped view, from
// bytes made by hand here (never by vmt's guest-side encoder), and hostile
// bytes: a bad report is a reason, never an exception.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rpci, rpciChannel, rpciRequest } from '../../src/guestrpc/index.js';
import { InProcessBackdoor } from '../../src/sim/inprocess.js';
import { DETAILED_HEADER_SIZE, decodeDetailedData, parseFields } from '../../src/sim/host/detailed-data.js';
import { vimGuestId } from '../../src/sim/host/guest-ids.js';
import { HostView, type GuestInfo } from '../../src/sim/host/host-view.js';
import { defaultConfig, GuestInfoStore, SimHost, type TranscriptEntry } from '../../src/sim/host/index.js';
import { decodeGuestNicProto, formatIpv6 } from '../../src/sim/host/nicinfo.js';
import { decodeSetGuestInfo } from '../../src/sim/host/setguestinfo.js';
import { XdrError, XdrReader } from '../../src/sim/host/xdr.js';

// --- XDR by hand: big-endian words, opaque padded to 4 ---
const u32 = (...ns: number[]) => Buffer.concat(ns.map((n) => { const b = Buffer.alloc(4); b.writeUInt32BE(n >>> 0); return b; }));
const opaque = (bytes: Uint8Array | string) => {
  const b = typeof bytes === 'string' ? Buffer.from(bytes) : Buffer.from(bytes);
  return Buffer.concat([u32(b.length), b, Buffer.alloc((4 - (b.length % 4)) % 4)]);
};
const cat = (...parts: Uint8Array[]) => Buffer.concat(parts);
const NONE = u32(0);
const some = (...parts: Uint8Array[]) => cat(u32(1), ...parts);
const v4 = (s: string) => cat(u32(1), opaque(Uint8Array.from(s.split('.').map(Number))));
const v6 = (hex: string) => cat(u32(2), opaque(Buffer.from(hex, 'hex')));

/** IpAddressEntry: address, prefix, *origin, *status */
const ip = (addr: Uint8Array, prefix: number, origin?: number, status?: number) =>
  cat(addr, u32(prefix), origin === undefined ? NONE : some(u32(origin)), status === undefined ? NONE : some(u32(status)));
/** GuestNicV3 with no dns/wins/dhcp unless given */
const nic = (mac: string, ips: Uint8Array[], tail: Uint8Array = cat(NONE, NONE, NONE, NONE)) => cat(opaque(mac), u32(ips.length), ...ips, tail);
/** InetCidrRouteEntry */
const route = (dest: Uint8Array, prefix: number, hop: Uint8Array | null, ifIndex: number) => cat(dest, u32(prefix), hop ? some(hop) : NONE, u32(ifIndex), u32(4), u32(0xffffffff));
/** GuestNicProto, NIC_INFO_V3, with the NicInfoV3 pointer present */
const proto = (nics: Uint8Array[], routes: Uint8Array[], tail: Uint8Array = cat(NONE, NONE, NONE, NONE)) => cat(u32(3), u32(1), u32(nics.length), ...nics, u32(routes.length), ...routes, tail);
const dns = (host: string, domain: string, servers: Uint8Array[], suffixes: string[]) => cat(some(opaque(host)), some(opaque(domain)), u32(servers.length), ...servers, u32(suffixes.length), ...suffixes.map(opaque));

const FE80_1 = 'fe800000000000000000000000000001';
const DB8_5 = '20010db8000000000000000000000005';

/** one NIC: 192.0.2.10/24 by DHCP, 2001:db8::5/64 manual, fe80::1/64 link layer; two routes; DNS for the stack; DHCPv4 on */
const SAMPLE = proto(
  [nic('00:50:56:aa:bb:cc', [ip(v4('192.0.2.10'), 24, 4, 1), ip(v6(DB8_5), 64, 2, 1), ip(v6(FE80_1), 64, 5, 6)], cat(NONE, NONE, some(u32(1), opaque('')), NONE))],
  [route(v4('0.0.0.0'), 0, v4('192.0.2.1'), 0), route(v6('00'.repeat(16)), 0, v6(FE80_1), 0)],
  cat(some(dns('vm1', 'example.com', [v4('192.0.2.53')], ['example.com', 'lab.example.com'])), NONE, NONE, NONE),
);
const setGuestInfo = (key: number, value: Uint8Array | string) => cat(Buffer.from(` ${key} `), typeof value === 'string' ? Buffer.from(`${value}\0`) : value);

test('XdrReader: words, bools, padded opaque, and every limit checked before reading', () => {
  const r = new XdrReader(cat(u32(7, 1), opaque('abcde'), u32(2)));
  assert.equal(r.uint32('a'), 7);
  assert.equal(r.bool('b'), true);
  assert.equal(r.string(8, 's'), 'abcde');
  assert.equal(r.offset, 20, 'the 5 bytes took 8 with their padding');
  assert.throws(() => r.bool('flag'), (e: Error) => e instanceof XdrError && e.message === 'flag: bool is 2, not 0 or 1 at byte 20');
  assert.throws(() => new XdrReader(opaque('abcde')).opaque(4, 'mac'), /mac: length 5 over its limit 4 at byte 0/);
  assert.throws(() => new XdrReader(u32(3, 1, 2)).array(2, 'nics', (x, w) => x.uint32(w)), /nics: count 3 over its limit 2/);
  assert.throws(() => new XdrReader(u32(1000)).array(2048, 'ips', (x, w) => x.uint32(w)), /ips: count 1000 cannot fit in the 0 bytes left/);
  assert.throws(() => new XdrReader(u32(100)).opaque(255, 'addr'), /addr: needs 100 bytes, 0 left/);
  assert.throws(() => new XdrReader(Uint8Array.of(0, 0)).uint32('x'), /x: needs 4 bytes, 2 left at byte 0/);
});

test('IPv6 text as RFC 5952 writes it', () => {
  const cases: [string, string][] = [
    ['00000000000000000000000000000000', '::'],
    ['00000000000000000000000000000001', '::1'],
    [FE80_1, 'fe80::1'],
    ['20010db8000000000001000000000001', '2001:db8::1:0:0:1'],
    ['00010000000000020000000000000003', '1:0:0:2::3'],
    ['00010000000200030004000500060007', '1:0:2:3:4:5:6:7'],
    ['fd000000000000000000000000000000', 'fd00::'],
  ];
  for (const [hex, text] of cases) assert.equal(formatIpv6(Buffer.from(hex, 'hex')), text, hex);
});

test('NicInfo v3 from hand-made XDR: NICs, addresses with prefix, origin and status, routes, DNS, DHCP', () => {
  const r = decodeGuestNicProto(SAMPLE);
  assert.ok(r.ok, !r.ok ? r.reason : '');
  assert.equal(r.trailing, 0);
  const [n] = r.nicInfo.nics;
  assert.equal(n!.macAddress, '00:50:56:aa:bb:cc');
  assert.deepEqual(n!.ips.map((i) => [i.ipAddressAddr.ipAddressAddr, i.ipAddressPrefixLength, i.ipAddressOrigin, i.ipAddressStatus]), [
    ['192.0.2.10', 24, 4, 1],
    ['2001:db8::5', 64, 2, 1],
    ['fe80::1', 64, 5, 6],
  ]);
  assert.deepEqual(n!.dhcpConfigInfov4, { enabled: true, dhcpSettings: '' });
  assert.equal(n!.dnsConfigInfo, null);
  assert.deepEqual(r.nicInfo.routes.map((x) => [x.inetCidrRouteDest.ipAddressAddr, x.inetCidrRoutePfxLen, x.inetCidrRouteNextHop?.ipAddressAddr, x.inetCidrRouteIfIndex]), [
    ['0.0.0.0', 0, '192.0.2.1', 0],
    ['::', 0, 'fe80::1', 0],
  ]);
  assert.deepEqual(r.nicInfo.dnsConfigInfo, {
    hostName: 'vm1',
    domainName: 'example.com',
    serverList: [{ ipAddressAddrType: 1, ipAddressAddr: '192.0.2.53' }],
    searchSuffixes: ['example.com', 'lab.example.com'],
  });
  const empty = decodeGuestNicProto(proto([], []));
  assert.ok(empty.ok && empty.nicInfo.nics.length === 0);
  const zoned = decodeGuestNicProto(proto([nic('m', [ip(cat(u32(4), opaque(Buffer.from(`${FE80_1}00000002`, 'hex'))), 64)])], []));
  assert.ok(zoned.ok);
  assert.equal(zoned.nicInfo.nics[0]!.ips[0]!.ipAddressAddr.ipAddressAddr, 'fe80::1%2', 'IAT_IPV6Z: the zone index after %');
});

test('NicInfo: hostile bytes are a reason naming the field, never an exception', () => {
  const bad = (bytes: Uint8Array, reason: RegExp) => {
    const r = decodeGuestNicProto(bytes);
    assert.equal(r.ok, false, `accepted: ${reason}`);
    if (!r.ok) assert.match(r.reason, reason);
  };
  // every truncation of a good message
  for (let n = 0; n < SAMPLE.length; n++) assert.equal(decodeGuestNicProto(SAMPLE.subarray(0, n)).ok, false, `${n} of ${SAMPLE.length} bytes accepted`);
  bad(u32(2, 1, 0), /NIC_INFO_V2 .*NIC_INFO_V3 only/);
  bad(u32(7), /ver: 7 is not a NicInfoVersion/);
  bad(u32(3, 0), /nicInfoV3: absent/);
  bad(u32(3, 1, 17), /nicInfoV3.nics: count 17 over its limit 16/);
  bad(u32(3, 1, 1, 0xffffffff), /nicInfoV3.nics\[0\].macAddress: length 4294967295 over its limit 18/);
  bad(cat(u32(3, 1, 1), opaque('m'), u32(2049)), /nics\[0\].ips: count 2049 over its limit 2048/);
  bad(cat(u32(3, 1, 1), opaque('m'), u32(2048)), /nics\[0\].ips: count 2048 cannot fit/);
  bad(proto([nic('m', [cat(u32(1), opaque(Uint8Array.of(1, 2, 3, 4, 5)), u32(8), NONE, NONE)])], []), /ips\[0\].ipAddressAddr.ipAddressAddr: 5 bytes for a type 1 address \(4 expected\)/);
  bad(proto([nic('m', [cat(u32(9), opaque(Uint8Array.of(1, 2, 3, 4)), u32(8), NONE, NONE)])], []), /type 9 is not an InetAddressType/);
  bad(proto([nic('m', [cat(v4('1.2.3.4'), u32(8), u32(2))])], []), /ipAddressOrigin \(present\?\): bool is 2/);
  bad(proto([nic('m', [])], [route(v4('0.0.0.0'), 0, null, 1)]), /routes\[0\].inetCidrRouteIfIndex: 1 names no NIC \(1 sent\)/);
  bad(cat(u32(3, 1, 0, 101)), /routes: count 101 over its limit 100/);
  bad(proto([], [], cat(some(some(opaque('x'.repeat(256)))), NONE, NONE, NONE)), /dnsConfigInfo.hostName: length 256 over its limit 255/);
  // random bytes, and a good message with random corruption: no exception, whatever comes
  let seed = 11;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) & 0xff;
  for (let i = 0; i < 2000; i++) {
    const junk = Uint8Array.from({ length: rand() * 2 }, rand);
    assert.doesNotThrow(() => decodeGuestNicProto(junk));
    const hurt = Uint8Array.from(SAMPLE);
    hurt[rand() % hurt.length] = rand();
    if (i % 2) hurt[rand() % hurt.length] = 0xff;
    assert.doesNotThrow(() => decodeGuestNicProto(hurt));
  }
});

/** HostinfoDetailedDataHeader + the string, as an x86 guest lays it out */
function detailed(short: string, full: string, data: string, version = 1): Buffer {
  const b = Buffer.alloc(DETAILED_HEADER_SIZE + Buffer.byteLength(data) + 1);
  b.writeUInt32LE(version, 0);
  b.write(short, 4);
  b.write(full, 4 + 129);
  b.write(data, DETAILED_HEADER_SIZE);
  return b;
}

test("OS detailed data: the 648-byte header, then name='value' fields with \\ escapes; bad headers are reasons", () => {
  assert.equal(DETAILED_HEADER_SIZE, 648);
  const r = decodeDetailedData(detailed('debian12-64', 'Debian GNU/Linux 12 (bookworm)', "architecture='X86' bitness='64' prettyName='It\\'s \\\\ 12'"));
  assert.ok(r.ok, !r.ok ? r.reason : '');
  assert.equal(r.data.shortName, 'debian12-64');
  assert.equal(r.data.fullName, 'Debian GNU/Linux 12 (bookworm)');
  assert.deepEqual(r.data.fields, { architecture: 'X86', bitness: '64', prettyName: "It's \\ 12" });
  assert.match((decodeDetailedData(Buffer.alloc(100)) as { reason: string }).reason, /100 bytes: shorter than the 648-byte HostinfoDetailedDataHeader/);
  assert.match((decodeDetailedData(detailed('a', 'b', '', 2)) as { reason: string }).reason, /header version 2/);
  const noNul = detailed('x', 'y', '');
  noNul.fill(0x41, 4, 4 + 129);
  assert.match((decodeDetailedData(noNul) as { reason: string }).reason, /shortName: no NUL within its 129 bytes/);
  assert.match((decodeDetailedData(detailed('a', 'b', "bitness='64")) as { reason: string }).reason, /bitness has no closing quote/);
  assert.equal(parseFields("x y"), 'no name=\'value\' at character 0');
  assert.equal(vimGuestId('DEBIAN12-64'), 'debian12_64Guest');
  assert.equal(vimGuestId('other-64'), 'otherGuest64');
  assert.equal(vimGuestId('no-such-os'), undefined);
});

test('SetGuestInfo keys: text values up to their NUL, uptime digits only, disks, unknown and missing keys', () => {
  assert.deepEqual(decodeSetGuestInfo(Buffer.from(' 1 myhost\0')), { ok: true, key: 1, value: 'myhost' });
  assert.deepEqual(decodeSetGuestInfo(Buffer.from('1 a b c')), { ok: true, key: 1, value: 'a b c' }, 'one leading space or none');
  assert.deepEqual(decodeSetGuestInfo(Buffer.from(' 7 12345\0')), { ok: true, key: 7, value: 12345 });
  assert.deepEqual(decodeSetGuestInfo(Buffer.from(' 7 12x\0')), { ok: false, key: 7, reason: "uptime '12x' is not a count of hundredths of a second" });
  assert.deepEqual(decodeSetGuestInfo(Buffer.from(' 8 \x01\x02')), { ok: false, key: 8, reason: 'INFO_MEMORY: the sim does not decode it' });
  assert.deepEqual(decodeSetGuestInfo(Buffer.from(' 99 x')), { ok: false, key: 99, reason: '99 is not a GuestInfoType' });
  assert.deepEqual(decodeSetGuestInfo(Buffer.from(' x')), { ok: false, key: null, reason: 'no "<key> <value>" after SetGuestInfo' });
  assert.deepEqual(decodeSetGuestInfo(Buffer.from(' 12345678901234 x')), { ok: false, key: null, reason: 'no "<key> <value>" after SetGuestInfo' });
  const part = Buffer.alloc(116);
  part.writeBigUInt64LE(1000n, 0);
  part.writeBigUInt64LE(5000n, 8);
  part.write('/', 16);
  assert.deepEqual(decodeSetGuestInfo(cat(Buffer.from(' 3 '), Uint8Array.of(1), part, Uint8Array.of(0, 0))), { ok: true, key: 3, value: [{ name: '/', freeBytes: 1000, totalBytes: 5000 }] });
  assert.deepEqual(decodeSetGuestInfo(cat(Buffer.from(' 3 '), Uint8Array.of(2), part)), { ok: false, key: 3, reason: '2 partitions need 233 bytes, 117 sent' });
});

test('the view: vSphere field names, the primary address, bad reports leave it as it was', () => {
  const log: TranscriptEntry[] = [];
  const view = new HostView((e) => log.push(e));
  const changes: GuestInfo[] = [];
  view.onChange = (v) => changes.push(v);
  view.report(setGuestInfo(1, 'vm1'));
  view.report(setGuestInfo(11, detailed('debian12-64', 'Debian GNU/Linux 12 (64-bit)', "bitness='64'")));
  view.report(setGuestInfo(7, '123456'));
  view.report(setGuestInfo(10, SAMPLE));
  view.report(setGuestInfo(7, '123456'));
  assert.equal(changes.length, 4, 'a report that changes nothing is not a change');
  const v = view.toJSON();
  assert.deepEqual(Object.keys(v), ['guestId', 'guestFullName', 'hostName', 'ipAddress', 'net', 'ipStack', 'guestDetailedData', 'uptimeSeconds']);
  assert.equal(v.guestId, 'debian12_64Guest');
  assert.equal(v.guestFullName, 'Debian GNU/Linux 12 (64-bit)');
  assert.equal(v.guestDetailedData, "bitness='64'");
  assert.equal(v.uptimeSeconds, 1234);
  assert.equal(v.ipAddress, '192.0.2.10');
  assert.deepEqual(v.net, [
    {
      ipAddress: ['192.0.2.10', '2001:db8::5', 'fe80::1'],
      macAddress: '00:50:56:aa:bb:cc',
      connected: true,
      deviceConfigId: -1,
      ipConfig: {
        ipAddress: [
          { ipAddress: '192.0.2.10', prefixLength: 24, origin: 'dhcp', state: 'preferred' },
          { ipAddress: '2001:db8::5', prefixLength: 64, origin: 'manual', state: 'preferred' },
          { ipAddress: 'fe80::1', prefixLength: 64, origin: 'linklayer', state: 'tentative' },
        ],
        dhcp: { ipv4: { enable: true } },
      },
    },
  ]);
  assert.deepEqual(v.ipStack, [
    {
      dnsConfig: { dhcp: false, hostName: 'vm1', domainName: 'example.com', ipAddress: ['192.0.2.53'], searchDomain: ['example.com', 'lab.example.com'] },
      ipRouteConfig: {
        ipRoute: [
          { network: '0.0.0.0', prefixLength: 0, gateway: { ipAddress: '192.0.2.1', device: '0' } },
          { network: '::', prefixLength: 0, gateway: { ipAddress: 'fe80::1', device: '0' } },
        ],
      },
    },
  ]);
  const entry = log.find((e) => e.t === 'guestinfo' && e.key === 10);
  assert.equal(entry?.t === 'guestinfo' && entry.name, 'INFO_IPADDRESS_V3');
  // a bad report: a transcript entry with the reason, the view as it was
  const before = JSON.stringify(view.toJSON());
  view.report(setGuestInfo(10, u32(3, 1, 17)));
  view.report(setGuestInfo(7, 'soon'));
  assert.equal(JSON.stringify(view.toJSON()), before);
  assert.deepEqual(log.slice(-2), [
    { t: 'guestinfo', key: 10, name: 'INFO_IPADDRESS_V3', error: 'nicInfoV3.nics: count 17 over its limit 16 at byte 8' },
    { t: 'guestinfo', key: 7, name: 'INFO_UPTIME', error: "uptime 'soon' is not a count of hundredths of a second" },
  ]);
  assert.equal(changes.length, 4);
  // the primary address: the first IPv4 of any NIC, else a global IPv6
  const pick = (nics: Uint8Array[]) => {
    const w = new HostView(() => {});
    w.report(setGuestInfo(10, proto(nics, [])));
    return w.toJSON().ipAddress;
  };
  assert.equal(pick([nic('a', [ip(v6(DB8_5), 64)]), nic('b', [ip(v4('198.51.100.7'), 24)])]), '198.51.100.7');
  assert.equal(pick([nic('a', [ip(v6(FE80_1), 64), ip(v6(DB8_5), 64)])]), '2001:db8::5');
  assert.equal(pick([nic('a', [ip(v6(FE80_1), 64)])]), undefined);
});

test('through the message channel: the XDR keeps its last NUL (the rpci entry strips one), the guestinfo entry comes first', () => {
  const log: TranscriptEntry[] = [];
  const host = new SimHost(defaultConfig(), new GuestInfoStore(), (e) => log.push(e));
  const bd = new InProcessBackdoor(host);
  assert.equal(SAMPLE.at(-1), 0, 'the sample ends in a NUL byte, as vmtoolsd’s NicInfo does');
  const r = rpci(rpciChannel(bd), rpciRequest(cat(Buffer.from('SetGuestInfo  10 '), SAMPLE)));
  assert.equal(r.ok, true);
  const i = log.findIndex((e) => e.t === 'guestinfo');
  assert.deepEqual(log[i], { t: 'guestinfo', key: 10, name: 'INFO_IPADDRESS_V3', value: (decodeGuestNicProto(SAMPLE) as { nicInfo: unknown }).nicInfo });
  assert.equal(log[i + 1]?.t, 'rpci');
  assert.equal(host.guest.toJSON().ipAddress, '192.0.2.10');
  rpci(rpciChannel(bd), rpciRequest(Buffer.from('SetGuestInfo  1 vm2\0')));
  assert.equal(host.guest.toJSON().hostName, 'vm2');
  rpci(rpciChannel(bd), rpciRequest(Buffer.from('SetGuestInfo')));
  assert.deepEqual(log.filter((e) => e.t === 'guestinfo').at(-1), { t: 'guestinfo', key: null, error: 'no "<key> <value>" after SetGuestInfo' });
});
