// vmt devices / detach / attach / drvctl on a guest's real sysfs (qemu-run.sh
// VMW_DEVICES=1: two vmxnet3 NICs on a closed QEMU hub, eth0 with the default
// route; a pvscsi disk with sda1 mounted at /mnt/disk0 and sda2 as swap).
// The commands run in order, each from the state the ones before it left.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Boot, type Commands, boot, ctx, get, runSetup } from './harness.js';

const NET0 = '0000:00:10.0'; // eth0, default route
const NET1 = '0000:01:00.0'; // eth1, behind the bridge
const SCSI = '0000:00:11.0';
const NETS = 'ls /sys/class/net | grep eth | tr "\\n" " "; echo';
/** eth1 into a namespace of its own at 192.168.77.11; eth0 pings it over the hub */
const PING = 'unshare -n sleep 60 & p=$!; usleep 300000; ' +
  "ip link set eth1 netns $p && nsenter -t $p -n sh -c 'ip link set eth1 up && ip addr add 192.168.77.11/24 dev eth1' && " +
  'ping -c 2 -W 5 192.168.77.11 >/dev/null; echo ping=$?; kill $p; wait $p; i=0; while [ ! -e /sys/class/net/eth1 ] && [ $i -lt 100 ]; do usleep 50000; i=$((i+1)); done';

const commands: Commands = [
  ['list', 'vmt devices'],
  ['json', 'vmt devices --json'],
  ['nonroot', 'runas vmt detach eth1'],
  ['nonroot-dry', `runas vmt detach eth1 --dry-run`],
  ['bad', 'vmt detach eth9'],
  ['guard-route', 'vmt detach eth0'],
  ['guard-disk', 'vmt detach vmw_pvscsi'],
  ['detach-eth1', `vmt detach eth1; echo rc=$?; ${NETS}`],
  ['detach-again', 'vmt detach eth1'],
  ['list-detached', 'vmt devices'],
  ['attach-eth1', `vmt attach eth1; echo rc=$?; ${NETS}`],
  ['attach-again', 'vmt attach eth1'],
  ['ping', PING],
  ['rescan-detach', `vmt detach ${NET1} --rescan; echo rc=$?; ls /sys/bus/pci/devices | grep -c ${NET1}; vmt devices | grep ${NET1}`],
  ['rescan-attach', `vmt attach ${NET1}; echo rc=$?; readlink /sys/bus/pci/devices/${NET1}/driver`],
  ['disk', `swapoff /dev/sda2 && umount /mnt/disk0 && echo kept > /dev/null && vmt detach vmw_pvscsi; echo rc=$?; ls /sys/block | grep -c sda; vmt attach vmw_pvscsi; echo rc=$?; i=0; while [ ! -e /dev/sda1 ] && [ $i -lt 100 ]; do usleep 50000; i=$((i+1)); done; mount -t ext2 /dev/sda1 /mnt/disk0 && ls /mnt/disk0 | grep -c lost+found`],
  ['force', `vmt detach eth0 --force; echo rc=$?; grep -c "^eth0" /proc/net/route; vmt attach ${NET0}; echo rc=$?; readlink /sys/bus/pci/devices/${NET0}/driver`],
  ['drvctl', `vmt drvctl -l; vmt drvctl -d ${NET1}; echo rc=$?; vmt drvctl -r pci0; echo rc=$?; readlink /sys/bus/pci/devices/${NET1}/driver; vmt drvctl -p ${NET1} driver`],
];

let booted: Promise<Boot> | undefined;
const guest = () => (booted ??= (async () => (runSetup(), boot('devices', { VMW_DEVICES: '1' }, commands)))());
const T = { timeout: 300_000 };

async function result(id: string) {
  const b = await guest();
  const r = get(b, id);
  return { ...r, c: ctx(b, r) };
}

test('vmt devices lists both vmxnet3 (interfaces, addresses, the default route), the pvscsi disk with its mount and swap, the SVGA, the modules', T, async () => {
  const r = await result('list');
  assert.equal(r.rc, 0, r.c);
  const lines = r.stdout.trim().split('\n');
  for (const want of [
    'pci\t0000:00:02.0\t15ad:0405\tSVGA II\t-\t-',
    `pci\t${NET0}\t15ad:07b0\tvmxnet3\tvmxnet3\teth0 192.168.77.10/24 fe80::250:56ff:fe00:10/64 (default route)`,
    `pci\t${SCSI}\t15ad:07c0\tPVSCSI\tvmw_pvscsi\thost0: sda (sda1 on /mnt/disk0, sda2 swap)`,
    `pci\t${NET1}\t15ad:07b0\tvmxnet3\tvmxnet3\teth1 192.168.78.10/24 fe80::250:56ff:fe00:11/64`,
    'module\tvmw_pvscsi',
    'module\tvmxnet3',
  ]) {
    assert.ok(lines.includes(want), `missing "${want}"${r.c}`);
  }
  const j = JSON.parse((await result('json')).stdout) as { devices: { address: string; driver: string | null }[] };
  assert.deepEqual(j.devices.map((d) => [d.address, d.driver]), [['0000:00:02.0', null], [NET0, 'vmxnet3'], [SCSI, 'vmw_pvscsi'], [NET1, 'vmxnet3']]);
});

