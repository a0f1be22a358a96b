// A signal in the middle of an RPC waits until the channel is closed, then
// vmt exits with 128 + its number.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../helpers.js';

const signalsModule = pathToFileURL(join(repoRoot(), 'build/src/cli/signals.js')).href;

for (const [sig, status] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
  test(`${sig} during a deferred section: the section finishes (the channel is closed), then exit ${status}`, () => {
    const script = `
      const { withSignalsDeferred } = await import(${JSON.stringify(signalsModule)});
      await withSignalsDeferred(() => {
        process.stdout.write('open\\n');
        process.kill(process.pid, '${sig}');          // arrives mid-transfer
        const until = Date.now() + 50; while (Date.now() < until) {}
        process.stdout.write('closed\\n');
      });
      process.stdout.write('not reached\\n');`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(r.stdout, 'open\nclosed\n');
    assert.equal(r.status, status, r.stderr);
  });
}

test('no signal: the section returns its value and nothing else happens', async () => {
  const { withSignalsDeferred } = await import(signalsModule);
  assert.equal(await withSignalsDeferred(() => 42), 42);
  assert.equal(process.listenerCount('SIGINT'), 0);
});
