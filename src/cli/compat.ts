// Drop-in compatibility: invoked as `vmware-rpctool` or `vmware-checkvm`
// (a symlink to vmt), vmt takes open-vm-tools' arguments and prints their
// texts with their exit statuses, so cloud-init and similar agents run on vmt
// unchanged. The texts were taken from the real tools run under `vmt sim`, and
// test/sim/compat.test.ts compares both side by side.
import { VERSION_MAGIC } from '../backdoor/constants.js';
import type { Backdoor } from '../backdoor/backdoor.js';
import { ChannelError, RequestError, rpci, rpciChannel, rpciRequest } from '../guestrpc/index.js';
import { VmtError } from './exit.js';
import { findBackdoor } from './guestrpc.js';
import { withSignalsDeferred } from './signals.js';
import { write, writeHost } from './output.js';

const notVm = (name: string) => `Error: ${name} must be run inside a virtual machine on a VMware hypervisor product.\n`;
const RPCTOOL_USAGE = 'rpctool syntax:\n\n  -h | --help\tprint usage.\n  rpctool <text>\tsend <text> as an RPC command.\n';
const CHECKVM_HELP =
  'Usage:\n  vmware-checkvm [OPTION?]\n\nHelp Options:\n  -h, --help       Show help options\n\nApplication Options:\n  -p, --prod       print VMware hypervisor product.\n\n';

/** The exit status, when `name` is one of the tools vmt stands in for; else null. */
export async function compat(name: string, argv: string[]): Promise<number | null> {
  if (name === 'vmware-rpctool') return rpctool(argv);
  if (name === 'vmware-checkvm') return checkvm(argv);
  return null;
}

/** VmCheck_IsVirtualWorld: the CPUID gate, then the GETVERSION knock; version 6 (VERSION_MAGIC) only. */
async function vmwareBackdoor(): Promise<{ bd: Backdoor; product: string } | null> {
  try {
    const { backdoor, version } = await findBackdoor('auto');
    return version.version === VERSION_MAGIC ? { bd: backdoor, product: version.product } : null;
  } catch (err) {
    if (err instanceof VmtError) return null;
    throw err;
  }
}

async function rpctool(argv: string[]): Promise<number> {
  const vm = await vmwareBackdoor();
  if (!vm) return out(2, notVm('vmware-rpctool'), 255);
  if (argv.length === 0) return out(2, RPCTOOL_USAGE, 1);
  if (argv[0] === '-h' || argv[0] === '--help') return out(2, RPCTOOL_USAGE, 0);
  const command = new TextEncoder().encode(argv[0] || ' ');
  try {
    const r = await withSignalsDeferred(() => rpci(rpciChannel(vm.bd), rpciRequest(command)));
    if (!r.closed) return out(2, 'NULL\n', 1);
    writeHost(r.ok ? 1 : 2, r.reply, false);
    return out(r.ok ? 1 : 2, '\n', r.ok ? 0 : 1);
  } catch (err) {
    if (err instanceof ChannelError) return out(2, `${RPCOUT_ERRORS[err.stage]}\n`, 1);
    if (err instanceof RequestError) return out(2, `${RPCOUT_ERRORS.send}\n`, 1);
    throw err;
  }
}

const RPCOUT_ERRORS: Record<ChannelError['stage'], string> = {
  open: 'NULL',
  send: 'RpcOut: Unable to send the RPCI command',
  receive: 'RpcOut: Unable to receive the result of the RPCI command',
  close: 'NULL',
};

async function checkvm(argv: string[]): Promise<number> {
  const vm = await vmwareBackdoor();
  if (!vm) return out(2, notVm('vmware-checkvm'), 1);
  let product = false;
  for (const a of argv) {
    if (a === '--') break;
    if (a === '-h' || a === '--help' || a === '-?' || a === '--help-all') return out(1, CHECKVM_HELP, 0);
    if (a === '-p' || a === '--prod') product = true;
    else if (a.startsWith('-') && a !== '-') return out(2, `vmware-checkvm: Unknown option ${a}\n`, 1);
  }
  return out(1, product ? `${vm.product}\n` : `VMware software version ${VERSION_MAGIC} (good)\n`, 0);
}

function out(fd: 1 | 2, text: string, status: number): number {
  write(fd, text);
  return status;
}
