#!/usr/bin/env bash
# Cold start of `vmt checkvm` and `vmt --version`: the standalone binary, node,
# bun and deno, side by side with open-vm-tools' vmware-checkvm in the same
# hyperfine run, plus the bare runtimes' floors. `npm run bench` runs this.
#
#   bash bench/run.sh [--rebuild]
#   env: RUNS (30), WARMUP (3), OUTPUT (hyperfine --output: null, pipe; default null)
#
# Raw hyperfine JSON and the tables go to bench/.work/ (gitignored); the tables
# are printed as markdown. Timings are reported, never asserted: no test fails
# on them (machines are shared and noisy; compare medians within one run).
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-30}
WARMUP=${WARMUP:-3}
OUTPUT=${OUTPUT:-null}
WORK=bench/.work
REBUILD=0
for arg in "$@"; do
  case $arg in
    --rebuild) REBUILD=1 ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done
mkdir -p "$WORK"
say() { echo "bench: $*" >&2; }

# --- tools -------------------------------------------------------------------
# hyperfine and the peer (open-vm-tools' vmware-checkvm), installed only when missing, as
# bench/sim.sh and the tests do. open-vm-tools' vmtoolsd service has
# ConditionVirtualization=vmware, so installing it starts nothing off VMware.
bash scripts/apt-install.sh hyperfine open-vm-tools
NODE=$(command -v node)
BUN=node_modules/.bin/bun
DENO=node_modules/.bin/deno
export DENO_NO_UPDATE_CHECK=1
PEER=$(command -v vmware-checkvm || true)
[ -n "$PEER" ] || say "vmware-checkvm not found (Debian: open-vm-tools); the peer column will be empty"

# --- builds: whatever is missing (or everything with --rebuild) -------------
ARCH=$(node -p 'process.arch')
BIN=dist/bin/vmt-linux-$ARCH
newest_src=$(find src commands bin native/libvmt package.json -type f -newer "$BIN" 2>/dev/null | head -1 || true)
bundle_missing=0
[ -f native/build/libvmt.so ] || bundle_missing=1
# every dist/*.js that bin/run.js imports (today dist/vmt.js)
for f in $(grep -o "\.\./dist/[A-Za-z0-9_.-]*\.js" bin/run.js | sed 's#^\.\./##' | sort -u); do [ -f "$f" ] || bundle_missing=1; done
if [ $REBUILD = 1 ] || [ $bundle_missing = 1 ]; then say "building libvmt and the bundle (scripts/build.mjs)"; node scripts/build.mjs; fi
if [ $REBUILD = 1 ] || [ ! -x "$BIN" ]; then say "building the standalone binary (scripts/binaries.mjs)"; node scripts/binaries.mjs >&2; fi
[ $REBUILD = 0 ] && [ -n "$newest_src" ] && say "note: $newest_src is newer than $BIN; run 'bash bench/run.sh --rebuild' to measure the current sources"

# the floor of a compiled bun binary (same runtime, same flags, same size class)
FLOOR_BIN=
if [ -x "$BUN" ]; then
  FLOOR_BIN=$WORK/hello-compiled
  if [ ! -x "$FLOOR_BIN" ] || [ "$BUN" -nt "$FLOOR_BIN" ]; then
    echo 'console.log("hello")' > "$WORK/hello.ts"
    "$BUN" build --compile --minify --bytecode "$WORK/hello.ts" --outfile "$FLOOR_BIN" >/dev/null
  fi
fi

# --- runs --------------------------------------------------------------------
runnable() { "$@" >/dev/null 2>&1; [ $? -le 1 ]; } # checkvm exits 1 off VMware
HF=(hyperfine -N -i --warmup "$WARMUP" --runs "$RUNS" --output "$OUTPUT" --style basic)

bench_pair() { # name, vmt arguments
  local name=$1; shift
  local cmds=(-n binary "$BIN $*")
  cmds+=(-n node "$NODE bin/run.js $*")
  runnable "$BUN" bin/run.js "$@" && cmds+=(-n bun "$BUN bin/run.js $*") || say "skipping bun (not runnable: $BUN)"
  runnable "$DENO" run -A bin/run.js "$@" && cmds+=(-n deno "$DENO run -A bin/run.js $*") || say "skipping deno (not runnable: $DENO)"
  [ -n "$PEER" ] && cmds+=(-n vmware-checkvm "$PEER")
  say "run '$name': vmt $* ($(( ${#cmds[@]} / 3 )) commands, $RUNS runs each)"
  "${HF[@]}" --export-json "$WORK/$name.json" "${cmds[@]}" >&2
}
bench_pair checkvm checkvm
bench_pair version --version

