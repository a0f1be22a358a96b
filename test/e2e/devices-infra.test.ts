// The guest with VMware's PCI devices (qemu-run.sh VMW_DEVICES=1), proven by
// hand before any vmt command uses it: the devices are there with their
// drivers (vmxnet3, vmw_pvscsi; the SVGA without one), the NICs and the disk
// hang where sysfs should put them, /init's mount, swap, addresses and default
// route are in place, the two NICs reach each other over QEMU's hub, and
// unbind/bind, driver_override, remove/rescan work on the guest's real sysfs.
// No vmt in the guest (binary '-'). Boot `devices-infra` runs its commands in
// order, each starting from what the ones before it left; boot
// `devices-infra-share` (HOST_SHARE=1 too, at the same time) checks that
// onhost's chroot sees the same devices and the disk's mount.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Boot, type Commands, boot, ctx, get, runSetup } from './harness.js';

const NET0 = '0000:00:10.0'; // vmxnet3, MAC 00:50:56:00:00:10, eth0 at boot
const NET1 = '0000:01:00.0'; // vmxnet3 behind the PCI bridge 0000:00:15.0, MAC 00:50:56:00:00:11, eth1 at boot
const SCSI = '0000:00:11.0'; // pvscsi, disk sda (sda1 ext2 at /mnt/disk0, sda2 swap)
const PCI = '/sys/bus/pci';
const NET0_PATH = '../../devices/pci0000:00/0000:00:10.0/net';
const NET1_PATH = '../../devices/pci0000:00/0000:00:15.0/0000:01:00.0/net';
const SDA_PATH = '../../devices/pci0000:00/0000:00:11.0/host0/target0:0:0/0:0:0:0/block/sda';

/** One line per ethN: NAME LINK MAC OPERSTATE */
const NETS = 'for n in /sys/class/net/eth*; do [ -e "$n" ] && echo "$(basename $n) $(readlink $n) $(cat $n/address) $(cat $n/operstate)"; done; true';
/** One line per block device and SCSI host: NAME LINK */
const BLOCKS = 'for b in /sys/class/block/* /sys/class/scsi_host/*; do [ -e "$b" ] && echo "$(basename $b) $(readlink $b)"; done; true';
/** "driver NAME" or "driver none" for a PCI device */
const driver = (bdf: string) => `d=$(readlink ${PCI}/devices/${bdf}/driver) && echo "driver \${d##*/}" || echo "driver none"`;
/** Waits up to 10 s for PATH. */
const waitFor = (path: string) => `i=0; while [ ! -e ${path} ] && [ $i -lt 200 ]; do usleep 50000; i=$((i+1)); done`;

