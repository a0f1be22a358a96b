// The one runtime switch in vmt: libvmt through ffi-rs on Node, bun:ffi on
// Bun and Deno.dlopen on Deno, behind one small interface. Nothing outside
// this folder asks which runtime it runs on.
import { existsSync } from 'node:fs';
import { nativePath } from './paths.js';
import type { Libvmt } from './types.js';

export type { Libvmt } from './types.js';

export class LibvmtUnavailable extends Error {}

export const LIBVMT_ABI = 3;

/** Where libvmt is: $VMT_LIBVMT, else the copy the standalone binary embeds, native/build holds or the package ships prebuilt (paths.ts). */
export function libvmtPath(): string {
  return process.env.VMT_LIBVMT || nativePath('libvmt.so');
}

let loaded: Promise<Libvmt> | undefined;

export function loadLibvmt(): Promise<Libvmt> {
  loaded ??= open();
  return loaded;
}

async function open(): Promise<Libvmt> {
  const path = libvmtPath();
  if (!path.startsWith('/$bunfs/') && !existsSync(path)) {
    throw new LibvmtUnavailable(`libvmt is missing (${path}); run 'npm install' (or 'npm run build') to compile it`);
  }
  const g = globalThis as Record<string, unknown>;
  let lib: Libvmt & { abi(): number };
  try {
    if ('Bun' in g) lib = await (await import('./bun.js')).openBun(path);
    else if ('Deno' in g) lib = (await import('./deno.js')).openDeno(path);
    else lib = (await import('./node.js')).openNode(path);
  } catch (err) {
    throw new LibvmtUnavailable(`cannot load libvmt (${path}): ${(err as Error).message}`);
  }
  if (lib.abi() !== LIBVMT_ABI) throw new LibvmtUnavailable(`libvmt at ${path} has ABI ${lib.abi()}, expected ${LIBVMT_ABI}; rebuild with 'npm run build'`);
  return lib;
}
