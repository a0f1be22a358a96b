#!/usr/bin/env bash
# `vmt tclo listen` against open-vm-tools' vmtoolsd, each under `vmt sim` (the
# standalone binary), one after the other on the same simulated host:
#  a. idle CPU over IDLE seconds (30): utime+stime of the agent process from
#     /proc/PID/stat at the start and the end, as % of one core; the sim's own
#     processes (the host model, i.e. the vmt binary running `sim`, and the
#     vmt-trace tracer) separately; emulated backdoor calls per second;
#  b. latency from a queued host command to its reply: PINGS (20) x --tclo ping
#     with --tclo-interval 500, latency_ms from the transcript (median, max);
#  c. resident memory (VmRSS, VmHWM from /proc/PID/status) of both agents,
#     at the end of the idle run.
# One run; reported, never asserted (no test fails on these numbers).
# vmtoolsd only idles and answers ping here: it gets no power operation.
#
#   bash bench/tclo.sh        env: IDLE (30), PINGS (20)
# Raw transcripts go to bench/.work/tclo/.
set -euo pipefail
cd "$(dirname "$0")/.."
W=$PWD/bench/.work/tclo
rm -rf "$W"; mkdir -p "$W/run"; chmod 700 "$W/run"
bash scripts/apt-install.sh open-vm-tools >&2
[ -n "${BENCH_BUILT:-}" ] || [ -x dist/bin/vmt-linux-x64 ] || node scripts/binaries.mjs x64 >&2
VMT=$PWD/dist/bin/vmt-linux-x64
IDLE=${IDLE:-30}
PINGS=${PINGS:-20}
TCK=$(getconf CLK_TCK)
# vmt's pid file (and the sim's private tracer copy) in a directory of our own
export XDG_RUNTIME_DIR=$W/run
. bench/lib.sh
agent_pid() { # the process that opened TCLO, from the transcript (a thread id mapped to its process)
  tgid "$(grep -m1 '"protocol":"TCLO"' "$1" | sed 's/.*"pid":\([0-9]*\).*/\1/')"
}

# --- a + c: idle ----------------------------------------------------------------
idle() { # name, program...
  local name=$1; shift
  local t=$W/idle-$name.jsonl
  "$VMT" sim --transcript "$t" --timeout $((IDLE + 30)) -- "$@" >"$W/idle-$name.out" 2>"$W/idle-$name.err" &
  local sim=$!; PIDS+=("$sim")
  wait_for "$t" '"handshake":true' 20
  sleep 2 # past start-up (vmtoolsd's plugins register after the handshake)
  local agent tracer
  agent=$(agent_pid "$t")
  tracer=$(ps -o pid= --ppid "$sim" | head -1 | tr -d ' ')
  local a0 s0 r0 c0 w0 a1 s1 r1 c1 w1
  a0=$(ticks "$agent"); s0=$(ticks "$sim"); r0=$(ticks "$tracer"); c0=$(calls "$t"); w0=$(now)
  sleep "$IDLE"
  a1=$(ticks "$agent"); s1=$(ticks "$sim"); r1=$(ticks "$tracer"); c1=$(calls "$t"); w1=$(now)
  local m; m=$(mem "$agent")
  kill -TERM "$sim"; wait "$sim" || true
  echo "$name agent=$((a1 - a0)) host=$((s1 - s0)) tracer=$((r1 - r0)) calls=$((c1 - c0)) wall=$(awk -v a="$w0" -v b="$w1" 'BEGIN {printf "%.3f", b - a}') $m" >>"$W/idle.txt"
}
say "idle: vmt tclo listen, ${IDLE} s"
idle vmt "$VMT" tclo listen --force
say "idle: vmtoolsd, ${IDLE} s"
idle vmtoolsd vmtoolsd

# --- b: latency -----------------------------------------------------------------
latency() { # name, extra sim flags..., --, program...
  local name=$1; shift
  local flags=(); while [ "$1" != "--" ]; do flags+=("$1"); shift; done; shift
  local t=$W/latency-$name.jsonl tclo=() i
  for ((i = 0; i < PINGS; i++)); do tclo+=(--tclo ping); done
  "$VMT" sim --transcript "$t" "${tclo[@]}" --tclo-interval 500 --timeout 60 "${flags[@]}" -- "$@" >"$W/latency-$name.out" 2>"$W/latency-$name.err" &
  local sim=$!; PIDS+=("$sim")
  local n
  for ((i = 0; i < 1200; i++)); do
    n=$(grep -c '"latency_ms"' "$t" 2>/dev/null) || n=0
    [ "$n" -ge "$PINGS" ] && break
    sleep 0.05
  done
  kill -TERM "$sim" 2>/dev/null || true; wait "$sim" || true
}
say "latency: ${PINGS} x ping, --tclo-interval 500, vmt"
latency vmt -- "$VMT" tclo listen --force --exit-after $((PINGS + 1))
say "latency: ${PINGS} x ping, --tclo-interval 500, vmtoolsd"
latency vmtoolsd -- vmtoolsd

