#!/usr/bin/env bash
# vmt sim benchmarks: the cost of one emulated backdoor call, and a
# vmware-rpctool round trip under the sim (HB and --no-hb), with the number
# of backdoor traps per RPC counted from the transcript. Medians, one run.
set -euo pipefail
cd "$(dirname "$0")/.."
W=bench/.work/sim; mkdir -p "$W"
bash scripts/apt-install.sh hyperfine open-vm-tools >&2
if [ -z "${BENCH_BUILT:-}" ]; then # bench/run.sh has built them
  [ -f dist/vmt.js ] || node scripts/build.mjs >&2
  [ -x dist/bin/vmt-linux-x64 ] || node scripts/binaries.mjs x64 >&2
fi
cc -O2 -o "$W/bdoor-loop" bench/bdoor-loop.c >&2
VMT=dist/bin/vmt-linux-x64
RUNS=${RUNS:-10}
N=${N:-20000}

median() { node -e 'const j=require(require("path").resolve(process.argv[1]));for(const r of j.results)console.log(r.median)' "$1"; }

hyperfine -N --warmup 2 --runs "$RUNS" --export-json "$W/calls.json" \
  "$VMT sim -- $W/bdoor-loop 0" "$VMT sim -- $W/bdoor-loop $N" >/dev/null
read -r t0 tn < <(median "$W/calls.json" | paste -sd' ')
per_call_us=$(node -e "console.log(((${tn}-${t0})/${N}*1e6).toFixed(1))")

hyperfine -N --warmup 2 --runs "$RUNS" --export-json "$W/rpc.json" \
  "$VMT sim -- true" \
  "$VMT sim --guestinfo x=hello -- vmware-rpctool 'info-get guestinfo.x'" \
  "$VMT sim --no-hb --guestinfo x=hello -- vmware-rpctool 'info-get guestinfo.x'" >/dev/null
read -r sim_true rpc_hb rpc_lb < <(median "$W/rpc.json" | paste -sd' ')

traps() { $VMT sim --transcript "$W/t.jsonl" "$@" -- vmware-rpctool 'info-get guestinfo.x' >/dev/null; grep -cE '"t":"(bdoor|hb)"' "$W/t.jsonl"; }
traps_hb=$(traps --guestinfo x=hello)
traps_lb=$(traps --no-hb --guestinfo x=hello)

ms() { node -e "console.log((${1}*1000).toFixed(1))"; }
cat <<MD
## vmt sim: one emulated backdoor call, and an RPC under the sim

hyperfine medians of ${RUNS} runs; the sim is the standalone binary. \`bench/bdoor-loop.c\` makes N GETVERSION calls with \`in eax,dx\`; one call costs (t(N) − t(0)) / N. Backdoor traps = the transcript's \`bdoor\` and \`hb\` entries (CPUID traps not counted).

| what (vmt sim = the standalone binary) | median |
|---|---|
| one emulated backdoor call (GETVERSION; (t(${N} calls) − t(0)) / ${N}) | ${per_call_us} µs |
| \`vmt sim -- true\` (the sim's own start and stop) | $(ms "$sim_true") ms |
| \`vmt sim -- vmware-rpctool 'info-get guestinfo.x'\`, HB host | $(ms "$rpc_hb") ms, ${traps_hb} backdoor traps |
| the same, \`--no-hb\` | $(ms "$rpc_lb") ms, ${traps_lb} backdoor traps |
MD
