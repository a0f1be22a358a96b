#!/usr/bin/env bash
# Start-up of every flavour against an empty program of the same runtime, and
# against open-vm-tools' vmware-checkvm, all in ONE run, interleaved
# (bench/interleave.c: each round runs every command once in a random order):
#   - the binary flavours that run here (vmt-linux-x64, vmt-linux-x64-v2: bun;
#     vmt-linux-x64-baseline: a Node single executable) beside an empty binary of
#     the same runtime and target (bench/lib.sh build_empties);
#   - node, bun and deno running the package (bin/run.js) beside each bare
#     runtime running an empty file;
#   - vmware-checkvm (a C program; exits 1 off VMware, as vmt checkvm does).
# Each is timed on `vmt --version` and `vmt checkvm`. Goal of issue 14: each
# flavour's median <= 1.1x the empty program of its runtime. Reported, never
# asserted. Markdown on stdout; raw JSON in bench/.work/startup/.
#
#   bash bench/startup.sh        env: RUNS (30), WARMUP (3)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
W=bench/.work/startup; mkdir -p "$W"
RUNS=${RUNS:-30}
WARMUP=${WARMUP:-3}
bash scripts/apt-install.sh hyperfine open-vm-tools >&2
if [ -z "${BENCH_BUILT:-}" ]; then
  [ -f dist/fast.js ] || node scripts/build.mjs >&2
  for f in x64 x64-v2 x64-baseline; do [ -x "dist/bin/vmt-linux-$f" ] || node scripts/binaries.mjs "$f" >&2; done
fi
build_empties
NODE=$(command -v node)
BUN=node_modules/.bin/bun
DENO=node_modules/.bin/deno
export DENO_NO_UPDATE_CHECK=1
PEER=$(command -v vmware-checkvm || true)
: >"$W/empty.js"

# name<TAB>command, in the order of the table
cmds=()
add() { cmds+=(-n "$1" "$2"); }
for f in x64 x64-v2 x64-baseline; do
  add "binary $f|empty" "bench/.work/empty/empty-$f"
  add "binary $f|--version" "dist/bin/vmt-linux-$f --version"
  add "binary $f|checkvm" "dist/bin/vmt-linux-$f checkvm"
