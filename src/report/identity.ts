// Who the guest is, as vmtoolsd tells the host: the host name (SetGuestInfo 1),
// the OS full name (5) and guest-OS short name (6), the detailed OS data (11,
// as vmtoolsd >= 11.2 sends it) and the uptime in hundredths of a second (7).
// Everything comes from injected facts (uname, /etc/os-release, /proc/uptime)
// so that tests use fixtures. The Linux and FreeBSD rules follow open-vm-tools'
// lib/misc/hostinfoPosix.c and the names its lib/include/guest_os.h defines;
// OpenBSD and NetBSD report what their kernel's vmt(4) driver reports.
import { truncateUtf8 } from './xdr.js';

export interface OsFacts {
  /** uname -s */
  sysname: string;
  /** uname -r */
  release: string;
  /** uname -m (Linux) or hw.machine / machine_arch (BSD) */
  machine: string;
  /** the text of /etc/os-release (or /usr/lib/os-release), null when neither is readable */
  osRelease: string | null;
}

/** hostinfo.h MAX_OS_NAME_LEN and MAX_OS_FULLNAME_LEN: the header's shortName[129] and fullName[513] hold one byte less each and a NUL. */
export const MAX_OS_NAME_LEN = 128;
export const MAX_OS_FULLNAME_LEN = 512;
/** hostinfoInt.h MAX_DETAILED_FIELD_LEN: one name='value' field (with its NUL) of the detailed data */
export const MAX_DETAILED_FIELD_LEN = 1024;
/** hostinfo.h HOSTINFO_STRUCT_HEADER_VERSION */
export const HOSTINFO_STRUCT_HEADER_VERSION = 1;
/** sizeof (HostinfoDetailedDataHeader): uint32 version, char shortName[129], char fullName[513], padded to 4 */
export const DETAILED_HEADER_SIZE = 648;
/** vmtoolsd's host name buffer, char name[256] ("Host names are limited to 255 bytes") */
export const MAX_HOSTNAME_LEN = 255;

export interface OsIdentity {
  /** SetGuestInfo 6: the guest-OS short name (guest_os.h), e.g. debian12-64 */
  shortName: string;
  /** SetGuestInfo 5 */
  fullName: string;
  /** the detailed data string of SetGuestInfo 11 (name='value' pairs), null where vmtoolsd sends none */
  detailed: string | null;
}

const is64 = (f: OsFacts) => /x86_64|aarch64|amd64|arm64/.test(f.machine);
const isArm = (f: OsFacts) => /^(aarch64|arm)/.test(f.machine);

/** The kernel version's first two numbers ("6.1.0-18-amd64" -> [6, 1]). */
function kernel(release: string): [number, number] {
  const m = /^(\d+)(?:\.(\d+))?/.exec(release);
  return [m ? Number(m[1]) : 0, m?.[2] ? Number(m[2]) : 0];
}

/** HostinfoDefaultLinux: a generic name by kernel version, [short, full]. */
function defaultLinux(release: string): [string, string] {
  const [major, minor] = kernel(release);
  if (major === 1 || (major === 2 && minor < 4)) return ['other', 'Other OSes'];
  if (major === 2) return minor < 6 ? ['other24xlinux', 'Other Linux 2.4.x kernel'] : ['other26xlinux', 'Other Linux 2.6.x kernel'];
  if (major >= 3 && major <= 6) return [`other${major}xlinux`, `Other Linux ${major}.x kernel`];
  // newer than the table: the highest short name it knows, a made-up full name
  return ['other5xlinux', `Other Linux ${major}.${minor} kernel`];
}

type SetName = (version: number, lower: string, arch: string, release: string) => string;
const generic = (name: string): SetName => (_v, _l, arch) => `${arch}${name}`;
const oracle: SetName = (v, _l, arch) => (v === 0 ? `${arch}oraclelinux` : `${arch}oraclelinux${v}`);

const SLES: [string, string][] = [
  ['desktop 10', 'sles10'], ['desktop 11', 'sles11'], ['desktop 12', 'sles12'], ['desktop 15', 'sles15'], ['desktop 16', 'sles16'],
  ['server 10', 'sles10'], ['server 11', 'sles11'], ['server 12', 'sles12'], ['server 15', 'sles15'], ['server 16', 'sles16'],
  ['server for sap applications 12', 'sles12'],
];
const SUSE: [string, string][] = [['sun', 'sjds'], ['novell', 'nld9']];
const suse: SetName = (_v, lower, arch) => {
  const enterprise = lower.includes('enterprise');
  const hit = (enterprise ? SLES : SUSE).find(([p]) => lower.includes(p));
  return `${arch}${hit ? hit[1] : enterprise ? 'sles' : 'suse'}`;
};

