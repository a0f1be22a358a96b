// The starting guestinfo of `vmt sim`: --guestinfo KEY=VALUE over --guestinfo-file
// (src/sim/host/guestinfo.ts).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { guestinfoKey, initialGuestInfo, parseGuestInfoJson, parseGuestInfoPairs } from '../../src/sim/host/guestinfo.js';

test('keys: the guestinfo. prefix is added when missing, kept (in any case) when given', () => {
  assert.equal(guestinfoKey('metadata'), 'guestinfo.metadata');
  assert.equal(guestinfoKey('guestinfo.ip'), 'guestinfo.ip');
  assert.equal(guestinfoKey('GuestInfo.IP'), 'GuestInfo.IP');
  assert.equal(guestinfoKey('guestinfoX'), 'guestinfo.guestinfoX');
});

test('--guestinfo KEY=VALUE: the value is everything after the first =, may be empty; the last of a key wins', () => {
  assert.deepEqual(parseGuestInfoPairs(['a=1', 'guestinfo.b=x=y', 'c=', 'a=2']), { 'guestinfo.a': '2', 'guestinfo.b': 'x=y', 'guestinfo.c': '' });
  for (const bad of ['novalue', '=value', '']) assert.throws(() => parseGuestInfoPairs([bad]), new RegExp(`--guestinfo wants KEY=VALUE, not '${bad}'`));
});

test('--guestinfo-file: one JSON object of strings, or a message saying what is wrong', () => {
  assert.deepEqual(parseGuestInfoJson('{"metadata": "m", "guestinfo.userdata": "u"}'), { 'guestinfo.metadata': 'm', 'guestinfo.userdata': 'u' });
  assert.throws(() => parseGuestInfoJson('[1]'), /not a JSON object/);
  assert.throws(() => parseGuestInfoJson('null'), /not a JSON object/);
  assert.throws(() => parseGuestInfoJson('{"a": 1}'), /the value of "a" is not a string/);
  assert.throws(() => parseGuestInfoJson('nope'), SyntaxError);
});

test('initialGuestInfo: the pairs over the file; errors name the flag and the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vmt-sim-gi-'));
  const file = join(dir, 'gi.json');
  writeFileSync(file, '{"a": "from file", "b": "kept"}');
  assert.deepEqual(initialGuestInfo({ file, pairs: ['a=from flag'] }), { 'guestinfo.a': 'from flag', 'guestinfo.b': 'kept' });
  assert.deepEqual(initialGuestInfo({}), {});
  assert.throws(() => initialGuestInfo({ file: join(dir, 'missing.json') }), (e: Error) => e.message === `--guestinfo-file ${join(dir, 'missing.json')}: ENOENT: no such file or directory`);
  writeFileSync(file, '{"a": 5}');
  assert.throws(() => initialGuestInfo({ file }), (e: Error) => e.message === `--guestinfo-file ${file}: the value of "a" is not a string`);
});
