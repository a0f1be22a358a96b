// Entry of the standalone binary (bun build --compile): the native artifacts
// ride inside the executable and src/ffi/paths.ts finds them through this global.
import libvmt from '../native/build/libvmt.so' with { type: 'file' };
import vmtTrace from '../native/build/vmt-trace' with { type: 'file' };
import { main } from '../src/main.js';

(globalThis as { __vmtEmbedded?: Record<string, string> }).__vmtEmbedded = { 'libvmt.so': libvmt, 'vmt-trace': vmtTrace };
void main();