done
add "node|empty" "$NODE $W/empty.js"
add "node|--version" "$NODE bin/run.js --version"
add "node|checkvm" "$NODE bin/run.js checkvm"
add "bun|empty" "$BUN $W/empty.js"
add "bun|--version" "$BUN bin/run.js --version"
add "bun|checkvm" "$BUN bin/run.js checkvm"
add "deno|empty" "$DENO run -A $W/empty.js"
add "deno|--version" "$DENO run -A bin/run.js --version"
add "deno|checkvm" "$DENO run -A bin/run.js checkvm"
[ -n "$PEER" ] && add "vmware-checkvm|checkvm" "$PEER"
say "startup: one interleaved run, $(( ${#cmds[@]} / 3 )) commands, $RUNS rounds"
${CC:-cc} -O2 -o "$W/interleave" bench/interleave.c
args=(); for ((i = 0; i < ${#cmds[@]}; i += 3)); do args+=("${cmds[i+1]}" "${cmds[i+2]}"); done
"$W/interleave" "$RUNS" "$WARMUP" "$W/startup.json" "${args[@]}" 
# arm64 only as a note: under qemu-user (when installed; test/cli/binaries.test.ts installs it), a
# separate run of 3 (about 2.5 s each); the emulation says nothing about an arm64 CPU, only the ratio means a little
ARM=
if command -v qemu-aarch64 >/dev/null && [ -x dist/bin/vmt-linux-arm64 ] && [ -d /usr/aarch64-linux-gnu ]; then
  Q="qemu-aarch64 -L /usr/aarch64-linux-gnu"
  say "startup: arm64 under qemu-user"
  hyperfine -N -i --warmup 0 --runs 3 --output null --style basic --export-json "$W/arm64.json" \
    -n "empty" "$Q bench/.work/empty/empty-arm64" -n "version" "$Q dist/bin/vmt-linux-arm64 --version" >"$W/hyperfine-arm64.txt" 2>&1 && ARM=$W/arm64.json
fi

node - "$W/startup.json" "$RUNS" "$WARMUP" "$ARM" <<'JS'
const fs = require('fs');
const [file, runs, warmup, arm] = process.argv.slice(2);
const q = (xs, p) => { const s = [...xs].sort((a, b) => a - b); const i = (s.length - 1) * p; return s[Math.floor(i)] + (s[Math.ceil(i)] - s[Math.floor(i)]) * (i % 1); };
const r = {};
for (const x of JSON.parse(fs.readFileSync(file, 'utf8')).results) {
  const [who, what] = x.command.split('|');
  (r[who] ??= {})[what] = { med: x.median * 1000, p25: q(x.times, 0.25) * 1000, p75: q(x.times, 0.75) * 1000 };
}
const cell = (m) => (m ? `${m.med.toFixed(1)} (${m.p25.toFixed(1)}–${m.p75.toFixed(1)})` : '—');
const x = (a, b) => (a && b ? `${(a.med / b.med).toFixed(2)}×` : '—');
const peer = r['vmware-checkvm']?.checkvm;
const rows = [
  ['binary x64', 'vmt-linux-x64', 'empty bun binary (x64)'],
  ['binary x64-v2', 'vmt-linux-x64-v2', 'empty bun binary (x64-v2, bun baseline)'],
  ['binary x64-baseline', 'vmt-linux-x64-baseline', 'empty node SEA (x64-baseline)'],
  ['node', 'node bin/run.js', 'node empty.js'],
  ['bun', 'bun bin/run.js', 'bun empty.js'],
  ['deno', 'deno run -A bin/run.js', 'deno run -A empty.js'],
];
const out = [
  '## Start-up per flavour',
  '',
  `\`vmt --version\` and \`vmt checkvm\` of every flavour that runs here, each beside an empty program of the same runtime, and open-vm-tools' \`vmware-checkvm\`, all in one run, interleaved (bench/interleave.c: each of ${runs} rounds, after ${warmup} warm-up rounds, runs every command once in a fresh random order, fork to wait, no shell, output to /dev/null; checkvm exits 1 off VMware), so that load drifting during the run falls on every command alike. Medians in ms, p25–p75 in brackets. "× empty" is the median over the empty program's median of the same runtime in this run (goal of issue 14: ≤ 1.1×); "× peer" is over vmware-checkvm's.`,
  '',
  '| flavour | empty program | median | `vmt --version` | × empty | `vmt checkvm` | × empty | × peer |',
  '|---|---|---:|---:|---:|---:|---:|---:|',
];
const goal = [];
for (const [k, label, empty] of rows) {
  const e = r[k]; if (!e) continue;
  out.push(`| ${label} | ${empty} | ${cell(e.empty)} | ${cell(e['--version'])} | ${x(e['--version'], e.empty)} | ${cell(e.checkvm)} | ${x(e.checkvm, e.empty)} | ${x(e.checkvm, peer)} |`);
  if (k.startsWith('binary')) for (const c of ['--version', 'checkvm']) goal.push(`${label} ${c} ${x(e[c], e.empty)} (${e[c].med / e.empty.med <= 1.1 ? 'met' : 'not met'})`);
}
if (peer) out.push(`| vmware-checkvm (open-vm-tools) | — | — | — | — | ${cell(peer)} | — | 1.00× |`);
out.push('', `Goal ≤ 1.1× the empty binary of the same runtime, in this run: ${goal.join('; ')}. Reported, not asserted.`);
let armNote = 'vmt-linux-arm64 runs on this x86-64 machine only under qemu-user, whose start-up says nothing about an arm64 CPU (qemu-aarch64 is not installed here, so it was not run either)';
if (arm) {
  const a = Object.fromEntries(JSON.parse(fs.readFileSync(arm, 'utf8')).results.map((y) => [y.command, y]));
  armNote = `vmt-linux-arm64 runs on this x86-64 machine only under qemu-user, whose start-up says nothing about an arm64 CPU; as a note, a separate run of ${a.empty.times.length} there gave the empty arm64 binary ${(a.empty.median * 1000).toFixed(0)} ms and \`vmt --version\` ${(a.version.median * 1000).toFixed(0)} ms (${(a.version.median / a.empty.median).toFixed(2)}×), emulated`;
}
out.push('', `Not in the table: ${armNote}; vmt-linux-x64-musl does not run on this Debian machine (no musl libstdc++). Their sizes are in the binaries section.`);
console.log(out.join('\n'));
JS