# --- report ---------------------------------------------------------------------
{
  echo "date:          $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "cpu:           $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "kernel:        $(uname -sr)"
  echo "open-vm-tools: $(dpkg-query -W -f '${Version}' open-vm-tools 2>/dev/null || echo -)"
  echo "binary:        dist/bin/vmt-linux-x64 ($(du -m "$VMT" | cut -f1) MB), built $(date -u -r "$VMT" +%Y-%m-%dT%H:%MZ)"
  echo "settings:      IDLE=$IDLE s, PINGS=$PINGS, CLK_TCK=$TCK"
} >"$W/machine.txt"
node - "$W" "$TCK" "$PINGS" <<'JS'
const fs = require('fs');
const [dir, tck, pings] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const idle = Object.fromEntries(fs.readFileSync(`${dir}/idle.txt`, 'utf8').trim().split('\n').map((l) => {
  const [name, ...kv] = l.trim().split(/\s+/);
  return [name, Object.fromEntries(kv.map((x) => x.split('=')).map(([k, v]) => [k, Number(v)]))];
}));
const pctN = (r, k) => (r[k] / tck / r.wall) * 100;
const pct = (r, k) => pctN(r, k).toFixed(2);
const lat = (name) => {
  const t = fs.readFileSync(`${dir}/latency-${name}.jsonl`, 'utf8').split('\n').filter(Boolean).map(JSON.parse);
  const xs = t.filter((e) => e.t === 'tclo' && typeof e.latency_ms === 'number').map((e) => e.latency_ms).sort((a, b) => a - b);
  const med = xs.length ? (xs.length % 2 ? xs[(xs.length - 1) / 2] : (xs[xs.length / 2 - 1] + xs[xs.length / 2]) / 2) : NaN;
  return { n: xs.length, med, max: xs.at(-1) ?? NaN, ok: t.filter((e) => e.t === 'tclo' && e.command === 'ping' && e.reply === 'OK ').length };
};
const L = { vmt: lat('vmt'), vmtoolsd: lat('vmtoolsd') };
const mb = (kb) => (kb / 1024).toFixed(1);
const rows = [['vmt tclo listen (binary)', 'vmt'], ['vmtoolsd (open-vm-tools)', 'vmtoolsd']];
console.log(`## TCLO: vmt tclo listen against vmtoolsd

Each agent alone under \`vmt sim\` (the standalone binary), vmt first, then open-vm-tools' vmtoolsd (idle and \`ping\` only: no power operation). Idle CPU: utime+stime of the agent process over ${idle.vmt.wall.toFixed(0)} s, 2 s after the handshake, as % of one core; the sim's host model and its tracer separately. Latency: ${pings} × \`--tclo ping\`, each queued 500 ms after the previous reply, queued → reply from the transcript. Memory: VmRSS/VmHWM at the end of the idle run.
`);
console.log(`| under vmt sim | agent idle CPU | sim host model | vmt-trace | backdoor calls/s | latency median | latency max | VmRSS | VmHWM |`);
console.log(`|---|---:|---:|---:|---:|---:|---:|---:|---:|`);
for (const [label, k] of rows) {
  const r = idle[k], l = L[k];
  console.log(`| ${label} | ${pct(r, 'agent')} % | ${pct(r, 'host')} % | ${pct(r, 'tracer')} % | ${(r.calls / r.wall).toFixed(1)} | ${l.med} ms | ${l.max} ms | ${mb(r['VmRSS:'])} MB | ${mb(r['VmHWM:'])} MB |`);
}
const v = idle.vmt, o = idle.vmtoolsd;
console.log(`
CPU: utime+stime over ${v.wall.toFixed(1)} s (vmt) and ${o.wall.toFixed(1)} s (vmtoolsd) of idle polling, as % of one core
(${tck} ticks/s, so one tick is ${(100 / tck / v.wall).toFixed(3)} %). Latency: ${L.vmt.n} and ${L.vmtoolsd.n} of ${pings} pings
(${L.vmt.ok} and ${L.vmtoolsd.ok} answered "OK "), each queued 500 ms after the previous reply; latency_ms = queued -> reply.
Targets (reported, not asserted): idle CPU <= 1 % and <= vmtoolsd's: ${pctN(v, 'agent') <= 1 ? 'met' : 'not met'} / ${v.agent <= o.agent ? 'met' : 'not met'};
latency <= 150 ms: ${L.vmt.max <= 150 ? 'met (max)' : L.vmt.med <= 150 ? 'met (median), not by the max' : 'not met'}.`);
JS
say "raw data: $W/{idle.txt,idle-*.jsonl,latency-*.jsonl,machine.txt}"