/** hostinfoPosix.c shortNameArray: the first pattern found in the lower-cased distro string decides. Keep its order. */
const SHORT_NAMES: [string, SetName][] = [
  ['almalinux', generic('almaLinux')],
  ['amazon', (v, _l, arch) => `${arch}amazonlinux${Math.max(v, 2)}`],
  ['annvix', generic('Annvix')],
  ['arch', generic('Arch')],
  ['arklinux', generic('Arklinux')],
  ['asianux', (v, _l, arch) => (v < 3 ? 'asianux' : `${arch}asianux${v}`)],
  ['aurox', generic('Aurox')],
  ['bigcloud', (_v, _l, _a, release) => defaultLinux(release)[0]],
  ['black cat', generic('BlackCat')],
  ['centos', (v, _l, arch) => (v < 6 ? 'centos' : `${arch}centos${v}`)],
  ['cobalt', generic('Cobalt')],
  ['conectiva', generic('Conectiva')],
  ['debian', (v, _l, arch) => (v <= 4 ? 'debian4' : `${arch}debian${v}`)],
  ['red hat', (v, lower, arch) => (!lower.includes('enterprise') ? `${arch}redhat` : v === 0 ? `${arch}rhel` : `${arch}rhel${v}`)],
  ['enterprise linux', oracle],
  ['fedora', generic('Fedora')],
  ['flatcar', generic('flatcar')],
  ['fusionos', generic('fusionos')],
  ['gentoo', generic('Gentoo')],
  ['immunix', generic('Immunix')],
  ['kylin linux', generic('kylinlinux')],
  ['linux-from-scratch', generic('Linux-From-Scratch')],
  ['linux-ppc', generic('Linux-PPC')],
  ['mandrake', generic('mandrake')],
  ['mandriva', generic('mandriva')],
  ['miracle linux', generic('miraclelinux')],
  ['mklinux', generic('MkLinux')],
  ['opensuse', generic('opensuse')],
  ['oracle', oracle],
  ['pardus', generic('pardus')],
  ['pld', generic('PLD')],
  ['prolinux', generic('prolinux')],
  ['rocky linux', generic('rockyLinux')],
  ['slackware', generic('Slackware')],
  ['sme server', generic('SMEServer')],
  ['suse', suse],
  ['tiny sofa', generic('Tiny Sofa')],
  ['turbolinux', generic('turbolinux')],
  ['ubuntu', generic('ubuntu')],
  ['ultra penguin', generic('UltraPenguin')],
  ['united linux', generic('UnitedLinux')],
  ['va linux', generic('VALinux')],
  ['vmware photon', generic('vmware-photon')],
  ['yellow dog', generic('Yellow Dog')],
];

/** os-release fields vmtoolsd reads (osReleaseFields), in its order. */
const OS_RELEASE_FIELDS = ['PRETTY_NAME', 'NAME', 'VERSION_ID', 'BUILD_ID', 'VERSION', 'CPE_NAME'] as const;
type OsReleaseField = (typeof OS_RELEASE_FIELDS)[number];

/**
 * HostinfoReadDistroFile with os-release rules: a quoted value runs to the
 * line's last double quote, an unquoted one to the end of the line (nothing
 * is unescaped); distro is every value found, in file order, joined by spaces.
 * null when no field is there (not os-release compliant).
 */
export function readOsRelease(text: string): { fields: Partial<Record<OsReleaseField, string>>; distro: string } | null {
  const fields: Partial<Record<OsReleaseField, string>> = {};
  const all: string[] = [];
  for (const line of text.split('\n')) {
    for (const name of OS_RELEASE_FIELDS) {
      if (!line.startsWith(`${name}=`)) continue;
      let data = line.slice(name.length + 1);
      if (data.startsWith('"')) {
        const end = data.lastIndexOf('"');
        if (end === 0) return null; // vmtoolsd: invalid os-release file
        data = data.slice(1, end);
      }
      data = truncateUtf8(data, MAX_DETAILED_FIELD_LEN - 1);
      fields[name] = data;
      all.push(data);
    }
  }
  return all.length ? { fields, distro: all.join(' ') } : null;
}

/** HostinfoGetOSShortName: the version is VERSION_ID's leading number, else the first number in the distro string. null: no pattern matched. */
function linuxShortName(distro: string, versionId: string | undefined, arch: string, release: string): string | null {
  const source = versionId ?? /\d.*$/.exec(distro)?.[0];
  const m = source === undefined ? null : /^\s*\+?(\d+)/.exec(source);
  const version = m ? Number(m[1]) % 2 ** 32 : 0;
  const lower = distro.toLowerCase();
  const hit = SHORT_NAMES.find(([pattern]) => lower.includes(pattern));
  return hit ? hit[1](version, lower, arch, release) : null;
}