const commands: Commands = [
  ['init', '[ -f /vmw-devices ] && echo switch-on; cat /vmw-devices-failed 2>/dev/null; echo init-done'],
  ['pci', `for d in ${PCI}/devices/*; do x=$(readlink $d/driver) || x=-; echo "$(basename $d) $(cat $d/vendor):$(cat $d/device) $(cat $d/class) \${x##*/}"; done`],
  ['nets', NETS],
  ['blocks', BLOCKS],
  ['mounts', 'grep sda /proc/mounts /proc/swaps'],
  ['route', 'cat /proc/net/route'],
  ['route-add', 'ip route add default dev eth1 metric 100 && cat /proc/net/route && ip route del default dev eth1 metric 100'],
  // eth1 into a network namespace of its own, with an address in eth0's
  // subnet: eth0's ping can only reach it through QEMU's hub
  [
    'wire',
    'unshare -n sleep 60 & p=$!; usleep 300000; ' +
      "ip link set eth1 netns $p && nsenter -t $p -n sh -c 'ip link set eth1 up && ip addr add 192.168.77.11/24 dev eth1' && " +
      'ping -c 3 -W 5 192.168.77.11 >/dev/null; echo ping=$?; ip neigh show 192.168.77.11; ' +
      `kill $p; wait $p; ${waitFor('/sys/class/net/eth1')}; ${NETS}`,
  ],
  ['net-unbind', `echo ${NET0} > ${PCI}/drivers/vmxnet3/unbind && ${driver(NET0)}; ${NETS}; cat /proc/net/route`],
  ['net-bind', `echo ${NET0} > ${PCI}/drivers/vmxnet3/bind && ${driver(NET0)}; ${NETS}`],
  ['net-remove', `echo 1 > ${PCI}/devices/${NET1}/remove && ls ${PCI}/devices; ${NETS}`],
  ['net-rescan', `echo 1 > ${PCI}/rescan && ${driver(NET1)}; ${NETS}`],
  [
    'override',
    `echo none > ${PCI}/devices/${NET0}/driver_override && echo ${NET0} > ${PCI}/drivers/vmxnet3/unbind && echo ${NET0} > ${PCI}/drivers_probe; ` +
      `cat ${PCI}/devices/${NET0}/driver_override; ${driver(NET0)}; echo ${NET0} > ${PCI}/drivers/vmxnet3/bind; echo bind=$?`,
  ],
  ['override-clear', `echo > ${PCI}/devices/${NET0}/driver_override && echo ${NET0} > ${PCI}/drivers_probe; cat ${PCI}/devices/${NET0}/driver_override; ${driver(NET0)}; ${NETS}`],
  [
    'scsi-unbind',
    `echo kept > /mnt/disk0/probe && swapoff /dev/sda2 && umount /mnt/disk0 && echo ${SCSI} > ${PCI}/drivers/vmw_pvscsi/unbind && ${driver(SCSI)}; ${BLOCKS}; ls ${PCI}/devices/${SCSI} | grep host; true`,
  ],
  ['scsi-bind', `echo ${SCSI} > ${PCI}/drivers/vmw_pvscsi/bind && ${waitFor('/dev/sda2')}; ${driver(SCSI)}; ${BLOCKS}; mount -t ext2 /dev/sda1 /mnt/disk0 && cat /mnt/disk0/probe`],
  [
    'scsi-remove-rescan',
    `umount /mnt/disk0 && echo 1 > ${PCI}/devices/${SCSI}/remove && { [ -e ${PCI}/devices/${SCSI} ] && echo present || echo gone; } && ` +
      `echo 1 > ${PCI}/rescan && ${waitFor('/dev/sda2')}; ${driver(SCSI)}; ${BLOCKS}; mount -t ext2 /dev/sda1 /mnt/disk0 && cat /mnt/disk0/probe`,
  ],
  // last: the kernel lets the HBA go under a mounted file system
  [
    'scsi-unbind-mounted',
    `echo ${SCSI} > ${PCI}/drivers/vmw_pvscsi/unbind; echo unbind=$?; ${BLOCKS}; grep sda /proc/mounts; cat /mnt/disk0/probe; echo read=$?; umount /mnt/disk0; echo umount=$?`,
  ],
];

const commandsShare: Commands = [
  ['nets', `onhost sh -c '${NETS}'`],
  ['mounts', 'onhost grep sda /proc/mounts /proc/swaps'],
  ['umount', 'umount /mnt/disk0 && onhost cat /proc/mounts'],
  ['mount', 'onhost mount -t ext2 /dev/sda1 /mnt/disk0 && grep sda1 /proc/mounts'],
];

let booted: Promise<{ main: Boot; share: Boot }> | undefined;
function boots(): Promise<{ main: Boot; share: Boot }> {
  booted ??= (async () => {
    runSetup();
    const [main, share] = await Promise.all([
      boot('devices-infra', { VMW_DEVICES: '1', QEMU_EXTRA: '' }, commands, '-'),
      boot('devices-infra-share', { VMW_DEVICES: '1', HOST_SHARE: '1', QEMU_EXTRA: '' }, commandsShare, '-'),
    ]);
    return { main, share };
  })();
  return booted;
}
const guest = async () => (await boots()).main;

const T = { timeout: 300_000 };

/** The result of command `id`, which must have exited 0. */
async function ok(id: string, which: 'main' | 'share' = 'main'): Promise<{ b: Boot; out: string; c: string }> {
  const b = (await boots())[which];
  const r = get(b, id);
  const c = ctx(b, r);
  assert.equal(r.rc, 0, `exit status${c}`);
  return { b, out: r.stdout, c };
}