floors=(-n "node -e 0" "$NODE -e 0")
[ -x "$BUN" ] && floors+=(-n "bun -e 0" "$BUN -e 0")
[ -x "$DENO" ] && floors+=(-n "deno eval 0" "$DENO eval 0")
[ -n "$FLOOR_BIN" ] && floors+=(-n "bun --compile hello world" "$FLOOR_BIN")
[ -n "$PEER" ] && floors+=(-n vmware-checkvm "$PEER")
say "run 'floors'"
"${HF[@]}" --export-json "$WORK/floors.json" "${floors[@]}" >&2

# --- machine and tables ------------------------------------------------------
{
  echo "date:        $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "cpu:         $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "kernel:      $(uname -sr)"
  echo "os:          $(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")"
  echo "node:        $(node --version)"
  echo "bun:         $("$BUN" --version 2>/dev/null || echo -)"
  echo "deno:        $("$DENO" --version 2>/dev/null | head -1 || echo -)"
  echo "hyperfine:   $(hyperfine --version | cut -d' ' -f2)"
  echo "open-vm-tools: $(dpkg-query -W -f '${Version}' open-vm-tools 2>/dev/null || echo -)"
  echo "binary:      $BIN ($(du -m "$BIN" | cut -f1) MB), built $(date -u -r "$BIN" +%Y-%m-%dT%H:%MZ)"
  echo "settings:    hyperfine -N, --warmup $WARMUP, --runs $RUNS, --output $OUTPUT, cwd = repo root"
} > "$WORK/machine.txt"

node --input-type=module - "$WORK" > "$WORK/table.md" <<'EOF'
import { readFileSync } from 'node:fs';
const dir = process.argv[2];
const load = (n) => Object.fromEntries(JSON.parse(readFileSync(`${dir}/${n}.json`, 'utf8')).results.map((r) => [r.command, r]));
const q = (xs, p) => { const s = [...xs].sort((a, b) => a - b); const i = (s.length - 1) * p; return s[Math.floor(i)] + (s[Math.ceil(i)] - s[Math.floor(i)]) * (i % 1); };
const ms = (s) => (s * 1000).toFixed(1);
const cell = (r) => (r ? `${ms(r.median)} (${ms(q(r.times, 0.25))}–${ms(q(r.times, 0.75))})` : '—');
const ratio = (r, peer) => (r && peer ? `${(r.median / peer.median).toFixed(1)}×` : '—');
const runs = { checkvm: load('checkvm'), version: load('version') };
const labels = { binary: 'vmt binary (bun --compile --bytecode)', node: 'node bin/run.js', bun: 'bun bin/run.js', deno: 'deno run -A bin/run.js', 'vmware-checkvm': 'vmware-checkvm (open-vm-tools)' };
const out = [];
out.push('Medians in ms (p25–p75 in brackets); "×" is the median over vmware-checkvm\'s median in the same hyperfine run.', '');
out.push('| variant | `checkvm` | × | `--version` | × |', '|---|---:|---:|---:|---:|');
for (const [k, label] of Object.entries(labels)) {
  const c = runs.checkvm[k], v = runs.version[k];
  if (!c && !v) continue;
  const vcell = k === 'vmware-checkvm' ? `${cell(v)} ¹` : cell(v);
  out.push(`| ${label} | ${cell(c)} | ${ratio(c, runs.checkvm['vmware-checkvm'])} | ${vcell} | ${ratio(v, runs.version['vmware-checkvm'])} |`);
}
out.push('', '¹ vmware-checkvm has no --version; the peer runs its plain check in both runs.', '');
const floors = JSON.parse(readFileSync(`${dir}/floors.json`, 'utf8')).results;
const peer = floors.find((r) => r.command === 'vmware-checkvm');
out.push('| floor | median | × |', '|---|---:|---:|');
for (const r of floors) out.push(`| ${r.command} | ${cell(r)} | ${ratio(r, peer)} |`);
const b = runs.checkvm.binary, bv = runs.version.binary;
out.push('', `Target (binary median ≤ 20 ms): checkvm ${ms(b.median)} ms, --version ${ms(bv.median)} ms — ${b.median <= 0.02 && bv.median <= 0.02 ? 'met' : 'not met'} in this run (reported, not asserted).`);
console.log(out.join('\n'));
EOF

echo
sed 's/^/    /' "$WORK/machine.txt"
echo
cat "$WORK/table.md"
echo
say "raw data: $WORK/{checkvm,version,floors}.json, $WORK/machine.txt, $WORK/table.md"