/** HostinfoOSDetailedData: name='value' fields in this order, empty ones left out, ' and \ escaped, trailing blanks cut. */
function detailedData(fields: [string, string][]): string {
  const parts: string[] = [];
  for (const [name, value] of fields) {
    if (value === '') continue;
    const escaped = value.replace(/['\\]/g, '\\$&').replace(/\s+$/, '');
    const field = `${name}='${escaped}'`;
    // a field that does not fit its buffer makes vmtoolsd send empty detailed data
    if (Buffer.byteLength(field) >= MAX_DETAILED_FIELD_LEN) return '';
    parts.push(field);
  }
  return parts.join(' ');
}

/** What vmtoolsd (Linux, FreeBSD) or vmt(4) (OpenBSD, NetBSD) reports as this OS. */
export function osIdentity(f: OsFacts): OsIdentity {
  const bits = is64(f) ? '64' : '32';
  const suffix = is64(f) ? '-64' : ''; // guest_os.h STR_OS_64BIT_SUFFIX
  const arch = isArm(f) ? 'arm-' : ''; // STR_OS_ARM_PREFIX; x86 has none
  const cut = (s: string, n: number) => truncateUtf8(s.replace(/\n$/, ''), n - 1);
  const base: [string, string][] = [
    ['architecture', isArm(f) ? 'Arm' : 'X86'],
    ['bitness', bits],
  ];
  if (f.sysname.includes('Linux')) {
    const os = f.osRelease === null ? null : readOsRelease(f.osRelease);
    const [genericShort, genericFull] = defaultLinux(f.release);
    const short = os ? (linuxShortName(os.distro, os.fields.VERSION_ID, arch, f.release) ?? genericShort) : genericShort;
    const v = os?.fields ?? {};
    const detailed = detailedData([
      ...base,
      ['buildNumber', v.BUILD_ID ?? ''],
      ['cpeString', v.CPE_NAME ?? ''],
      ['distroAddlVersion', v.VERSION ?? ''],
      ['distroName', v.NAME ?? f.sysname],
      ['distroVersion', v.VERSION_ID ?? ''],
      ['familyName', f.sysname],
      ['kernelVersion', f.release],
      ['prettyName', v.PRETTY_NAME ?? ''],
    ]);
    return { shortName: cut(`${short}${suffix}`, MAX_OS_NAME_LEN), fullName: cut(`${f.sysname} ${f.release} ${os ? os.distro : genericFull}`, MAX_OS_FULLNAME_LEN), detailed };
  }
  if (f.sysname.includes('FreeBSD')) {
    const major = kernel(f.release)[0];
    const short = major < 11 ? 'freeBSD' : `${arch}freeBSD${major}`;
    const detailed = detailedData([...base, ['distroName', f.sysname], ['familyName', f.sysname], ['kernelVersion', f.release]]);
    return { shortName: cut(`${short}${suffix}`, MAX_OS_NAME_LEN), fullName: cut(`${f.sysname} ${f.release}`, MAX_OS_FULLNAME_LEN), detailed };
  }
  // OpenBSD's and NetBSD's vmt(4): "ostype osrelease machine_arch", and "other"/"other-64" as the host knows no better name for them
  return { shortName: f.machine === 'i386' ? 'other' : 'other-64', fullName: cut(`${f.sysname} ${f.release} ${f.machine}`, MAX_OS_FULLNAME_LEN), detailed: null };
}

/** The payload of SetGuestInfo 11: HostinfoDetailedDataHeader (little-endian version, NUL-padded names) then the data and its NUL. */
export function detailedPayload(id: OsIdentity): Uint8Array | null {
  if (id.detailed === null) return null;
  const data = Buffer.from(id.detailed, 'utf8');
  const out = new Uint8Array(DETAILED_HEADER_SIZE + data.length + 1);
  new DataView(out.buffer).setUint32(0, HOSTINFO_STRUCT_HEADER_VERSION, true);
  out.set(Buffer.from(truncateUtf8(id.shortName, MAX_OS_NAME_LEN)), 4);
  out.set(Buffer.from(truncateUtf8(id.fullName, MAX_OS_FULLNAME_LEN)), 4 + MAX_OS_NAME_LEN + 1);
  out.set(data, DETAILED_HEADER_SIZE);
  return out;
}

/** The host name as SetGuestInfo 1 carries it: at most 255 bytes. */
export const dnsName = (hostname: string): string => truncateUtf8(hostname, MAX_HOSTNAME_LEN);

/** /proc/uptime's first field ("12345.67") in hundredths of a second, as a decimal string; null when it does not parse. */
export function uptimeHundredths(procUptime: string): string | null {
  const m = /^\s*(\d+)(?:\.(\d*))?/.exec(procUptime);
  if (!m) return null;
  const frac = (m[2] ?? '').padEnd(2, '0').slice(0, 2);
  return (BigInt(m[1]!) * 100n + BigInt(frac)).toString();
}
