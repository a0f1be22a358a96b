// vmt devices as a command: the records a pipe gets and the JSON document, on
// every runtime, over a fake tree; a machine without VMware devices; and the
// TCLO owner named right for a vmt tclo listen under the sim and a vmtoolsd.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { run } from '../../helpers.js';
import { fakeTree } from '../../unit/fake-sysfs.js';
import { SIM } from '../../sim/sim-helpers.js';
import { everywhere, oneJson, VMT } from '../helpers.js';

const tree = () =>
  fakeTree(
    [
      { address: '0000:0b:00.0', vendor: 0x15ad, device: 0x07b0, driver: 'vmxnet3', net: ['ens192'] },
      { address: '0000:03:00.0', vendor: 0x15ad, device: 0x07c0, pciClass: 0x010700, driver: 'vmw_pvscsi', scsi: [{ host: 'host0', disks: [{ name: 'sda', partitions: ['sda1'] }] }] },
      { address: '0000:00:00.0', vendor: 0x8086, device: 0x7190, pciClass: 0x060000 },
    ],
    { routes: ['ens192'], mounts: [['/dev/sda1', '/', 'ext4']], modules: ['vmxnet3', 'vmw_pvscsi'] },
  );

test('vmt devices in a pipe: one tab-separated record per line, kind first, the same on every runtime', () => {
  const r = tree();
  everywhere(['devices', '--sysfs-root', r.sys, '--proc-root', r.proc], (res, rt) => {
    assert.equal(res.status, 0, `${rt}: ${res.stderr}`);
    const lines = res.stdout.trimEnd().split('\n');
    assert.deepEqual(lines.slice(0, 4), [
      'pci\t0000:03:00.0\t15ad:07c0\tPVSCSI\tvmw_pvscsi\thost0: sda (sda1 on /)',
      'pci\t0000:0b:00.0\t15ad:07b0\tvmxnet3\tvmxnet3\tens192 (default route)',
      'module\tvmw_pvscsi',
      'module\tvmxnet3',
    ]);
    assert.ok(lines.slice(4).every((l) => l.startsWith('tclo\t')), `${rt}: only TCLO owners after the modules\n${res.stdout}`);
    assert.equal(res.stderr, '');
  });
});

test('vmt devices --json: devices with driver and carries, modules, tclo; a machine without VMware devices: exit 1, said on stderr', () => {
  const r = tree();
  const res = run(VMT, ['devices', '--json', '--sysfs-root', r.sys, '--proc-root', r.proc]);
  assert.equal(res.status, 0, res.stderr);
  const j = oneJson(res, 'devices --json') as { devices: { address: string; driver: string; net: { name: string; defaultRoute: boolean }[]; scsi: { disks: { name: string; mounts: { target: string }[] }[] }[] }[]; modules: string[]; tclo: unknown[] };
  assert.deepEqual(j.devices.map((d) => [d.address, d.driver]), [['0000:03:00.0', 'vmw_pvscsi'], ['0000:0b:00.0', 'vmxnet3']]);
  assert.deepEqual(j.devices[1]!.net, [{ name: 'ens192', addresses: [], defaultRoute: true }]);
  assert.equal(j.devices[0]!.scsi[0]!.disks[0]!.mounts[0]!.target, '/');
  assert.deepEqual(j.modules, ['vmw_pvscsi', 'vmxnet3']);
  assert.ok(Array.isArray(j.tclo));
  const none = fakeTree([{ address: '0000:00:00.0', vendor: 0x8086, device: 0x7190 }]);
  const empty = run(VMT, ['devices', '--sysfs-root', none.sys, '--proc-root', none.proc], { XDG_RUNTIME_DIR: none.run });
  assert.equal(empty.status, 1);
  assert.equal(empty.stdout, '');
  assert.equal(empty.stderr, 'vmt devices: no VMware PCI devices and no VMware modules here\n');
});

