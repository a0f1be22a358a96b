// Entry of the standalone binary (bun build --compile): the native artifacts
// ride inside the executable and src/ffi/paths.ts finds them through this global.
import libvmt from '../native/build/libvmt.so' with { type: 'file' };
import vmtTrace from '../native/build/vmt-trace' with { type: 'file' };
import { basename } from 'node:path';
import { fastPath } from '../src/fast.js';

(globalThis as { __vmtEmbedded?: Record<string, string> }).__vmtEmbedded = { 'libvmt.so': libvmt, 'vmt-trace': vmtTrace };
// oclif (bin/main.ts) is imported only when the fast path passes; argv0 is the
// name it was run by (vmware-rpctool, vmware-checkvm through a symlink)
void fastPath(process.argv.slice(2), basename(process.argv0)).then(async (code) => {
  if (code === null) await (await import('./main.js')).main();
  else process.exitCode = code;
});
