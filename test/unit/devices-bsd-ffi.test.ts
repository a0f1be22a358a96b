// libvmt's ioctl entries (native/libvmt/ioctl.c) through each runtime's FFI, on
// Linux: there is no /dev/drvctl or /dev/devctl2 here, so the BSD paths end in
// -ENOENT (and vmt's words for it); /dev/null shows the request is issued
// (-ENOTTY), and the size checks refuse before any system call (-EINVAL).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers.js';

const root = repoRoot();
const probe = join(root, 'build/test/unit/devices-bsd-ffi-probe.js');
const ENOENT = 2;
const ENOTTY = 25;
const EINVAL = 22;

const runtimes: Record<string, string[]> = {
  node: [process.execPath],
  bun: [join(root, 'node_modules/.bin/bun')],
  deno: [join(root, 'node_modules/.bin/deno'), 'run', '-A'],
};

test('this machine has neither /dev/drvctl nor /dev/devctl2 (what the tests below rely on)', () => {
  assert.equal(existsSync('/dev/drvctl'), false);
  assert.equal(existsSync('/dev/devctl2'), false);
});

for (const [name, cmd] of Object.entries(runtimes)) {
  test(`${name}: vmt_ioctl_path and vmt_ioctl_path_buf exist and return -errno`, () => {
    const r = spawnSync(cmd[0]!, [...cmd.slice(1), probe], { encoding: 'utf8', env: { ...process.env, VMT_VSOCK_FORBID: '1', NO_COLOR: '1' }, timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    assert.equal(out.drvctlMissing, -ENOENT);
    assert.equal(out.devctl2Missing, -ENOENT);
    assert.equal(out.devNull, -ENOTTY, 'opened read-only and issued: /dev/null knows no ioctl');
    assert.equal(out.devNullWrite, -ENOTTY, 'opened read-write and issued');
    assert.equal(out.argShort, -EINVAL, 'a 15-byte arg for a 16-byte request');
    assert.equal(out.bufArgShort, -EINVAL, 'a 24-byte arg for a 32-byte request');
    assert.equal(out.pointerPastEnd, -EINVAL, 'a pointer at 25 does not fit 32 bytes');
    assert.equal(out.pointerNegative, -EINVAL);
    assert.equal(out.patchedRc, -ENOTTY);
    assert.equal(out.patchedAround, '00'.repeat(16) + '04' + '00'.repeat(7), 'only the pointer\'s 8 bytes change');
    assert.notEqual(out.pointer, '0', 'the buffer\'s address went into the struct');
    assert.equal(out.sharedDistance, '32', 'the buffer passed is the caller\'s own memory, not a copy');
    if (out.expectedPointer !== null) assert.equal(out.pointer, out.expectedPointer, 'it is the address of the buffer passed');
    assert.deepEqual(out.detach, {
      kind: 'DrvctlError', errno: ENOENT, exit: 3,
      message: "there is no /dev/drvctl (ENOENT): this is not NetBSD, or its kernel was built without 'pseudo-device drvctl'",
    });
    assert.deepEqual(out.devctlDetach, {
      kind: 'DevctlError', errno: ENOENT, exit: 3,
      message: 'there is no /dev/devctl2 (ENOENT): this is not FreeBSD, or its kernel has no devctl2 (devctl(8) needs it too)',
    });
  });
}
