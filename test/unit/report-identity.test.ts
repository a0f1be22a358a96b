// The OS identity vmtoolsd would report, from os-release and uname fixtures.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DETAILED_HEADER_SIZE, detailedPayload, osIdentity, readOsRelease, uptimeHundredths, type OsFacts } from '../../src/report/identity.js';

const DEBIAN12 = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
`;
const UBUNTU = `PRETTY_NAME="Ubuntu 24.04.1 LTS"
NAME="Ubuntu"
VERSION_ID="24.04"
VERSION="24.04.1 LTS (Noble Numbat)"
ID=ubuntu
`;
const RHEL9 = `NAME="Red Hat Enterprise Linux"
VERSION="9.4 (Plow)"
ID="rhel"
VERSION_ID="9.4"
PRETTY_NAME="Red Hat Enterprise Linux 9.4 (Plow)"
CPE_NAME="cpe:/o:redhat:enterprise_linux:9::baseos"
`;
const ALPINE = `NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.20.3
PRETTY_NAME="Alpine Linux v3.20"
`;
const linux = (osRelease: string | null, release = '6.1.0-18-amd64', machine = 'x86_64'): OsFacts => ({ sysname: 'Linux', release, machine, osRelease });

test('Debian 12: debian12-64, the full name as vmtoolsd builds it, the detailed data fields', () => {
  const id = osIdentity(linux(DEBIAN12));
  assert.equal(id.shortName, 'debian12-64');
  assert.equal(id.fullName, 'Linux 6.1.0-18-amd64 Debian GNU/Linux 12 (bookworm) Debian GNU/Linux 12 12 (bookworm)');
  assert.equal(id.detailed, "architecture='X86' bitness='64' distroAddlVersion='12 (bookworm)' distroName='Debian GNU/Linux' distroVersion='12' familyName='Linux' kernelVersion='6.1.0-18-amd64' prettyName='Debian GNU/Linux 12 (bookworm)'");
});

test('distro short names: ubuntu-64, rhel9-64 (with cpeString), arm- prefix, 32-bit without -64', () => {
  assert.equal(osIdentity(linux(UBUNTU)).shortName, 'ubuntu-64');
  const rhel = osIdentity(linux(RHEL9, '5.14.0-427.el9.x86_64'));
  assert.equal(rhel.shortName, 'rhel9-64');
  assert.match(rhel.detailed!, /cpeString='cpe:\/o:redhat:enterprise_linux:9::baseos'/);
  assert.equal(osIdentity(linux(UBUNTU, '6.8.0', 'aarch64')).shortName, 'arm-ubuntu-64');
  assert.match(osIdentity(linux(UBUNTU, '6.8.0', 'aarch64')).detailed!, /^architecture='Arm' bitness='64'/);
  assert.equal(osIdentity(linux(DEBIAN12, '6.1.0', 'i686')).shortName, 'debian12');
});

test('an unknown distro or none: the generic name by kernel version (other6xlinux-64, other5xlinux-64 past the table)', () => {
  assert.equal(osIdentity(linux(ALPINE, '6.6.58-0-virt')).shortName, 'other6xlinux-64');
  assert.equal(osIdentity(linux(ALPINE, '5.10.0')).shortName, 'other5xlinux-64');
  assert.equal(osIdentity(linux(ALPINE, '7.2.0')).shortName, 'other5xlinux-64');
  const bare = osIdentity(linux(null, '4.19.0'));
  assert.equal(bare.shortName, 'other4xlinux-64');
  assert.equal(bare.fullName, 'Linux 4.19.0 Other Linux 4.x kernel');
  assert.equal(osIdentity(linux(null, '7.1.0')).fullName, 'Linux 7.1.0 Other Linux 7.1 kernel');
  assert.equal(osIdentity(linux('ID=foo\n', '6.1.0')).fullName, 'Linux 6.1.0 Other Linux 6.x kernel', 'no field vmtoolsd reads: not os-release compliant');
});

test("detailed data escapes ' and \\ and drops trailing blanks; os-release values are not unescaped", () => {
  const id = osIdentity(linux(`NAME="It's \\"x\\"  "\nPRETTY_NAME='single'\n`));
  assert.match(id.detailed!, /distroName='It\\'s \\\\"x\\\\"'/);
  assert.match(id.detailed!, /prettyName='\\'single\\''/);
  assert.deepEqual(readOsRelease('NAME="a" b"\n')!.fields, { NAME: 'a" b' }, 'a quoted value runs to the last quote');
});

test('BSDs: FreeBSD as vmtoolsd (freeBSD14-64), OpenBSD and NetBSD as their vmt(4) (other-64, "ostype release arch")', () => {
  const fbsd = osIdentity({ sysname: 'FreeBSD', release: '14.1-RELEASE', machine: 'amd64', osRelease: null });
  assert.deepEqual([fbsd.shortName, fbsd.fullName], ['freeBSD14-64', 'FreeBSD 14.1-RELEASE']);
  assert.equal(fbsd.detailed, "architecture='X86' bitness='64' distroName='FreeBSD' familyName='FreeBSD' kernelVersion='14.1-RELEASE'");
  assert.equal(osIdentity({ sysname: 'FreeBSD', release: '10.4-RELEASE', machine: 'i386', osRelease: null }).shortName, 'freeBSD');
  assert.deepEqual(osIdentity({ sysname: 'OpenBSD', release: '7.6', machine: 'amd64', osRelease: null }), { shortName: 'other-64', fullName: 'OpenBSD 7.6 amd64', detailed: null });
  assert.equal(osIdentity({ sysname: 'NetBSD', release: '10.0', machine: 'i386', osRelease: null }).shortName, 'other');
});

test('SetGuestInfo 11 payload: HostinfoDetailedDataHeader (648 bytes, version 1 little-endian, NUL-padded names) then the data and a NUL', () => {
  const id = osIdentity(linux(DEBIAN12));
  const p = detailedPayload(id)!;
  assert.equal(p.length, DETAILED_HEADER_SIZE + Buffer.byteLength(id.detailed!) + 1);
  assert.deepEqual([...p.subarray(0, 4)], [1, 0, 0, 0]);
  assert.equal(Buffer.from(p.subarray(4, 4 + 129)).toString().replace(/\0+$/, ''), 'debian12-64');
  assert.equal(p[4 + 128], 0);
  assert.equal(Buffer.from(p.subarray(133, 133 + 513)).toString().replace(/\0+$/, ''), id.fullName);
  assert.deepEqual([...p.subarray(646, 648)], [0, 0], 'padding');
  assert.equal(Buffer.from(p.subarray(648, p.length - 1)).toString(), id.detailed);
  assert.equal(p[p.length - 1], 0);
  assert.equal(detailedPayload({ shortName: 'other-64', fullName: 'OpenBSD 7.6 amd64', detailed: null }), null);
});

test('uptime in hundredths from /proc/uptime, without floating point', () => {
  assert.equal(uptimeHundredths('13653.43 26000.11\n'), '1365343');
  assert.equal(uptimeHundredths('5.1 1'), '510');
  assert.equal(uptimeHundredths('42'), '4200');
  assert.equal(uptimeHundredths('99999999999.99'), '9999999999999');
  assert.equal(uptimeHundredths('nonsense'), null);
});
