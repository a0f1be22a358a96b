// bench/run.sh, the driver of `npm run bench`: its help and its refusals, which answer before
// anything is installed, built or timed. The benchmarks themselves are never run by a test
// (their numbers are reported, not asserted).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot, run } from '../helpers.js';

const root = repoRoot();
const bench = (...args: string[]) => run(['bash', join(root, 'bench/run.sh')], args, {}, 30_000);
const USAGE = 'Usage: bash bench/run.sh [--only NAME,...] [--skip NAME,...] [--quick] [--vsock] [--rebuild] [--out FILE]';

test('bench/run.sh --help names every bench and flag, exit 0, nothing on stderr', () => {
  const r = bench('--help');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  for (const w of ['startup', 'binaries', 'sim', 'rpc', 'batch', 'tclo', 'report', 'breakdown', 'vsock', '--only', '--skip', '--quick', '--vsock', '--out']) {
    assert.ok(r.stdout.includes(w), `--help does not mention ${w}`);
  }
});

test('bench/run.sh refuses bad arguments: one line, then the usage, exit 2, nothing on stdout', () => {
  const cases: [string[], string][] = [
    [['--frob'], "bench: unknown argument '--frob'"],
    [['--only', 'nosuch'], "bench: no bench named 'nosuch' (there are: startup binaries sim rpc batch tclo report breakdown vsock)"],
    [['--skip', 'sim,nosuch'], "bench: no bench named 'nosuch' (there are: startup binaries sim rpc batch tclo report breakdown vsock)"],
    [['--only'], '--only needs a list of benches'],
    [['--only', 'sim', '--skip', 'rpc'], 'bench: --only and --skip do not go together'],
    [['--out'], 'bench: --out needs a file name'],
  ];
  for (const [args, first] of cases) {
    const r = bench(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '', args.join(' '));
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.ok(lines[0]!.startsWith('bench: ') && lines[0]!.includes(first), `${args.join(' ')}: ${lines[0]}`);
    assert.equal(lines[1], USAGE);
  }
});