test('vmt devices on this machine: no crash, exit 0 or 1, records only', () => {
  const res = run(VMT, ['devices']);
  assert.ok(res.status === 0 || res.status === 1, res.stderr);
  for (const l of res.stdout.split('\n').filter(Boolean)) assert.match(l, /^(pci|module|tclo)\t/);
});

const tcloOf = (dir: string, proc?: string) => {
  const res = run(VMT, ['devices', '--json', ...(proc ? ['--proc-root', proc] : [])], { XDG_RUNTIME_DIR: dir });
  return (oneJson(res, 'devices --json') as { tclo: { agent: string; pid?: number; app?: string }[] }).tclo;
};

test('the TCLO owner: a vmt tclo listen under the sim (by its pid file), then a process called vmtoolsd', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vmt-devices-'));
  const app = `devices-test-${process.pid}`;
  const listener = spawn(SIM[0]!, [...SIM.slice(1), 'sim', '--timeout', '30', '--', ...VMT, 'tclo', 'listen', '--app', app, '--timeout', '25'], { env: { ...process.env, XDG_RUNTIME_DIR: dir }, stdio: 'ignore' });
  const pidFile = join(dir, `vmt-tclo-${app}.pid`);
  try {
    for (let i = 0; i < 200 && !existsSync(pidFile); i++) await sleep(100);
    const pid = Number.parseInt(readFileSync(pidFile, 'utf8'), 10);
    const owners = tcloOf(dir);
    assert.deepEqual(owners.find((o) => o.app === app), { agent: 'vmt tclo listen', pid, app, advice: `stop it (kill ${pid})` });
  } finally {
    listener.kill('SIGTERM');
  }
  const fake = join(dir, 'vmtoolsd'); // not open-vm-tools: sleep under that name
  copyFileSync('/bin/sleep', fake);
  const vmtoolsd = spawn(fake, ['30'], { stdio: 'ignore' });
  try {
    await sleep(200);
    const owners = tcloOf(dir);
    const found = owners.find((o) => o.agent === 'vmtoolsd');
    assert.ok(found, JSON.stringify(owners));
    // the first vmtoolsd the scan finds: ours, unless the machine runs a real one too
    const real = run(['pgrep', '-x', 'vmtoolsd'], []).stdout.split('\n').filter(Boolean).map(Number);
    assert.ok(real.includes(found.pid!) && real.includes(vmtoolsd.pid!), `${found.pid} is a vmtoolsd (${real})`);
  } finally {
    vmtoolsd.kill('SIGTERM');
  }
  assert.deepEqual(tcloOf(dir, join(dir, 'no-proc')).filter((o) => o.agent === 'vmtoolsd'), [], '--proc-root: vmtoolsd looked for there');
});

test('vmt devices on a terminal: a table (cli-table3) with the same devices, then the modules and the TCLO owner', () => {
  const r = tree();
  // script(1) gives the command a pseudo-terminal
  const res = run(['script', '-qec', `${VMT.map((a) => `'${a}'`).join(' ')} devices --sysfs-root '${r.sys}' --proc-root '${r.proc}'`, '/dev/null'], [], { XDG_RUNTIME_DIR: r.run });
  assert.equal(res.status, 0, res.stderr);
  const out = res.stdout.replace(/\r/g, '');
  assert.match(out, /^┌─+┬/);
  assert.match(out, /│ Address +│ ID +│ Device +│ Driver +│ Carries +│/);
  assert.match(out, /│ 0000:03:00\.0 │ 15ad:07c0 │ PVSCSI +│ vmw_pvscsi │ host0: sda \(sda1 on \/\) +│/);
  assert.match(out, /│ 0000:0b:00\.0 │ 15ad:07b0 │ vmxnet3 +│ vmxnet3 +│ ens192 \(default route\) +│/);
  assert.match(out, /\nModules loaded: vmw_pvscsi, vmxnet3\nTCLO channel: [^\n]+\n$/);
});
