// Entry of the standalone binary (bun build --compile): libvmt rides inside
// the executable and src/ffi finds it through this global.
import libvmt from '../native/build/libvmt.so' with { type: 'file' };
import { main } from '../src/main.js';

(globalThis as { __vmtEmbeddedLibvmt?: string }).__vmtEmbeddedLibvmt = libvmt;
void main();
