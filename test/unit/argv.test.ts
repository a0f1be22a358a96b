import assert from 'node:assert/strict';
import { test } from 'node:test';
import { argvProblem, parseErrorText } from '../../src/cli/argv.js';

const commands = { checkvm: {}, gettime: {}, 'rpc:send': { args: { command: {} } }, 'info:get': { args: { key: {} } } };

test('argvProblem: good command lines pass to oclif', () => {
  for (const argv of [[], ['--version'], ['--help'], ['help', 'checkvm'], ['checkvm'], ['checkvm', '--json'], ['gettime', '-f', 'epoch'], ['rpc', 'send', 'x'], ['rpc'], ['info', 'get', 'k']]) {
    assert.equal(argvProblem(argv, commands), null, argv.join(' '));
  }
});

test('argvProblem: unknown commands and stray words are usage errors', () => {
  assert.deepEqual(argvProblem(['foo'], commands), { message: "'foo' is not a vmt command" });
  assert.deepEqual(argvProblem(['checkvm', 'extra'], commands), { message: "unexpected argument 'extra'", id: 'checkvm' });
  assert.deepEqual(argvProblem(['rpc', 'bogus'], commands), { message: "'rpc bogus' is not a vmt command" });
});

test('parseErrorText: oclif boilerplate removed', () => {
  assert.equal(parseErrorText('The following error occurred:\n  --b=true cannot also be provided when using --a\nSee more help with --help'), '--b=true cannot also be provided when using --a');
  assert.equal(parseErrorText('Nonexistent flag: --zz\nSee more help with --help'), 'Nonexistent flag: --zz');
});