test('not root: exit 3 with what to do (and --dry-run works without root); a bad device: exit 2 with the candidates', T, async () => {
  const n = await result('nonroot');
  assert.equal(n.rc, 3, n.c);
  assert.match(n.stderr, /^vmt detach: detach writes to \/sys\/bus\/pci and must run as root/, n.c);
  const d = await result('nonroot-dry');
  assert.equal(d.rc, 0, d.c);
  assert.equal(d.stdout, `would write "${NET1}" to /sys/bus/pci/drivers/vmxnet3/unbind\n`, d.c);
  const b = await result('bad');
  assert.equal(b.rc, 2, b.c);
  assert.match(b.stderr, /no VMware device, interface or driver is called "eth9"; the VMware devices here: .*0000:00:10\.0 \(vmxnet3, vmxnet3; eth0\)/, b.c);
});

test('the guard rails: the default route\'s NIC and the adapter of a mounted disk and swap are refused, nothing changed', T, async () => {
  const route = await result('guard-route');
  assert.equal(route.rc, 3, route.c);
  assert.match(route.stderr, /eth0 holds the default route \(--force detaches it anyway; nothing was changed\)/, route.c);
  const disk = await result('guard-disk');
  assert.equal(disk.rc, 3, disk.c);
  assert.match(disk.stderr, /\/dev\/sda1 is mounted on \/mnt\/disk0; \/dev\/sda2 is in use as swap/, disk.c);
});

test('detach eth1 removes the interface; again: exit 1; devices shows it unbound; attach eth1 brings it back, usable (a ping over the hub)', T, async () => {
  const d = await result('detach-eth1');
  assert.match(d.stdout, new RegExp(`^detached ${NET1} \\(vmxnet3, vmxnet3\\)\\nrc=0\\neth0 \\n$`), d.c);
  const again = await result('detach-again');
  assert.equal(again.rc, 1, again.c);
  assert.match(again.stderr, /already detached/, again.c);
  const l = await result('list-detached');
  assert.match(l.stdout, new RegExp(`^pci\\t${NET1}\\t15ad:07b0\\tvmxnet3\\t-\\t-$`, 'm'), l.c);
  const a = await result('attach-eth1');
  assert.match(a.stdout, new RegExp(`^attached ${NET1} \\(vmxnet3, vmxnet3\\)\\nrc=0\\neth0 eth1 \\n$`), a.c);
  assert.equal((await result('attach-again')).rc, 1);
  const p = await result('ping');
  assert.match(p.stdout, /^ping=0$/m, p.c);
});

test('--rescan: the device leaves the bus and comes back bound', T, async () => {
  const d = await result('rescan-detach');
  assert.match(d.stdout, new RegExp(`^detached ${NET1} \\(vmxnet3, vmxnet3, removed from the bus\\)\\nrc=0\\n0\\npci\\t${NET1}\\t15ad:07b0\\t-\\t-\\tremoved by vmt detach --rescan \\(was vmxnet3\\)\\n$`), d.c);
  const a = await result('rescan-attach');
  assert.match(a.stdout, new RegExp(`^attached ${NET1} \\(vmxnet3, vmxnet3, bus rescanned\\)\\nrc=0\\n.*/vmxnet3\\n$`), a.c);
});

test('the disk\'s adapter, unmounted: detach takes sda away, attach brings it back and it mounts', T, async () => {
  const r = await result('disk');
  assert.equal(r.rc, 0, r.c);
  assert.match(r.stdout, new RegExp(`^detached ${SCSI} \\(PVSCSI, vmw_pvscsi\\)\\nrc=0\\n0\\nattached ${SCSI} \\(PVSCSI, vmw_pvscsi\\)\\nrc=0\\n1\\n$`), r.c);
});

test('--force detaches even the default route\'s NIC; attach restores it', T, async () => {
  const r = await result('force');
  assert.match(r.stdout, new RegExp(`^detached ${NET0} \\(vmxnet3, vmxnet3\\)\\nrc=0\\n0\\nattached ${NET0} \\(vmxnet3, vmxnet3\\)\\nrc=0\\n.*/vmxnet3\\n$`), r.c);
});

test('vmt drvctl: -l lists, -d detaches, -r pci0 attaches again, -p prints a property', T, async () => {
  const r = await result('drvctl');
  assert.equal(r.stdout, [`- 0000:00:02.0`, `vmxnet3 ${NET0}`, `vmw_pvscsi ${SCSI}`, `vmxnet3 ${NET1}`, `detached ${NET1} (vmxnet3, vmxnet3)`, 'rc=0', `attached ${NET1} (vmxnet3, vmxnet3)`, 'rc=0', '../../../../bus/pci/drivers/vmxnet3', 'vmxnet3', ''].join('\n'), r.c);
});
