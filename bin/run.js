#!/usr/bin/env node
// dist/fast.js answers `--version` and a plain `checkvm` without loading oclif
// (src/fast.ts); everything else goes to the oclif bundle, dist/vmt.js.
import { fastPath } from '../dist/fast.js';

const code = await fastPath(process.argv.slice(2));
if (code === null) await (await import('../dist/vmt.js')).main();
else process.exitCode = code;
