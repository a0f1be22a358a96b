// `vmt drvctl`: NetBSD drvctl(8)'s own argv, read into one action. Options
// are read as drvctl's getopt("GQRSa:dlnprt") reads them -- clustered (-nl),
// -a's value attached or next, up to `--` or the first operand (so a negative
// locator after BUS is an operand) -- but where drvctl quietly takes the last
// of two actions or ignores a stray flag, this refuses with a usage error that
// says what drvctl means. Pure: no device is touched here.
import { UsageError } from '../cli/exit.js';

/** drvctl(8)'s synopsis, one form a line. */
export const DRVCTL_USAGE = [
  'drvctl -d DEVICE',
  'drvctl -r [-a ATTRIBUTE] BUS [LOCATOR ...]',
  'drvctl [-nt] -l [DEVICE]',
  'drvctl [-n] -p DEVICE [PROPERTY]',
  'drvctl -Q DEVICE | -R DEVICE | -S DEVICE',
] as const;

/** the most locators the kernel takes (MAXLOCATORS) */
export const MAX_LOCATORS = 100;

export type DrvctlAction =
  /** -d DEVICE: detach it */
  | { verb: 'detach'; device: string }
  /** -r [-a ATTR] BUS [LOCATOR ...]: rescan BUS so devices attach at its attribute ATTR (none: its only one) */
  | { verb: 'rescan'; bus: string; attr?: string; locators: number[] }
  /** -l [DEVICE]: DEVICE's children (none: the root's); -n names only, -t the whole subtree indented (implies -n) */
  | { verb: 'list'; device?: string; namesOnly: boolean; tree: boolean }
  /** -p DEVICE [PROPERTY]: its properties dictionary, or one property path (a/b/0); -n without the header */
  | { verb: 'props'; device: string; property?: string; bare: boolean }
  /** an action vmt does not perform (-Q, -R, -S, -G): why, and what to use */
  | { verb: 'unsupported'; option: string; device?: string; reason: string };

const ACTIONS = 'dlprQRSG';

const UNSUPPORTED: Record<string, string> = {
  S: 'drvctl -S suspends a device through power management (pmf(9)); vmt detaches and attaches devices but does not suspend them: run drvctl -S',
  R: 'drvctl -R resumes a suspended device through power management (pmf(9)); vmt does not suspend or resume devices: run drvctl -R',
  Q: 'drvctl -Q resumes a suspended device and everything below it (pmf(9)); vmt does not suspend or resume devices: run drvctl -Q',
  G: 'drvctl -G prints the device tree as a graphviz graph; vmt prints the tree with -l -t',
};

const WHAT: Record<string, string> = {
  d: '-d (detach)', r: '-r (rescan)', l: '-l (list)', p: '-p (properties)', Q: '-Q (resume subtree)', R: '-R (resume)', S: '-S (suspend)', G: '-G (graph)',
};

/** An integer locator as drvctl passes it to the kernel (a C int; -1: "any"). */
function locator(text: string): number {
  if (!/^[+-]?[0-9]+$/.test(text)) {
    const hint = text.startsWith('-') ? '; options go before BUS (drvctl reads no option after the first operand)' : '';
    throw new UsageError(`the locator '${text}' is not an integer: after BUS, drvctl -r takes locators, integers such as 0 or -1 (any)${hint}`);
  }
  const v = Number(text);
  if (v < -0x80000000 || v > 0x7fffffff) throw new UsageError(`the locator ${text} does not fit a C int (-2147483648..2147483647)`);
  return v;
}

function name(text: string, what: string): string {
  if (text === '') throw new UsageError(`the ${what} name is empty`);
  return text;
}

