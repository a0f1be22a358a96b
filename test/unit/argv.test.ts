import assert from 'node:assert/strict';
import { test } from 'node:test';
import { argvProblem, quoted, usageMessage } from '../../src/cli/argv.js';

const commands = { checkvm: {}, gettime: {}, rpc: { args: { command: {} } }, 'info:get': { args: { key: {} } } };

test('argvProblem: good command lines pass to oclif', () => {
  for (const argv of [[], ['--help'], ['-h'], ['checkvm'], ['checkvm', '--json'], ['gettime', '-f', 'epoch'], ['rpc', 'send', 'x'], ['rpc'], ['info', 'get', 'k'], ['info']]) {
    assert.equal(argvProblem(argv, commands), null, argv.join(' '));
  }
});

test('argvProblem: unknown commands, flags before a command and stray words are usage errors', () => {
  assert.deepEqual(argvProblem(['foo'], commands), { message: "'foo' is not a vmt command" });
  assert.deepEqual(argvProblem(['--bogus'], commands), { message: "unknown flag '--bogus' (flags go after the command)" });
  assert.deepEqual(argvProblem(['--json'], commands), { message: "unknown flag '--json' (flags go after the command)" });
  assert.deepEqual(argvProblem(['checkvm', 'extra'], commands), { message: "unexpected argument 'extra'", id: 'checkvm' });
  assert.deepEqual(argvProblem(['info', 'bogus'], commands), { message: "'info bogus' is not a vmt command" });
});

test('quoted: control characters are shown escaped', () => {
  assert.equal(quoted('a b'), "'a b'");
  assert.equal(quoted('x\ny'), '"x\\ny"');
  assert.equal(quoted('\x1b[31m'), '"\\u001b[31m"');
});

test("usageMessage: oclif's parse errors in vmt's words, one line", () => {
  const see = '\nSee more help with --help';
  assert.equal(usageMessage({ message: `The following error occurred:\n  --json=true cannot also be provided when using --quiet${see}` }), '--json and --quiet cannot be used together');
  assert.equal(usageMessage({ message: `Nonexistent flag: --zz${see}`, flags: ['--zz'] }), "unknown flag '--zz'");
  assert.equal(usageMessage({ message: `Unexpected argument: extra${see}`, args: ['extra'] }), "unexpected argument 'extra'");
  assert.equal(usageMessage({ message: `Missing 1 required arg:\nkey  the variable${see}`, args: [{ name: 'key' }] }), 'missing KEY');
  assert.equal(usageMessage({ message: `Expected --format=year to be one of: iso, epoch, local${see}` }), "--format wants one of iso, epoch, local, not 'year'");
  assert.equal(usageMessage({ message: 'Flag --format expects a value' }), '--format wants a value');
  assert.equal(usageMessage({ message: `Parsing --timeout \n\t--timeout wants a number of seconds > 0, not "0"${see}` }), '--timeout wants a number of seconds > 0, not "0"');
});
