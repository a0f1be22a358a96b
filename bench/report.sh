#!/usr/bin/env bash
# The guest's identity reports (issue 11), vmt against open-vm-tools' vmtoolsd,
# each under `vmt sim` (the standalone binary) on the same machine:
#  a. one full report: `vmt report --all` (RUNS times: wall time with process
#     start, median), and vmtoolsd's first guestInfo cycle (poll-interval=1 in a
#     tools.conf of our own); backdoor calls (bdoor + hb transcript entries)
#     spent on the SetGuestInfo requests of one full report, counted the same
#     way for both: on each channel, the calls since its previous request;
#  b. idle CPU with reports on, over IDLE seconds (35): `vmt tclo listen
#     --report` (30 s interval) against vmtoolsd (its default 30 s poll):
#     utime+stime of the agent process as % of one core, and backdoor calls/s.
# Reported, never asserted. vmtoolsd gets no TCLO command but the handshake.
#
#   bash bench/report.sh        env: RUNS (10), IDLE (35)
set -euo pipefail
cd "$(dirname "$0")/.."
W=$PWD/bench/.work/report
rm -rf "$W"; mkdir -p "$W/run"; chmod 700 "$W/run"
bash scripts/apt-install.sh open-vm-tools >&2
[ -n "${BENCH_BUILT:-}" ] || { node scripts/build.mjs >&2 && node scripts/binaries.mjs x64 >&2; }
VMT=$PWD/dist/bin/vmt-linux-x64
RUNS=${RUNS:-10}
IDLE=${IDLE:-35}
TCK=$(getconf CLK_TCK)
export XDG_RUNTIME_DIR=$W/run
. bench/lib.sh
printf '[guestinfo]\npoll-interval=1\nexclude-nics=\n\n[logging]\nlog=false\n' >"$W/tools-fast.conf"
printf '[logging]\nlog=false\n' >"$W/tools-default.conf"

# --- a: one full report ------------------------------------------------------------
say "a: vmt report --all x $RUNS"
for ((i = 0; i < RUNS; i++)); do
  s=$(now); "$VMT" sim --transcript "$W/full-vmt-$i.jsonl" -- "$VMT" report --all >/dev/null; e=$(now)
  awk -v a="$s" -v b="$e" 'BEGIN {printf "%d\n", (b - a) * 1000}' >>"$W/full-vmt-ms.txt"
done
say "a: vmtoolsd, until its first SetGuestInfo 10"
"$VMT" sim --transcript "$W/full-vmtoolsd.jsonl" --timeout 60 -- vmtoolsd -c "$W/tools-fast.conf" >/dev/null 2>&1 &
sim=$!; PIDS+=("$sim")
wait_for "$W/full-vmtoolsd.jsonl" 'SetGuestInfo  7' 50 || true
sleep 1
kill -TERM "$sim" 2>/dev/null || true; wait "$sim" || true

# --- b: idle with reports on ----------------------------------------------------------
idle() { # name, program...
  local name=$1; shift
  local t=$W/idle-$name.jsonl
  "$VMT" sim --transcript "$t" --timeout $((IDLE + 40)) -- "$@" >/dev/null 2>"$W/idle-$name.err" &
  local sim=$!; PIDS+=("$sim")
  wait_for "$t" '"handshake":true' 20
  sleep 3
  local agent; agent=$(tgid "$(grep -m1 '"protocol":"TCLO"' "$t" | sed 's/.*"pid":\([0-9]*\).*/\1/')")
  local a0 c0 w0 a1 c1 w1
  a0=$(ticks "$agent"); c0=$(calls "$t"); w0=$(now)
  sleep "$IDLE"
  a1=$(ticks "$agent"); c1=$(calls "$t"); w1=$(now)
  local reports; reports=$(grep -c '"request":"SetGuestInfo  7' "$t" || true)
  kill -TERM "$sim"; wait "$sim" || true
  echo "$name agent=$((a1 - a0)) calls=$((c1 - c0)) reports=$reports wall=$(awk -v a="$w0" -v b="$w1" 'BEGIN {printf "%.3f", b - a}')" >>"$W/idle.txt"
}
say "b: vmt tclo listen --report, $IDLE s"
idle vmt "$VMT" tclo listen --force --report
say "b: vmtoolsd, $IDLE s"
idle vmtoolsd vmtoolsd -c "$W/tools-default.conf"

node - "$W" "$RUNS" "$TCK" <<'JS'
const fs = require('fs');
const [dir, runs, tck] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const read = (f) => fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).map(JSON.parse);
/** backdoor calls spent on each SetGuestInfo key of the first full report: per channel, the calls since its previous request */
function perKey(t) {
  const since = new Map(), out = new Map();
  for (const e of t) {
    if ((e.t === 'bdoor' || e.t === 'hb') && e.channel !== undefined) since.set(e.channel, (since.get(e.channel) ?? 0) + 1);
    if (e.t === 'rpci') {
      const n = since.get(e.channel) ?? 0; since.set(e.channel, 0);
      const m = /^SetGuestInfo {2}(\d+)/.exec(String(e.request));
      if (m && !out.has(m[1])) out.set(m[1], n);
    }
  }
  return out;
}
const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const ms = fs.readFileSync(`${dir}/full-vmt-ms.txt`, 'utf8').trim().split('\n').map(Number);
const v = perKey(read(`${dir}/full-vmt-0.jsonl`)), o = perKey(read(`${dir}/full-vmtoolsd.jsonl`));
const sum = (m) => [...m.values()].reduce((a, b) => a + b, 0);
const allV = read(`${dir}/full-vmt-0.jsonl`).filter((e) => e.t === 'bdoor' || e.t === 'hb').length;
console.log(`## Guest identity reports: vmt report against vmtoolsd's guestInfo\n\nBoth under \`vmt sim\` (the standalone binary). One full report: \`vmt report --all\` ${runs} times (wall with process start, median) and vmtoolsd's first guestInfo cycle (poll-interval=1); backdoor calls counted the same way for both (per channel, the calls since its previous request, summed over the SetGuestInfo requests). Then each agent idle with reports on (utime+stime as % of one core, backdoor calls/s).\n`);
console.log(`| one full report, under vmt sim | keys sent | backdoor calls on them | all backdoor calls of the run | wall (process start included) |`);
console.log(`|---|---|---:|---:|---:|`);
console.log(`| vmt report --all (binary) | ${[...v.keys()].join(' ')} | ${sum(v)} | ${allV} | ${med(ms)} ms (median of ${runs}) |`);
console.log(`| vmtoolsd, first guestInfo cycle | ${[...o.keys()].join(' ')} | ${sum(o)} | - | - |`);
const idle = Object.fromEntries(fs.readFileSync(`${dir}/idle.txt`, 'utf8').trim().split('\n').map((l) => { const [n, ...kv] = l.split(/\s+/); return [n, Object.fromEntries(kv.map((x) => x.split('=')).map(([k, x]) => [k, Number(x)]))]; }));
console.log(`\n| idle with reports on, under vmt sim | agent CPU | backdoor calls/s | uptime reports sent |`);
console.log(`|---|---:|---:|---:|`);
for (const [label, k] of [['vmt tclo listen --report (30 s)', 'vmt'], ['vmtoolsd (30 s poll)', 'vmtoolsd']]) {
  const r = idle[k];
  console.log(`| ${label} | ${((r.agent / tck / r.wall) * 100).toFixed(2)} % | ${(r.calls / r.wall).toFixed(1)} | ${r.reports} |`);
}
JS
