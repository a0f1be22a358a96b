// The --json contracts: every command with --json has a JSON Schema in
// schemas/ (schemas/<command, spaces as ->.schema.json; the failure document
// in error.schema.json), and the documents the commands really print validate:
// under `vmt sim` where they need a host, off VMware on this machine, and the
// failure documents (usage errors, no host). A new command with --json fails
// here until its schema is written and it is run below (docs/contracts.md).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import AjvModule from 'ajv';
import { fakeTree } from '../unit/fake-sysfs.js';
import { run, runtimes, type Run } from '../helpers.js';
import { ROOT, SIM, tmp } from './sim-helpers.js';

const Ajv = AjvModule.default;
const schemaDir = join(ROOT, 'schemas');
const schemaName = (id: string) => `${id.replaceAll(':', '-')}.schema.json`;
/** vmt itself, as the sim runs it: the standalone binary when it is built, else node. */
const VMT = runtimes().binary ?? runtimes().node!;

async function jsonCommands(): Promise<string[]> {
  const bundle = join(ROOT, 'dist/vmt.js');
  assert.ok(existsSync(bundle), `${bundle} is missing: run 'node scripts/build.mjs' first`);
  const { COMMANDS } = (await import(pathToFileURL(bundle).href)) as { COMMANDS: Record<string, { hidden?: boolean; flags?: Record<string, unknown> }> };
  return Object.entries(COMMANDS)
    .filter(([, c]) => !c.hidden && 'json' in (c.flags ?? {}))
    .map(([id]) => id)
    .sort();
}

function validator() {
  const ajv = new Ajv({ allErrors: true, strict: true });
  for (const f of readdirSync(schemaDir).filter((f) => f.endsWith('.schema.json'))) ajv.addSchema(JSON.parse(readFileSync(join(schemaDir, f), 'utf8')));
  return ajv;
}

test('every command with --json has a schema in schemas/, and every schema a command', async () => {
  const ids = await jsonCommands();
  for (const id of ids) {
    assert.ok(existsSync(join(schemaDir, schemaName(id))), `vmt ${id.replaceAll(':', ' ')} has --json but no schemas/${schemaName(id)}: write one (see docs/contracts.md) and run the command in test/sim/schemas.test.ts`);
  }
  const known = new Set([...ids.map(schemaName), 'error.schema.json']);
  for (const f of readdirSync(schemaDir)) assert.ok(known.has(f), `schemas/${f} belongs to no command with --json`);
});

test('the schemas are valid JSON Schema (draft-07, ajv strict mode), each with its file name as $id', () => {
  const ajv = validator();
  for (const f of readdirSync(schemaDir)) {
    const schema = JSON.parse(readFileSync(join(schemaDir, f), 'utf8')) as { $id: string };
    assert.equal(schema.$id, f);
    assert.ok(ajv.getSchema(f), `schemas/${f} does not compile`);
  }
});

interface Case {
  id: string;
  args: string[];
  /** the exit status it must have */
  status: number;
  /** JSON lines (tclo listen, rpc --batch), not one document */
  lines?: boolean;
  /** standard input (rpc --batch) */
  stdin?: string;
}

/** Checks one command's output against its schema (and that a failure document's exit is the status). */
function check(ajv: ReturnType<typeof validator>, c: Case, r: Pick<Run, 'status' | 'stdout' | 'stderr'>, where: string): void {
  const what = `vmt ${c.args.join(' ')} (${where})`;
  assert.equal(r.status, c.status, `${what}: exit ${r.status}\n${r.stdout}${r.stderr}`);
  const validate = ajv.getSchema(schemaName(c.id))!;
  const docs = c.lines ? r.stdout.split('\n').filter(Boolean) : [r.stdout];
  assert.ok(docs.length > 0 && r.stdout.endsWith('\n'), `${what}: no JSON on stdout\n${r.stderr}`);
  for (const text of docs) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      assert.fail(`${what}: not JSON: ${text}`);
    }
    assert.ok(validate(doc), `${what}: does not match schemas/${schemaName(c.id)}: ${JSON.stringify(validate.errors, null, 1)}\n${text}`);
    const error = (doc as { error?: { exit: number } }).error;
    if (error && !c.lines) assert.equal(error.exit, c.status, `${what}: the document's exit is not the status`);
  }
}

