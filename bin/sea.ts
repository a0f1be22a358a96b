// The body of the Node single executable, vmt-linux-x64-baseline (its entry
// is written per build by scripts/node-sea.mjs into native/build/entries/).
// Node hands the executable's assets over as bytes, not files, so libvmt,
// vmt-trace and ffi-rs's addon are first written to the per-user private
// directory (src/private-dir.ts) under names that carry their content hash,
// once; then the body is the bun binary's (bin/binary.ts).
import { getAsset } from 'node:sea';
import type { NativeArtifact } from '../src/ffi/paths.js';
import { placeOnce, privateDir } from '../src/private-dir.js';
import { startBinary } from './binary.js';

/** Per asset (key = artifact name): the file name it gets, with its content hash, and its size. */
export type SeaAssets = Partial<Record<NativeArtifact, { file: string; size: number }>>;

export function startSea(assets: SeaAssets): void {
  const embedded: Partial<Record<NativeArtifact, string>> = {};
  let dir = '';
  try {
    dir = privateDir();
    for (const [name, { file, size }] of Object.entries(assets) as [NativeArtifact, { file: string; size: number }][]) {
      embedded[name] = placeOnce(dir, file, size, () => new Uint8Array(getAsset(name)));
    }
  } catch (err) {
    // a read-only or full /tmp, a foreign vmt-<uid>: one line, exit 3 (not available here)
    process.stderr.write(`vmt: cannot write the native files vmt carries to ${dir || 'its private directory'}: ${(err as Error).message}\n`);
    process.exitCode = 3;
    return;
  }
  // ffi-rs, bundled; its addon is loaded from the file above (scripts/node-sea.mjs rewrites its loader)
  (globalThis as { __vmtFfiRs?: () => unknown }).__vmtFfiRs = () => require('ffi-rs');
  startBinary(embedded);
}
