// The cold-start fast path: vmt invoked as vmware-rpctool or vmware-checkvm
// (src/cli/compat.ts), `vmt --version` and a plain `vmt checkvm
// [--json | -q] [--probe | --[no-]knock]` are answered without loading oclif
// and without touching process.stdout/stderr. Loading oclif is ~14 ms of the
// binary's ~20 ms: the node: built-ins it needs (tty -> net -> stream, ...;
// Bun compiles these on first use), its own modules, and Config.load; see
// bench/RESULTS.md. Anything else -- other commands, --help, --debug, bad or
// repeated flags, WSL -- returns null and goes through oclif, which prints the
// same bytes.
import { writeSync } from 'node:fs';
import { arch, platform, release } from 'node:os';
import pjson from '../package.json' with { type: 'json' };
import { compat } from './cli/compat.js';
import { Exit } from './cli/exit.js';
import { checkvm, renderCheckvm } from './detect/checkvm.js';
import { LibvmtUnavailable } from './ffi/index.js';

/** The exit status when the fast path answered, else null (run oclif). `invokedAs`: the name vmt was run by. */
export async function fastPath(argv: string[], invokedAs = 'vmt'): Promise<number | null> {
  const stand_in = await compat(invokedAs, argv);
  if (stand_in !== null) return stand_in;
  if (argv[0] === '--version') return version();
  if (argv[0] === 'checkvm') return fastCheckvm(argv.slice(1));
  return null;
}

// oclif's Config.userAgent; oclif says "wsl" for the platform under WSL.
function version(): number | null {
  if (platform() === 'linux' && /microsoft/i.test(release())) return null;
  const a = arch() === 'ia32' ? 'x86' : arch();
  write(1, `${pjson.name}/${pjson.version} ${platform()}-${a} node-${process.version}\n`);
  return Exit.OK;
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
    const r = await checkvm(seen.has('probe') ? 'always' : args.includes('--no-knock') ? 'never' : 'auto');
    if (!seen.has('quiet')) write(1, renderCheckvm(r, seen.has('json')));
    return r.probe.verdict.exit;
  } catch (err) {
    if (err instanceof LibvmtUnavailable) {
      write(2, `vmt checkvm: ${err.message}\n`);
      return Exit.UNAVAILABLE;
    }
    return null; // unexpected: oclif runs it again (checkvm only reads) and reports it
  }
}

function write(fd: number, text: string): void {
  const buf = Buffer.from(text);
  for (let off = 0; off < buf.length; ) {
    try {
      off += writeSync(fd, buf, off);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') return;
      if (code !== 'EAGAIN') throw err;
    }
  }
}
