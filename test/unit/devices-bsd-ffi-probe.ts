// Run by devices-bsd-ffi.test.ts under node, bun and deno (not a test file itself):
// libvmt's ioctl entries through this runtime's FFI, on Linux, as one JSON line.
import { loadLibvmt } from '../../src/ffi/index.js';
import { detachDevice, DrvctlError } from '../../src/devices/bsd/drvctl.js';
import { devctlDetach, DevctlError } from '../../src/devices/bsd/devctl.js';

const lib = await loadLibvmt();
const g = globalThis as Record<string, unknown>;

/** The address this runtime passes for buf (bun:ffi's ptr, Deno.UnsafePointer), or null under ffi-rs. */
async function addressOf(buf: Uint8Array): Promise<string | null> {
  if ('Bun' in g) return String((await import('bun:ffi' as string)).ptr(buf));
  if ('Deno' in g) {
    const D = g.Deno as { UnsafePointer: { of(b: Uint8Array): unknown; value(p: unknown): bigint } };
    return String(D.UnsafePointer.value(D.UnsafePointer.of(buf)));
  }
  return null;
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const caught = (f: () => void) => {
  try {
    f();
    return null;
  } catch (err) {
    const e = err as DrvctlError | DevctlError;
    return { kind: e.constructor.name, errno: e.errno, exit: e.exit, message: e.message };
  }
};

// DRVLISTDEV's struct on amd64: the names pointer at 16; /dev/null refuses the request (ENOTTY) after the patch
const listArg = new Uint8Array(32);
listArg[24] = 4;
const names = new Uint8Array(64);
const patchedRc = lib.ioctlPathBuf('/dev/null', false, 0xc020447f, listArg, 16, names);
const pointer = new DataView(listArg.buffer).getBigUint64(16, true);

// two views of one ArrayBuffer, 32 bytes apart: the addresses passed are 32 apart when the FFI passes
// the JavaScript memory itself (so what the kernel writes through the pointer lands in the caller's buffer)
const shared = new Uint8Array(128);
const at = (from: number) => {
  lib.ioctlPathBuf('/dev/null', false, 0xc020447f, shared.subarray(0, 32), 16, shared.subarray(from, from + 32));
  return new DataView(shared.buffer).getBigUint64(16, true);
};
const sharedDistance = String(at(64) - at(32));

console.log(JSON.stringify({
  drvctlMissing: lib.ioctlPath('/dev/drvctl', true, 0x8010447b, new Uint8Array(16)),
  devctl2Missing: lib.ioctlPath('/dev/devctl2', false, 0x80984402, new Uint8Array(152)),
  devNull: lib.ioctlPath('/dev/null', false, 0x8010447b, new Uint8Array(16)),
  devNullWrite: lib.ioctlPath('/dev/null', true, 0x8030447c, new Uint8Array(48)),
  argShort: lib.ioctlPath('/dev/null', false, 0x8010447b, new Uint8Array(15)),
  bufArgShort: lib.ioctlPathBuf('/dev/null', false, 0xc020447f, new Uint8Array(24), 16, new Uint8Array(16)),
  pointerPastEnd: lib.ioctlPathBuf('/dev/null', false, 0xc020447f, new Uint8Array(32), 25, new Uint8Array(16)),
  pointerNegative: lib.ioctlPathBuf('/dev/null', false, 0xc020447f, new Uint8Array(32), -1, new Uint8Array(16)),
  patchedRc,
  patchedAround: hex(listArg.subarray(0, 16)) + hex(listArg.subarray(24)),
  pointer: String(pointer),
  expectedPointer: await addressOf(names),
  sharedDistance,
  detach: caught(() => detachDevice({ lib }, 'vmt0')),
  devctlDetach: caught(() => devctlDetach({ lib }, 'vmci0')),
}));