test('/init set the VMware devices up without a failure', T, async () => {
  const { out, c } = await ok('init');
  assert.equal(out.trim(), 'switch-on\ninit-done', `/vmw-devices, and no /vmw-devices-failed${c}`);
});

test('the 15ad devices are on the PCI bus with their drivers, and no other NIC', T, async () => {
  const { out, c } = await ok('pci');
  const lines = out.trim().split('\n');
  for (const want of [
    '0000:00:02.0 0x15ad:0x0405 0x030000 -',
    `${NET0} 0x15ad:0x07b0 0x020000 vmxnet3`,
    `${SCSI} 0x15ad:0x07c0 0x010000 vmw_pvscsi`,
    '0000:00:15.0 0x1b36:0x0001 0x060400 -',
    `${NET1} 0x15ad:0x07b0 0x020000 vmxnet3`,
  ]) {
    assert.ok(lines.includes(want), `missing "${want}"${c}`);
  }
  // class 02xxxx: network controllers; only the two vmxnet3 (no e1000 on user-mode networking)
  const nics = lines.filter((l) => / 0x02\d{4} /.test(l));
  assert.deepEqual(nics.map((l) => l.split(' ')[0]), [NET0, NET1], `network controllers${c}`);
});

test('eth0 and eth1 hang under their PCI devices (eth1 behind the bridge)', T, async () => {
  const { out, c } = await ok('nets');
  assert.equal(out.trim(), [`eth0 ${NET0_PATH}/eth0 00:50:56:00:00:10 up`, `eth1 ${NET1_PATH}/eth1 00:50:56:00:00:11 up`].join('\n'), c);
});

test('the disk, its partitions and the SCSI host hang under the pvscsi device', T, async () => {
  const { out, c } = await ok('blocks');
  assert.equal(
    out.trim(),
    [`sda ${SDA_PATH}`, `sda1 ${SDA_PATH}/sda1`, `sda2 ${SDA_PATH}/sda2`, 'host0 ../../devices/pci0000:00/0000:00:11.0/host0/scsi_host/host0'].join('\n'),
    c,
  );
});

test('sda1 is mounted at /mnt/disk0 (ext2) and sda2 is swap', T, async () => {
  const { out, c } = await ok('mounts');
  assert.match(out, /^\/proc\/mounts:\/dev\/sda1 \/mnt\/disk0 ext2 rw/m, c);
  assert.match(out, /^\/proc\/swaps:\/dev\/sda2\s+partition\s/m, c);
});

test('the default route is via 192.168.77.1 on eth0, and another can be added on eth1', T, async () => {
  const { out, c } = await ok('route');
  assert.match(out, /^eth0\t00000000\t014DA8C0\t0003\t/m, `default via 192.168.77.1${c}`);
  const added = await ok('route-add');
  assert.match(added.out, /^eth1\t00000000\t00000000\t0001\t0\t0\t100\t/m, `default dev eth1 metric 100${added.c}`);
});

test('eth0 reaches eth1 over the QEMU hub (eth1 in a network namespace of its own)', T, async () => {
  const { out, c } = await ok('wire');
  assert.match(out, /^ping=0$/m, `ping 192.168.77.11 from eth0${c}`);
  assert.match(out, /^192\.168\.77\.11 dev eth0 lladdr 00:50:56:00:00:11 /m, `eth1's MAC learned on eth0${c}`);
  assert.match(out, new RegExp(`^eth1 ${NET1_PATH}/eth1 `, 'm'), `eth1 back in the guest's namespace${c}`);
});

test('unbinding vmxnet3 takes eth0 and its routes away; binding brings eth0 back, down', T, async () => {
  const u = await ok('net-unbind');
  assert.match(u.out, /^driver none$/m, u.c);
  assert.doesNotMatch(u.out, /^eth0 /m, u.c);
  assert.match(u.out, /^eth1 /m, u.c);
  assert.doesNotMatch(u.out, /^eth0\t/m, `no route on eth0 left${u.c}`);
  const b = await ok('net-bind');
  assert.match(b.out, /^driver vmxnet3$/m, b.c);
  assert.match(b.out, new RegExp(`^eth0 ${NET0_PATH}/eth0 00:50:56:00:00:10 down$`, 'm'), b.c);
});