/** Reads drvctl(8)'s argv (without the program name) into the action it asks for; throws UsageError. */
export function parseDrvctlArgs(argv: readonly string[]): DrvctlAction {
  let action: string | undefined;
  let attr: string | undefined;
  let n = false;
  let t = false;
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    if (arg.startsWith('--')) throw new UsageError(`unknown option '${arg}': drvctl's options are single letters (-d, -r, -a, -l, -n, -t, -p, -Q, -R, -S)`);
    for (let j = 1; j < arg.length; j++) {
      const c = arg[j]!;
      if (c === 'a') {
        if (attr !== undefined) throw new UsageError('-a given twice: a rescan attaches at one attribute');
        const value = j + 1 < arg.length ? arg.slice(j + 1) : argv[++i];
        if (value === undefined) throw new UsageError('-a needs the attribute to attach at (drvctl -r -a ATTRIBUTE BUS, e.g. -a cpufeaturebus cpu0)');
        if (value === '') throw new UsageError('-a needs a non-empty attribute name');
        attr = value;
        break;
      }
      if (ACTIONS.includes(c)) {
        if (action !== undefined && action !== c) throw new UsageError(`${WHAT[action]} and ${WHAT[c]} at once: drvctl does one action a run`);
        action = c;
      } else if (c === 'n') n = true;
      else if (c === 't') t = true;
      else throw new UsageError(`unknown option -${c}: drvctl takes -d, -r, -a, -l, -n, -t, -p, -Q, -R, -S`);
    }
  }
  const operands = argv.slice(i);
  if (action === undefined) {
    throw new UsageError(
      'no action given: drvctl needs one of -d DEVICE (detach), -r BUS (rescan), -l [DEVICE] (list), -p DEVICE (properties), -Q, -R or -S DEVICE (resume subtree, resume, suspend)',
    );
  }
  if (attr !== undefined && action !== 'r') throw new UsageError(`-a ATTRIBUTE names where a rescan attaches devices; it goes with -r only, not with ${WHAT[action]}`);
  if (t && action !== 'l') throw new UsageError(`-t lists the whole subtree; it goes with -l only, not with ${WHAT[action]}`);
  if (n && action !== 'l' && action !== 'p') throw new UsageError(`-n (names only, no header) goes with -l or -p, not with ${WHAT[action]}`);
  const extra = (max: number, form: string) => {
    if (operands.length > max) throw new UsageError(`too many operands for ${WHAT[action!]}: '${operands.slice(max).join(' ')}' (drvctl ${form})`);
  };
  const first = operands[0];
  switch (action) {
    case 'd':
      if (first === undefined) throw new UsageError('-d needs the device to detach (drvctl -d DEVICE, e.g. drvctl -d vmt0)');
      extra(1, '-d DEVICE');
      return { verb: 'detach', device: name(first, 'device') };
    case 'r': {
      if (first === undefined) throw new UsageError('-r needs the bus to rescan (drvctl -r [-a ATTRIBUTE] BUS [LOCATOR ...], e.g. drvctl -r -a cpufeaturebus cpu0)');
      const locators = operands.slice(1).map(locator);
      if (locators.length > MAX_LOCATORS) throw new UsageError(`${locators.length} locators given: the kernel takes at most ${MAX_LOCATORS} (those not given are -1, any)`);
      return { verb: 'rescan', bus: name(first, 'bus'), ...(attr !== undefined ? { attr } : {}), locators };
    }
    case 'l':
      extra(1, '[-nt] -l [DEVICE]');
      return { verb: 'list', ...(first !== undefined ? { device: name(first, 'device') } : {}), namesOnly: n || t, tree: t };
    case 'p':
      if (first === undefined) throw new UsageError('-p needs the device whose properties to show (drvctl -p DEVICE [PROPERTY])');
      extra(2, '[-n] -p DEVICE [PROPERTY]: vmt shows one property path a run');
      return { verb: 'props', device: name(first, 'device'), ...(operands[1] !== undefined ? { property: name(operands[1], 'property') } : {}), bare: n };
    case 'G':
      extra(1, '-G [DEVICE]');
      return { verb: 'unsupported', option: '-G', ...(first !== undefined ? { device: name(first, 'device') } : {}), reason: UNSUPPORTED.G! };
    default:
      // Q, R, S
      if (first === undefined) throw new UsageError(`${WHAT[action]} needs a device (drvctl -${action} DEVICE)`);
      extra(1, `-${action} DEVICE`);
      return { verb: 'unsupported', option: `-${action}`, device: name(first, 'device'), reason: UNSUPPORTED[action]! };
  }
}
