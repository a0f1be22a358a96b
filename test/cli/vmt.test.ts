// vmt itself: help, version, and command lines that name no command, in
// vmt's own words on every runtime.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertUsage, everywhere, oneJson } from './helpers.js';

test('--version, -v and version name the package, the platform and the real runtime', () => {
  for (const word of ['--version', '-v', 'version']) {
    everywhere(
      [word],
      (r, rt) => {
        assert.equal(r.status, 0, r.stderr);
        const runtime = { node: /node-v\d+\.\d+\.\d+$/, bun: /bun-\d+\.\d+\.\d+$/, deno: /deno-\d+\.\d+\.\d+$/, binary: /bun-\d+\.\d+\.\d+ \(standalone binary\)$/ }[rt]!;
        assert.match(r.stdout.trim(), /^vmt\/\d+\.\d+\.\d+ linux-x64 /);
        assert.match(r.stdout.trim(), runtime, `${rt}: ${r.stdout}`);
      },
      { sameStdout: false },
    );
  }
});

test('help, vmt help COMMAND and --help answer with exit 0', () => {
  everywhere(
    ['help'],
    (r) => {
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /VERSION\s+vmt\/[\s\S]*USAGE[\s\S]*COMMANDS[\s\S]*checkvm/);
    },
    { sameStdout: false }, // VERSION names the runtime
  );
  everywhere(['help', 'info', 'get'], (r) => {
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /USAGE\s+\$ vmt info get KEY/);
  });
  everywhere(['checkvm', '--help'], (r) => {
    assert.equal(r.status, 0);
    assert.match(r.stdout, /USAGE[\s\S]*vmt checkvm[\s\S]*EXAMPLES/);
  });
});

const bad: [string[], RegExp][] = [
  [['--bogus'], /^vmt: unknown flag '--bogus'/],
  [['bogus'], /^vmt: 'bogus' is not a vmt command/],
  [['help', 'bogus'], /^vmt: 'bogus' is not a vmt command/],
  [['info', 'bogus'], /^vmt: 'info bogus' is not a vmt command/],
];

for (const [args, message] of bad) {
  test(`bad input: vmt ${args.join(' ')} → one line, the usage line, exit 2`, () => {
    everywhere(args, (r) => {
      assertUsage(r, message, args.join(' '));
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /Commands: .*info get, info set/, 'commands as users type them');
      assert.doesNotMatch(r.stderr, /info:get/);
    });
  });
}

test('vmt --json: the usage error is also one JSON document', () => {
  everywhere(['--json'], (r) => {
    assertUsage(r, /unknown flag '--json'/, '--json');
    assert.deepEqual(oneJson(r, '--json'), { error: { message: "unknown flag '--json' (flags go after the command)", exit: 2 } });
  });
});
