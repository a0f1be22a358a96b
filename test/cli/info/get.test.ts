// vmt info get under the sim: the guestinfo. prefix, -n, the KEY.encoding
// convention, and --json for found, missing and binary values.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { sim, tmp } from '../../sim/sim-helpers.js';
import { assertUsage, everywhere, oneJson, VMT } from '../helpers.js';

test('vmt info get: the guestinfo. prefix, -n, and the KEY.encoding convention', () => {
  const state = join(tmp(), 's.json');
  const payload = 'user data: é ✓\n';
  const gz = gzipSync(Buffer.from(payload)).toString('base64');
  const r1 = sim(['--state', state], ['sh', '-c', 'printf "%s" "$1" | "$2" info set --raw guestinfo.plain && "$2" info set zipped "$3" && "$2" info set zipped.encoding gzip+base64', 'sh', payload, ...VMT, gz]);
  assert.equal(r1.status, 0, r1.stderr);
  assert.equal(sim(['--state', state], [...VMT, 'info', 'get', 'plain', '-n']).stdout, payload);
  assert.equal(sim(['--state', state], [...VMT, 'info', 'get', 'guestinfo.plain']).stdout, `${payload}\n`);
  assert.equal(sim(['--state', state], [...VMT, 'info', 'get', 'zipped', '--encoding', 'auto', '-n']).stdout, payload);
  assert.equal(sim(['--state', state], [...VMT, 'info', 'get', 'zipped', '--encoding', 'gzip+base64', '-n']).stdout, payload);
  const b64 = sim(['--guestinfo', `v=${Buffer.from('hello').toString('base64')}`], [...VMT, 'info', 'get', 'v', '-e', 'base64', '-n']);
  assert.equal(b64.stdout, 'hello');
  const notB64 = sim(['--guestinfo', 'v=not base64!'], [...VMT, 'info', 'get', 'v', '-e', 'base64']);
  assert.equal(notB64.status, 4);
  const missing = sim([], [...VMT, 'info', 'get', 'nope']);
  assert.deepEqual([missing.status, missing.stdout, missing.stderr], [1, '', 'No value found\n']);
});

test('vmt info get --json: one document when found, when missing (value null) and when the value is binary ({"base64"})', () => {
  const found = sim(['--guestinfo', 'k=hello'], [...VMT, 'info', 'get', 'k', '--json']);
  assert.deepEqual(oneJson(found, 'found'), { key: 'guestinfo.k', found: true, value: 'hello', encoding: 'none' });
  const missing = sim([], [...VMT, 'info', 'get', 'missing', '--json']);
  assert.equal(missing.status, 1);
  assert.deepEqual(oneJson(missing, 'missing'), { key: 'guestinfo.missing', found: false, value: null, reply: 'No value found' });
  const binary = sim(['--guestinfo', `b=${Buffer.from([0xff, 0x00, 0x41]).toString('base64')}`], [...VMT, 'info', 'get', 'b', '-e', 'base64', '--json']);
  assert.deepEqual(oneJson(binary, 'binary'), { key: 'guestinfo.b', found: true, value: { base64: '/wBB' }, encoding: 'base64' });
  const undecodable = sim(['--guestinfo', 'b=not base64!'], [...VMT, 'info', 'get', 'b', '-e', 'base64', '--json']);
  assert.equal(undecodable.status, 4);
  assert.deepEqual(Object.keys(oneJson(undecodable, 'undecodable')), ['error']);
});

test('vmt info get: usage errors in vmt\'s words', () => {
  everywhere(['info', 'get'], (r) => assertUsage(r, /^vmt info get: missing KEY$/, 'no key'));
  everywhere(['info', 'get', 'k', '--json', '-n'], (r) => {
    assertUsage(r, /cannot be used together/, '--json -n');
    assert.equal((oneJson(r, '--json -n') as { error: { exit: number } }).error.exit, 2);
  });
});
