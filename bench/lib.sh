# Shared by the bench scripts that run agents under `vmt sim` (source it):
# the sims they start are stopped by pid on exit, and the readings they take.
say() { echo "bench: $*" >&2; }
PIDS=() # the sims started here, stopped by pid on exit
cleanup() { for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; } # utime + stime (fields 14, 15)
tgid() { awk '/^Tgid:/ {print $2}' "/proc/$1/status"; }
mem() { awk '/^(VmRSS|VmHWM):/ {printf "%s=%d ", $1, $2}' "/proc/$1/status"; } # kB
calls() { grep -cE '"t":"(bdoor|hb)"' "$1" || true; } # backdoor calls in a transcript
now() { date +%s.%N; }
wait_for() { # file, pattern, seconds
  local i
  for ((i = 0; i < $3 * 20; i++)); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  say "timed out waiting for $2 in $1"; return 1
}
# The empty program of every binary flavour, compiled as scripts/binaries.mjs compiles vmt
# (bun build --compile --minify --bytecode, that flavour's --target and runtime; for the Node
# single executable an empty script made a SEA by scripts/node-sea.mjs's buildSea, on the same
# node and with the same sea-config options): the floor vmt's sizes and start-up are compared
# with. Into bench/.work/empty/empty-<flavour>; rebuilt when bun (or scripts/node-sea.mjs) is
# newer. Needs the flavours' runtimes, which scripts/binaries.mjs fetches (npm pack) on its first run.
build_empties() {
  mkdir -p bench/.work/empty
  : >bench/.work/empty/empty.ts
  : >bench/.work/empty/empty.js
  node --input-type=module -e "
import { FLAVOURS, nodeRuntime, targetRuntime } from './scripts/binaries.mjs';
import { buildSea } from './scripts/node-sea.mjs';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
const bun = 'node_modules/.bin/bun';
const version = JSON.parse(readFileSync('node_modules/bun/package.json', 'utf8')).version;
const bunTime = statSync('node_modules/bun/package.json').mtimeMs;
const seaTime = statSync('scripts/node-sea.mjs').mtimeMs;
for (const f of FLAVOURS) {
  const out = 'bench/.work/empty/empty-' + f.name.replace('vmt-linux-', '');
  if (existsSync(out) && statSync(out).mtimeMs > (f.sea ? seaTime : bunTime)) continue;
  if (f.sea) {
    buildSea({ node: nodeRuntime(f.pkg), main: resolve('bench/.work/empty/empty.js'), outfile: resolve(out), work: resolve('bench/.work/empty/sea') });
    continue;
  }
  const host = process.platform === 'linux' && process.arch === 'x64' && f.name === 'vmt-linux-x64';
  const exe = host ? [] : ['--compile-executable-path=' + targetRuntime(f.pkg, version)];
  execFileSync(bun, ['build', '--compile', '--minify', '--bytecode', '--target=' + f.target, ...exe,
    '--no-compile-autoload-dotenv', '--no-compile-autoload-bunfig', 'bench/.work/empty/empty.ts', '--outfile', out], { stdio: ['ignore', 'ignore', 'inherit'] });
}
"
}