const covered = new Set<string>();

test('under vmt sim: every --json document validates, results and failures', async () => {
  const ajv = validator();
  const dir = tmp('vmt-schemas-');
  const tree = fakeTree([
    { address: '0000:0b:00.0', vendor: 0x15ad, device: 0x07b0, driver: 'vmxnet3', net: ['ens192'] },
    { address: '0000:13:00.0', vendor: 0x15ad, device: 0x07b0, driver: 'vmxnet3', net: ['ens224'] },
  ], { routes: ['ens192'], modules: ['vmw_vmci'] });
  const roots = ['--sysfs-root', tree.sys, '--proc-root', tree.proc];
  const cases: Case[] = [
    { id: 'checkvm', args: ['checkvm', '--json'], status: 0 },
    { id: 'gettime', args: ['gettime', '--json'], status: 0 },
    { id: 'rpc', args: ['rpc', '--json', 'info-get guestinfo.a'], status: 0 },
    { id: 'rpc', args: ['rpc', '--json', 'info-get guestinfo.none'], status: 1 },
    { id: 'rpc', args: ['rpc', '--json'], status: 2 },
    { id: 'rpc', args: ['rpc', '--batch'], stdin: 'info-get guestinfo.a\ninfo-get guestinfo.none\nno-such-command\n', status: 1, lines: true },
    { id: 'rpc', args: ['rpc', '--batch'], stdin: 'info-get guestinfo.a\n\n', status: 2, lines: true },
    { id: 'info:get', args: ['info', 'get', 'a', '--json'], status: 0 },
    { id: 'info:get', args: ['info', 'get', 'bin', '--json'], status: 0 },
    { id: 'info:get', args: ['info', 'get', 'none', '--json'], status: 1 },
    { id: 'info:get', args: ['info', 'get', 'a', '--encoding', 'base64', '--json'], status: 4 },
    { id: 'info:get', args: ['info', 'get', 'a', 'bin', 'none', '--json'], status: 1 },
    { id: 'info:get', args: ['info', 'get', 'none', '--default', 'x', '--json'], status: 0 },
    { id: 'info:set', args: ['info', 'set', 'b', '2', '--json'], status: 0 },
    { id: 'info:set', args: ['info', 'set', 'c=3', 'd=4', '--json'], status: 0 },
    { id: 'info:wait', args: ['info', 'wait', 'a', '--json'], status: 0 },
    { id: 'info:wait', args: ['info', 'wait', 'none', '--timeout', '0.2', '--json'], status: 1 },
    { id: 'report', args: ['report', '--json'], status: 0 },
    { id: 'report', args: ['report', '--all', '--dry-run', '--json'], status: 0 },
    { id: 'devices', args: ['devices', '--json', ...roots], status: 0 },
    { id: 'detach', args: ['detach', 'ens224', '--dry-run', '--json', ...roots], status: 0 },
    { id: 'detach', args: ['detach', 'ens192', '--dry-run', '--json', ...roots], status: 3 },
    { id: 'attach', args: ['attach', 'nothing', '--dry-run', '--json', ...roots], status: 2 },
    { id: 'vsock:cid', args: ['vsock', 'cid', '--json'], status: 3 },
    ...['balloon', 'cpulimit', 'cpures', 'memlimit', 'memres', 'swap', 'sessionid', 'speed', 'hosttime'].map((s) => ({ id: `stat:${s}`, args: ['stat', s, '--json'], status: 0 })),
    { id: 'stat:raw', args: ['stat', 'raw', '--json', 'text', 'session'], status: 0 },
    { id: 'stat:raw', args: ['stat', 'raw', '--json', 'text', 'nothing'], status: 3 },
    { id: 'tclo:listen', args: ['tclo', 'listen', '--json', '--exit-after', '2', '--timeout', '30'], status: 0, lines: true },
  ];
  // one sim, one shell running every case (each vmt start under the tracer costs)
  const sh = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const script = cases.map((c, i) => `${c.stdin !== undefined ? `printf %s ${sh(c.stdin)} | ` : ''}${[...VMT, ...c.args].map(sh).join(' ')} >${dir}/${i}.out 2>${dir}/${i}.err; echo $? >${dir}/${i}.rc`).join('\n');
  const simArgs = ['--guestinfo', 'a=1', '--guestinfo', 'bin=aGk=', '--stat-file', join(dir, 'stat.json'), '--tclo', 'ping', '--timeout', '240'];
  await import('node:fs').then((fs) => fs.writeFileSync(join(dir, 'stat.json'), JSON.stringify({ raw: { 'text session': 'session 1' } })));
  const r = run(SIM, ['sim', ...simArgs, '--', 'sh', '-c', script], { XDG_RUNTIME_DIR: dir, VMT_VSOCK_FORBID: '1' }, 300_000);
  assert.equal(r.status, 0, `the sim: ${r.stderr}`);
  cases.forEach((c, i) => {
    const out = { status: Number(readFileSync(join(dir, `${i}.rc`), 'utf8')), stdout: readFileSync(join(dir, `${i}.out`), 'utf8'), stderr: readFileSync(join(dir, `${i}.err`), 'utf8') };
    check(ajv, c, out, 'under vmt sim');
    covered.add(c.id);
  });
});

