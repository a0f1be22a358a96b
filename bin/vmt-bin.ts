// Entry of the standalone binary (bun build --compile): the native artifacts
// ride inside the executable and src/ffi/paths.ts finds them through this global.
import libvmt from '../native/build/libvmt.so' with { type: 'file' };
import vmtTrace from '../native/build/vmt-trace' with { type: 'file' };
import { fastPath } from '../src/fast.js';

(globalThis as { __vmtEmbedded?: Record<string, string> }).__vmtEmbedded = { 'libvmt.so': libvmt, 'vmt-trace': vmtTrace };
// oclif (src/main.js) is imported only when the fast path passes
void fastPath(process.argv.slice(2)).then(async (code) => {
  if (code === null) await (await import('../src/main.js')).main();
  else process.exitCode = code;
});
