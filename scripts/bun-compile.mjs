// Run by bun, not node: `bun scripts/bun-compile.mjs '<json>'`, from
// scripts/binaries.mjs, which passes { entry, outfile, target, executablePath? }.
// The standalone binary through Bun.build rather than `bun build --compile`:
// the same options, plus a plugin that leaves out of the binary what it never
// runs (scripts/leave-out.mjs, shared with the Node single executable,
// scripts/node-sea.mjs). Each such module costs the binary about 4-5 times its minified size
// (source and bytecode), and some cost start-up as well, being evaluated
// whenever @oclif/core loads (bench/SIZE.md has the numbers):
//   semver      oclif's engine check only, compiled out by the define below;
//   minimatch   oclif's plugin loader, for plugin name patterns (vmt has no plugins);
//   tinyglobby  oclif's 'pattern' command discovery (vmt's is 'explicit', bin/main.ts);
// and of cli-spinners' 31 KB table only the spinners that ora and oclif pick
// by default (dots, line, dots2). A left-out module that is reached anyway
// throws an error that names it, instead of the binary doing something else.
import { leaveOut } from './leave-out.mjs';

const { entry, outfile, target, executablePath } = JSON.parse(process.argv[2] ?? '{}');
if (!entry || !outfile || !target) {
  console.error('bun-compile: expected one JSON argument { entry, outfile, target, executablePath? }');
  process.exit(2);
}
const result = await Bun.build({
  entrypoints: [entry],
  compile: {
    target,
    outfile,
    ...(executablePath ? { executablePath } : {}),
    // a compiled bun binary otherwise loads .env and bunfig.toml from the current directory
    // (a .env with VMT_LIBVMT=... there would make vmt dlopen another library)
    autoloadDotenv: false,
    autoloadBunfig: false,
  },
  minify: true,
  bytecode: true,
  // oclif and the commands behind it in chunks of their own, loaded by the import() that needs
  // them: the fast path (bin/binary.ts, src/fast.ts) then loads and evaluates only its own code
  // (bench/SIZE.md, "Start-up"). Bun splits only ES modules.
  format: 'esm',
  splitting: true,
  external: ['typescript', 'ffi-rs'],
  define: {
    'process.env.NODE_ENV': '"production"',
    // oclif's load-time engine check requires all of semver and reads a package.json (~2 ms of a ~20 ms start)
    'process.env.OCLIF_DISABLE_ENGINE_WARNING': '"1"',
  },
  plugins: [leaveOut],
});
if (!result.success) {
  for (const log of result.logs) console.error(log);
  process.exit(1);
}