test('removing the NIC behind the bridge takes it off the bus; a rescan brings it back, bound', T, async () => {
  const r = await ok('net-remove');
  assert.doesNotMatch(r.out, new RegExp(`^${NET1}$`, 'm'), r.c);
  assert.match(r.out, /^0000:00:15\.0$/m, `the bridge stays${r.c}`);
  assert.doesNotMatch(r.out, /^eth1 /m, r.c);
  const s = await ok('net-rescan');
  assert.match(s.out, /^driver vmxnet3$/m, s.c);
  assert.match(s.out, new RegExp(`^eth1 ${NET1_PATH}/eth1 00:50:56:00:00:11 `, 'm'), s.c);
});

test('driver_override none keeps vmxnet3 off the device until it is cleared', T, async () => {
  const b = await guest();
  const r = get(b, 'override');
  const c = ctx(b, r);
  assert.match(r.stdout, /^none\ndriver none\nbind=1$/m, c);
  assert.match(r.stderr, /No such device/, `bind refused with ENODEV${c}`);
  const k = await ok('override-clear');
  assert.match(k.out, /^\(null\)\ndriver vmxnet3$/m, k.c);
  assert.match(k.out, /^eth\d \.\.\/\.\.\/devices\/pci0000:00\/0000:00:10\.0\/net\/eth\d 00:50:56:00:00:10 /m, k.c);
});

test('unbinding vmw_pvscsi (swap off, unmounted) takes the host and the disk away; binding brings them back, data kept', T, async () => {
  const u = await ok('scsi-unbind');
  assert.match(u.out, /^driver none$/m, u.c);
  assert.doesNotMatch(u.out, /^(sda|host)/m, u.c);
  const b = await ok('scsi-bind');
  assert.match(b.out, /^driver vmw_pvscsi$/m, b.c);
  assert.match(b.out, new RegExp(`^sda1 ${SDA_PATH}/sda1$`, 'm'), b.c);
  assert.match(b.out, /^host\d+ \.\.\/\.\.\/devices\/pci0000:00\/0000:00:11\.0\/host\d+\/scsi_host\/host\d+$/m, b.c);
  assert.match(b.out, /^kept$/m, b.c);
});

test('removing the pvscsi device and rescanning brings the disk back', T, async () => {
  const { out, c } = await ok('scsi-remove-rescan');
  assert.match(out, /^gone$/m, c);
  assert.match(out, /^driver vmw_pvscsi$/m, c);
  assert.match(out, /^sda2 /m, c);
  assert.match(out, /^kept$/m, c);
});

test('the kernel unbinds vmw_pvscsi under a mounted file system: the mount stays, its disk is gone', T, async () => {
  const b = await guest();
  const r = get(b, 'scsi-unbind-mounted');
  const c = ctx(b, r);
  assert.match(r.stdout, /^unbind=0$/m, c);
  assert.doesNotMatch(r.stdout, /^sda/m, `no sda in /sys/class/block${c}`);
  assert.match(r.stdout, /^\/dev\/sda1 \/mnt\/disk0 ext2 /m, `still in /proc/mounts${c}`);
  assert.match(r.stdout, /^umount=0$/m, c);
});

test('with the host share, onhost sees the same interfaces and the mount, and a mount or umount on either side shows on both', T, async () => {
  const n = await ok('nets', 'share');
  assert.equal(n.out.trim(), [`eth0 ${NET0_PATH}/eth0 00:50:56:00:00:10 up`, `eth1 ${NET1_PATH}/eth1 00:50:56:00:00:11 up`].join('\n'), n.c);
  const m = await ok('mounts', 'share');
  assert.match(m.out, /^\/proc\/mounts:\/dev\/sda1 \/mnt\/disk0 ext2 rw/m, m.c);
  assert.match(m.out, /^\/proc\/swaps:\/dev\/sda2\s+partition\s/m, m.c);
  const u = await ok('umount', 'share');
  assert.doesNotMatch(u.out, /sda/, `umount in the guest's root shows in onhost's view${u.c}`);
  const o = await ok('mount', 'share');
  assert.match(o.out, /^\/dev\/sda1 \/mnt\/disk0 ext2 /m, `onhost's mount shows in the guest's root${o.c}`);
});
