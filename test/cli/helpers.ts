// Shared by the CLI tests: the CLI on node, bun, deno and the standalone
// binary, with the expectations every run has (no stack trace, no crash),
// and whether this machine is itself a VMware VM.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { run, runtimes, type Run } from '../helpers.js';

export const RT = runtimes();
/** The CLI runs under the sim in its quickest form: the standalone binary when it is built. */
export const VMT = RT.binary ?? RT.node!;

export const onVmware = (() => {
  try {
    return /^VMware/.test(readFileSync('/sys/class/dmi/id/sys_vendor', 'latin1'));
  } catch {
    return false;
  }
})();

export function noTrace(r: Run, what: string): void {
  const all = r.stdout + r.stderr;
  assert.doesNotMatch(all, /^\s+at .+\(.*:\d+:\d+\)$/m, `${what}: a stack trace\n${all}`);
  assert.doesNotMatch(all, /Segmentation fault|core dumped|panic|Unhandled/i, `${what}\n${all}`);
  assert.equal(r.signal, null, `${what}: killed by ${r.signal}`);
}

/** Runs args on every runtime, checks the common expectations, and that all runtimes agree on status and stdout. */
export function everywhere(args: string[], check: (r: Run, rt: string) => void, opts: { sameStdout?: boolean } = {}): void {
  const results = Object.entries(RT).map(([rt, cmd]) => [rt, run(cmd, args)] as const);
  for (const [rt, r] of results) {
    noTrace(r, `${rt} vmt ${args.join(' ')}`);
    check(r, rt);
  }
  const [first, ...rest] = results;
  for (const [rt, r] of rest) {
    assert.equal(r.status, first![1].status, `${rt} vs ${first![0]}: exit status of vmt ${args.join(' ')}`);
    if (opts.sameStdout !== false) assert.equal(r.stdout, first![1].stdout, `${rt} vs ${first![0]}: stdout of vmt ${args.join(' ')}`);
  }
}

/** A usage error: exit 2, nothing on stdout (or only the JSON error with --json), the message, then the usage line. */
export function assertUsage(r: Run, message: RegExp, what: string): void {
  assert.equal(r.status, 2, `${what}: ${r.stdout}${r.stderr}`);
  const lines = r.stderr.split('\n');
  assert.match(lines[0]!, /^vmt( [a-z]+)*: /, `${what}: one line in vmt's voice first\n${r.stderr}`);
  assert.match(lines[0]!, message, what);
  assert.match(lines[1]!, /^Usage: vmt /, `${what}: the usage line second\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /›|Error:|Parsing --|See more help/, `${what}: oclif's own format leaked\n${r.stderr}`);
}

/** Exactly one JSON document on stdout; returns it. */
export function oneJson(r: Run, what: string): Record<string, unknown> {
  try {
    return JSON.parse(r.stdout) as Record<string, unknown>;
  } catch {
    assert.fail(`${what}: stdout is not one JSON document:\n${r.stdout}\n(stderr: ${r.stderr})`);
  }
}