test('off VMware (this machine, no sim): the answers and failure documents validate', { skip: existsSync('/sys/class/dmi/id/sys_vendor') && /^VMware/.test(readFileSync('/sys/class/dmi/id/sys_vendor', 'latin1')) ? 'this machine is a VMware VM' : false }, () => {
  const ajv = validator();
  const dir = tmp('vmt-schemas-');
  const empty = ['--sysfs-root', dir, '--proc-root', dir];
  const cases: Case[] = [
    { id: 'checkvm', args: ['checkvm', '--json'], status: 1 },
    { id: 'gettime', args: ['gettime', '--json'], status: 3 },
    { id: 'rpc', args: ['rpc', '--json', 'info-get guestinfo.a'], status: 3 },
    { id: 'info:get', args: ['info', 'get', 'a', '--json'], status: 3 },
    { id: 'info:set', args: ['info', 'set', 'a', '1', '--json'], status: 3 },
    { id: 'info:set', args: ['info', 'set', '--json'], status: 2 },
    { id: 'report', args: ['report', '--json'], status: 3 },
    { id: 'stat:speed', args: ['stat', 'speed', '--json'], status: 3 },
    { id: 'devices', args: ['devices', '--json', ...empty], status: 1 },
    { id: 'tclo:listen', args: ['tclo', 'listen', '--json', '--timeout', '5'], status: 3, lines: true },
    // JSON lines fail in one line too (the parse error, and a bad command line caught before oclif)
    { id: 'tclo:listen', args: ['tclo', 'listen', '--json', '--timeout', 'soon'], status: 2, lines: true },
    { id: 'tclo:listen', args: ['tclo', 'listen', '--json', '--no-such-flag'], status: 2, lines: true },
  ];
  for (const c of cases) {
    check(ajv, c, run(VMT, c.args, { XDG_RUNTIME_DIR: dir, VMT_VSOCK_FORBID: '1' }), 'off VMware');
    covered.add(c.id);
  }
});

test('every command with --json was run above', async () => {
  for (const id of await jsonCommands()) assert.ok(covered.has(id), `vmt ${id.replaceAll(':', ' ')} --json is not run in test/sim/schemas.test.ts: add it to the cases`);
});
