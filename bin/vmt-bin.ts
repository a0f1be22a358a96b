// Entry of the standalone binary for this machine (bench/breakdown.sh compiles
// it); scripts/binaries.mjs writes the same few lines per flavour, with that
// flavour's libvmt (native/build/entries/). The native artifacts ride inside
// the executable.
import libvmt from '../native/build/libvmt.so' with { type: 'file' };
import vmtTrace from '../native/build/vmt-trace' with { type: 'file' };
import { startBinary } from './binary.js';

startBinary({ 'libvmt.so': libvmt, 'vmt-trace': vmtTrace });
