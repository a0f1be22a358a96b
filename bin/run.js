#!/usr/bin/env node
// dist/fast.js answers `--version`, a plain `checkvm` and `rpc` without loading oclif
// (src/fast.ts); everything else goes to the oclif bundle, dist/vmt.js.
// Invoked through a symlink named vmware-rpctool or vmware-checkvm, it stands in for them.
import { basename } from 'node:path';
import { fastPath } from '../dist/fast.js';

const code = await fastPath(process.argv.slice(2), basename(process.argv[1] ?? 'vmt').replace(/\.m?js$/, ''));
if (code === null) await (await import('../dist/vmt.js')).main();
else process.exitCode = code;
