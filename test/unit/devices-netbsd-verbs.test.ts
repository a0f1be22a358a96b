// vmt detach / attach on NetBSD against a stand-in kernel behind libvmt's ioctl
// entries (no BSD runs here): vmt0 detached and attached again at cpu0's
// cpufeaturebus, the parent remembered, "already" as exit 1, unknown names as
// usage errors with the candidates.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { netbsdVerb } from '../../src/cli/devices-bsd.js';
import { UsageError } from '../../src/cli/exit.js';
import { drvctlRequests, listLayout, decodeListCount, type DrvctlTarget } from '../../src/devices/bsd/drvctl.js';
import { hostAbi } from '../../src/devices/bsd/ioccom.js';

/** A NetBSD kernel's device tree that detach and rescan change, as drvctl's ioctls would. */
function kernel() {
  const abi = hostAbi();
  const req = drvctlRequests(abi);
  const tree: Record<string, string[]> = { '(root)': ['mainbus0'], mainbus0: ['cpu0', 'pci0'], cpu0: ['vmt0'], pci0: ['vmx0'], vmt0: [], vmx0: [] };
  const detached = new Map<string, string>();
  const seen: string[] = [];
  const name = (arg: Uint8Array, at = 0) => Buffer.from(arg.subarray(at, at + 16)).toString('latin1').replace(/\0.*$/s, '');
  const list = (arg: Uint8Array, buf?: Uint8Array) => {
    const kids = tree[name(arg) || '(root)'];
    if (!kids) return -6;
    if (buf) kids.slice(0, decodeListCount(arg, abi)).forEach((c, i) => buf.set(Buffer.from(`${c}\0`), 16 * i));
    const dv = new DataView(arg.buffer, arg.byteOffset);
    if (abi.pointerSize === 8) dv.setBigUint64(listLayout(abi).children, BigInt(kids.length), abi.littleEndian);
    else dv.setUint32(listLayout(abi).children, kids.length, abi.littleEndian);
    return 0;
  };
  const lib: DrvctlTarget['lib'] = {
    ioctlPath(_p, _w, request, arg) {
      if (request === req.DRVLISTDEV) return list(arg);
      if (request === req.DRVDETACHDEV) {
        const dev = name(arg);
        const parent = Object.keys(tree).find((p) => tree[p]!.includes(dev));
        if (!parent) return -6;
        tree[parent] = tree[parent]!.filter((c) => c !== dev);
        detached.set(dev, parent);
        seen.push(`detach ${dev}`);
        return 0;
      }
      if (request === req.DRVRESCANBUS) {
        const bus = name(arg);
        const attr = name(arg, 16);
        seen.push(`rescan ${attr ? `-a ${attr} ` : ''}${bus}`);
        for (const [dev, parent] of detached) if (parent === bus && (bus !== 'cpu0' || attr === 'cpufeaturebus')) tree[bus]!.push(dev), detached.delete(dev);
        return 0;
      }
      return -25;
    },
    ioctlPathBuf(_p, _w, request, arg, _off, buf) {
      return request === req.DRVLISTDEV ? list(arg, buf) : -25;
    },
  };
  return { t: { lib } as DrvctlTarget, tree, seen };
}

test('NetBSD: detach vmt0, then attach it again by rescanning cpu0 at cpufeaturebus; both again are exit 1', () => {
  const k = kernel();
  const run = mkdtempSync(join(tmpdir(), 'vmt-netbsd-'));
  const d = netbsdVerb('detach', ['vmt0'], { dryRun: false, run }, k.t);
  assert.deepEqual([d.lines, d.exit], [['detached vmt0'], 0]);
  assert.deepEqual(k.tree.cpu0, []);
  assert.equal(netbsdVerb('detach', ['vmt0'], { dryRun: false, run }, k.t).exit, 1, 'already detached');
  const dry = netbsdVerb('attach', ['vmt0'], { dryRun: true, run }, k.t);
  assert.deepEqual(dry.lines, ['would rescan -a cpufeaturebus cpu0 through /dev/drvctl (DRVRESCANBUS)']);
  const a = netbsdVerb('attach', ['vmt0'], { dryRun: false, run }, k.t);
  assert.deepEqual([a.lines, a.exit], [['attached vmt0 (rescan -a cpufeaturebus cpu0)'], 0]);
  assert.deepEqual(k.tree.cpu0, ['vmt0']);
  assert.deepEqual(k.seen, ['detach vmt0', 'rescan -a cpufeaturebus cpu0']);
  const again = netbsdVerb('attach', ['vmt0'], { dryRun: false, run }, k.t);
  assert.equal(again.exit, 1);
  assert.match(again.notes[0]!, /vmt0 is already attached \(at cpu0\)/);
});

test('NetBSD: vmx0 comes back through its own parent; an unknown name is a usage error naming the VMware devices', () => {
  const k = kernel();
  const run = mkdtempSync(join(tmpdir(), 'vmt-netbsd-'));
  netbsdVerb('detach', ['vmx0'], { dryRun: false, run }, k.t);
  netbsdVerb('attach', ['vmx0'], { dryRun: false, run }, k.t);
  assert.deepEqual(k.seen, ['detach vmx0', 'rescan pci0']);
  assert.throws(() => netbsdVerb('detach', ['wm7'], { dryRun: false, run }, k.t), (e: Error) => e instanceof UsageError && /there is no device wm7; the VMware devices here: vmt0, vmx0/.test(e.message));
  assert.throws(() => netbsdVerb('attach', ['wm7'], { dryRun: false, run }, k.t), /does not know where wm7 attaches/);
});
