// The simulated host's guestinfo store and its --state file.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { defaultConfig, GuestInfoStore, SimHost, StateFileError } from '../../src/sim/host/index.js';

const dir = mkdtempSync(join(tmpdir(), 'vmt-sim-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = () => join(dir, `state-${++n}.json`);
const json = (f: string) => JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown>;

test('keys are case-insensitive and kept lowercased; values are bytes', () => {
  const s = new GuestInfoStore({ 'GuestInfo.A': 'one' });
  assert.equal(s.get('guestinfo.a'), 'one');
  s.set('guestinfo.A', Uint8Array.of(0xff, 0, 0x41));
  assert.deepEqual(s.getBytes('GUESTINFO.a'), Uint8Array.of(0xff, 0, 0x41));
  assert.deepEqual(s.keys(), ['guestinfo.a']);
  assert.equal(s.get('guestinfo.missing'), undefined);
  assert.deepEqual(s.toJSON(), { 'guestinfo.a': { base64: '/wBB' } });
});

test('--state: a missing file is an empty store; every set writes valid JSON; a second store sees the values', () => {
  const f = file();
  const a = new GuestInfoStore({}, f);
  assert.deepEqual(a.keys(), []);
  a.set('guestinfo.text', 'héllo wörld\nline two ');
  assert.deepEqual(json(f), { 'guestinfo.text': 'héllo wörld\nline two ' });
  a.set('guestinfo.bin', Uint8Array.of(0x80, 0xc3, 0x28, 0));
  a.set('guestinfo.bom', '\ufeffstarts with a BOM');
  assert.deepEqual(json(f), { 'guestinfo.bin': { base64: 'gMMoAA==' }, 'guestinfo.bom': '\ufeffstarts with a BOM', 'guestinfo.text': 'héllo wörld\nline two ' });
  const b = new GuestInfoStore({}, f);
  assert.equal(b.get('guestinfo.text'), 'héllo wörld\nline two ');
  assert.deepEqual(b.getBytes('guestinfo.bin'), Uint8Array.of(0x80, 0xc3, 0x28, 0));
  assert.deepEqual(b.getBytes('guestinfo.bom'), new Uint8Array(Buffer.from('\ufeffstarts with a BOM')));
  assert.deepEqual(readdirSync(dir).filter((x) => x.includes('.tmp')), [], 'no temporary files left behind');
});

test('--state: initial values apply over the file and are written through', () => {
  const f = file();
  writeFileSync(f, JSON.stringify({ 'guestinfo.keep': 'kept', 'GUESTINFO.OVER': 'old' }));
  const s = new GuestInfoStore({ 'guestinfo.over': 'new' }, f);
  assert.deepEqual(json(f), { 'guestinfo.keep': 'kept', 'guestinfo.over': 'new' });
  assert.equal(s.get('guestinfo.keep'), 'kept');
});

test('--state: a bad file is refused with a message naming it; a failed write leaves the store unchanged', () => {
  const bad = file();
  writeFileSync(bad, '{not json');
  assert.throws(() => new GuestInfoStore({}, bad), (e: Error) => e.message.includes(bad) && /not valid JSON/.test(e.message));
  writeFileSync(bad, '{"guestinfo.x": 5}');
  assert.throws(() => new GuestInfoStore({}, bad), /'guestinfo.x' must be a string or \{"base64": "..."\}/);
  writeFileSync(bad, '[]');
  assert.throws(() => new GuestInfoStore({}, bad), /one JSON object/);
  assert.throws(() => new GuestInfoStore({}, dir), (e: Error) => e instanceof StateFileError && /^cannot read it: EISDIR/.test(e.problem));
  const f = file();
  const s = new GuestInfoStore({}, f);
  rmSync(f);
  mkdirSync(f); // renaming the temporary file over a directory fails, even for root
  assert.throws(() => s.set('guestinfo.x', '1'), (e: Error) => e instanceof StateFileError && e.file === f && e.problem === 'cannot write it: EISDIR: illegal operation on a directory');
  assert.equal(s.get('guestinfo.x'), undefined);
  assert.equal(s.get('guestinfo.x'), undefined);
  assert.deepEqual(readdirSync(dir).filter((x) => x.includes('.tmp')), [], 'the temporary file is removed');
});

test('--state: the file is written at once, so one that cannot be written is refused before anything runs', () => {
  const f = file();
  new GuestInfoStore({}, f);
  assert.deepEqual(json(f), {}, 'a missing file is created, empty');
  const unwritable = join(dir, 'no-such-dir', 'state.json');
  assert.throws(() => new GuestInfoStore({}, unwritable), (e: Error) => e instanceof StateFileError && e.file === unwritable && e.problem === 'cannot write it: ENOENT: no such file or directory');
  assert.deepEqual(readdirSync(dir).filter((x) => x.includes('.tmp')), [], 'no temporary files left behind');
});

test('--state: an empty (zero-byte, or blank) file is an empty store', () => {
  for (const text of ['', '\n  \n']) {
    const f = file();
    writeFileSync(f, text);
    const s = new GuestInfoStore({}, f);
    assert.deepEqual(s.keys(), []);
    s.set('guestinfo.a', 'b');
    assert.deepEqual(json(f), { 'guestinfo.a': 'b' });
  }
});

test('info-set over the wire persists to --state (HB path, registers from protocol.md §3.8)', () => {
  const f = file();
  const host = new SimHost(defaultConfig(), new GuestInfoStore({}, f));
  const M = 0x564d5868;
  const open = host.lb(9, { eax: M, ebx: 0xc9435052, ecx: 0x0000001e, edx: 0x5658, esi: 0, edi: 0, ebp: 0 });
  const [id, hi, lo] = [open.edx >>> 16, open.esi, open.edi];
  const req = Buffer.concat([Buffer.from('info-set guestinfo.persist '), Buffer.from([0xde, 0xad, 0xbe, 0xef]), Buffer.from([0])]);
  const size = host.lb(9, { eax: M, ebx: req.length, ecx: 0x0001001e, edx: (id << 16) | 0x5658, esi: hi, edi: lo, ebp: 0 });
  assert.equal(size.ecx, 0x00810000);
  const sent = host.hbOut(9, { eax: M, ebx: 0x00010000, ecx: req.length, edx: (id << 16) | 0x5659, esi: 0, edi: lo, ebp: hi }, req);
  assert.equal(sent.ebx, 0x00010000);
  assert.deepEqual(json(f), { 'guestinfo.persist': { base64: '3q2+7w==' } });
  assert.deepEqual(new GuestInfoStore({}, f).getBytes('guestinfo.persist'), Uint8Array.of(0xde, 0xad, 0xbe, 0xef));
});
