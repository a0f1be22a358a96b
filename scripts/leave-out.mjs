// What the standalone binaries leave out (see scripts/bun-compile.mjs for why):
// one bundler plugin for Bun.build (the bun flavours) and esbuild (the Node
// single executable, scripts/node-sea.mjs), whose plugin APIs agree here.
import { readFileSync } from 'node:fs';

/** Modules of the bundle that the binary never runs: each becomes a stub that throws when used. */
const LEFT_OUT = ['semver', 'minimatch', 'tinyglobby'];
/** The spinners kept from cli-spinners: ora's defaults (dots, and line where Unicode is not supported) and oclif's (dots2). */
const SPINNERS = ['dots', 'dots2', 'line'];

export const leaveOut = {
  name: 'vmt-leave-out',
  setup(build) {
    const names = new RegExp(`^(${LEFT_OUT.join('|')})$`);
    build.onResolve({ filter: names }, (args) => ({ path: args.path, namespace: 'vmt-left-out' }));
    build.onLoad({ filter: /.*/, namespace: 'vmt-left-out' }, (args) => ({
      loader: 'js',
      contents: `const absent = () => { throw new Error(${JSON.stringify(`${args.path} is not in the vmt binary (scripts/leave-out.mjs)`)}); };
module.exports = new Proxy({}, { get: (_, key) => (key === '__esModule' || typeof key === 'symbol' ? undefined : absent) });`,
    }));
    build.onLoad({ filter: /[\\/]cli-spinners[\\/]spinners\.json$/ }, (args) => {
      const all = JSON.parse(readFileSync(args.path, 'utf8'));
      return { loader: 'json', contents: JSON.stringify(Object.fromEntries(SPINNERS.map((s) => [s, all[s]]))) };
    });
  },
};
