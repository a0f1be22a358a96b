// Which runtime runs vmt, for `vmt --version`: the one place besides
// index.ts that asks (src/ffi is the only runtime switch).
import { embeddedPath } from './paths.js';

/** "node-v20.20.2", "bun-1.4.5", "deno-2.9.6"; the binary adds "(standalone binary)". */
export function runtimeName(): string {
  const g = globalThis as { Bun?: { version: string }; Deno?: { version: { deno: string } } };
  const name = g.Bun ? `bun-${g.Bun.version}` : g.Deno ? `deno-${g.Deno.version.deno}` : `node-${process.version}`;
  return embeddedPath('libvmt.so') ? `${name} (standalone binary)` : name;
}
