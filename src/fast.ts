// The cold-start fast path: vmt invoked as vmware-rpctool or vmware-checkvm
// (src/cli/compat.ts), `vmt rpc` in its plain forms, `vmt --version` and a plain `vmt checkvm
// [--json | -q] [--probe | --[no-]knock]` are answered without loading oclif
// and without touching process.stdout/stderr (oclif, the node: built-ins it
// needs and its Config.load are most of an oclif command's start-up; see
// bench/HISTORY.md). Anything else -- other commands, --help, --debug, bad or
// repeated flags -- returns null and goes through oclif, which prints the same
// bytes (test/cli/fast-path.test.ts compares them; VMT_FAST_PATH=0 turns this path off).
// Each answer imports what it needs when it is chosen: in the binary, bun
// splits those imports into chunks of their own (scripts/bun-compile.mjs), so
// `--version` loads neither libvmt's binding nor the GuestRPC code.
import { Exit, UsageError, VmtError } from './cli/exit.js';
import { errorJson, write, writeJson } from './cli/output.js';
import { VERSION_WORDS, versionLine } from './cli/version.js';

/** The names vmt stands in for (src/cli/compat.ts). */
const STAND_INS = ['vmware-rpctool', 'vmware-checkvm'];

/** The exit status when the fast path answered, else null (run oclif). `invokedAs`: the name vmt was run by. */
export async function fastPath(argv: string[], invokedAs = 'vmt'): Promise<number | null> {
  if (STAND_INS.includes(invokedAs)) return (await import('./cli/compat.js')).compat(invokedAs, argv);
  if (process.env.VMT_FAST_PATH === '0') return null; // the parity test compares both paths
  if (argv.length === 1 && VERSION_WORDS.includes(argv[0]!)) return write(1, versionLine()), Exit.OK;
  if (argv[0] === 'checkvm') return fastCheckvm(argv.slice(1));
  if (argv[0] === 'rpc') return fastRpc(argv.slice(argv[1] === 'send' ? 2 : 1)); // rpc send: an alias
  return null;
}

const CHECKVM_FLAGS: Record<string, string> = { '--json': 'json', '-q': 'quiet', '--quiet': 'quiet', '--probe': 'probe', '--knock': 'knock', '--no-knock': 'knock' };

async function fastCheckvm(args: string[]): Promise<number | null> {
  const seen = new Set<string>();
  for (const a of args) {
    const name = CHECKVM_FLAGS[a];
    if (!name || seen.has(name)) return null;
    seen.add(name);
  }
  // the exclusive pairs: oclif words the error
  if ((seen.has('json') && seen.has('quiet')) || (seen.has('probe') && seen.has('knock'))) return null;
  try {
    const { checkvm, renderCheckvm } = await import('./detect/checkvm.js');
    const r = await checkvm(seen.has('probe') ? 'always' : args.includes('--no-knock') ? 'never' : 'auto');
    if (!seen.has('quiet')) write(1, renderCheckvm(r, seen.has('json')));
    return r.probe.verdict.exit;
  } catch {
    return null; // libvmt missing, or unexpected: oclif runs it again (checkvm only reads) and reports it
  }
}

/** `vmt rpc [send] [--json] [--raw] [--probe] [--transport auto|backdoor] (COMMAND | -f FILE | --batch [-0])`; anything else goes to oclif. */
async function fastRpc(args: string[]): Promise<number | null> {
  const name = 'rpc';
  let json = false;
  let raw = false;
  let probe = false;
  let transport: 'auto' | 'backdoor' | undefined;
  let file: string | undefined;
  let command: string | undefined;
  let batch = false;
  let nul = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--json' && !json) json = true;
    else if (a === '--batch' && !batch) batch = true;
    else if ((a === '-0' || a === '--null') && !nul) nul = true;
    else if (a === '--raw' && !raw) raw = true;
    else if (a === '--probe' && !probe) probe = true;
    else if ((a === '--transport' || a === '-f') && i + 1 < args.length) {
      const v = args[++i]!;
      if (a === '-f' && file === undefined) file = v;
      else if (a === '--transport' && transport === undefined && (v === 'auto' || v === 'backdoor')) transport = v;
      else return null;
    } else if (!a.startsWith('-') && command === undefined) command = a;
    else return null;
  }
  if (batch || nul) {
    if (!batch || raw || command !== undefined || file !== undefined) return null; // oclif words the error
  } else if ((command === undefined) === (file === undefined)) return null;
  const { LibvmtUnavailable } = await import('./ffi/index.js');
  try {
    if (batch) return await (await import('./cli/rpc-batch.js')).runRpcBatch({ nul, transport: transport ?? 'auto', probe });
    const [{ runRpc }, { bytes, readInput }] = await Promise.all([import('./cli/rpc-run.js'), import('./cli/input.js')]);
    return await runRpc(file !== undefined ? await readInput(file, { raw }) : bytes(command!), { json, transport: transport ?? 'auto', probe });
  } catch (err) {
    if (err instanceof VmtError || err instanceof LibvmtUnavailable) {
      const exit = err instanceof VmtError ? err.exit : Exit.UNAVAILABLE;
      if (err instanceof UsageError) {
        const [{ usageText }, { RPC_USAGE }] = await Promise.all([import('./cli/argv.js'), import('./cli/rpc-run.js')]);
        write(2, usageText(name, RPC_USAGE, err.message));
      } else write(2, `vmt ${name}: ${err.message}\n`);
      if (json) writeJson(errorJson(err.message, exit));
      return exit;
    }
    throw err;
  }
}
