// The body of the standalone binary. Its entry (bin/vmt-bin.ts, or the one
// scripts/binaries.mjs writes per flavour into native/build/entries/) imports
// the flavour's native artifacts with { type: 'file' }, so that they ride
// inside the executable, and passes their paths here; src/ffi/paths.ts finds
// them through this global.
import { basename } from 'node:path';
import type { NativeArtifact } from '../src/ffi/paths.js';
import { fastPath } from '../src/fast.js';

export function startBinary(embedded: Partial<Record<NativeArtifact, string>>): void {
  (globalThis as { __vmtEmbedded?: Partial<Record<NativeArtifact, string>> }).__vmtEmbedded = embedded;
  // oclif (bin/main.ts) is imported only when the fast path passes; argv0 is the
  // name it was run by (vmware-rpctool, vmware-checkvm through a symlink)
  void fastPath(process.argv.slice(2), basename(process.argv0)).then(async (code) => {
    if (code === null) await (await import('./main.js')).main();
    else process.exitCode = code;
  });
}
