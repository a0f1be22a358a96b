#!/usr/bin/env bash
# vsock benchmarks, in the QEMU guest (vsock_loopback, CID 1; never on this
# machine): throughput of `vmt vsock cat` against socat for SIZE bytes
# (256 MiB by default) in each direction, on the standalone binary and on
# node; connect latency; and one RPCI over vsock (vmt sim serve) against one
# over the backdoor (vmt sim, ptrace) in the same guest. Medians of RUNS.
# TCG emulates the CPU, so compare ratios inside this run, not seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
W=bench/.work/vsock; mkdir -p "$W"
# always (unless bench/run.sh just did): a stale binary without `vsock` makes every vmt line fail
[ -n "${BENCH_BUILT:-}" ] || { node scripts/build.mjs >&2 && node scripts/binaries.mjs x64 >&2; }
bash test/e2e/setup.sh >&2
SIZE=${SIZE:-268435456}
RUNS=${RUNS:-3}
N=${N:-20}
NODE="onhost $(command -v node) $ROOT/bin/run.js"

# Each line runs in its own sh in the guest: the listener starts first, outside
# the timing, and has SETTLE seconds to listen; then T (defined on each line)
# times the connector's run until the listener has exited too, by the guest's
# uptime, and prints "LABEL <centiseconds>". Every measurement is bounded
# (timeout), so a listener that never ends costs 300 s, not a hang.
T='T() { a=$(cut -d" " -f1 /proc/uptime); timeout 300 sh -c "$2" >/dev/null 2>&1; b=$(cut -d" " -f1 /proc/uptime); echo "$1 $(echo "$a $b" | awk "{printf \"%d\", (\$2-\$1)*100}")"; }'
C="VSOCK-CONNECT:1"
SETTLE=${SETTLE:-4}
# LABEL LISTENER CONNECTOR: one timed transfer from the connection to the listener's exit
line() { echo "$T; $2 & L=\$!; sleep $SETTLE; T $1 '$3; while kill -0 '\$L' 2>/dev/null; do sleep 0.05; done'; wait"; }
{
  echo "head -c $SIZE /dev/urandom > /tmp/big; wc -c < /tmp/big"
  for r in $(seq "$RUNS"); do
    line send-socat "onhost socat -u VSOCK-LISTEN:51$r$r OPEN:/dev/null" "onhost socat -u OPEN:/tmp/big $C:51$r$r"
    line send-binary "onhost socat -u VSOCK-LISTEN:52$r$r OPEN:/dev/null" "vmt vsock cat 1:52$r$r < /tmp/big"
    line send-node "onhost socat -u VSOCK-LISTEN:53$r$r OPEN:/dev/null" "$NODE vsock cat 1:53$r$r < /tmp/big"
    line recv-binary "vmt vsock cat -l 54$r$r </dev/null >/dev/null" "onhost socat -u OPEN:/tmp/big $C:54$r$r,retry=50,interval=0.2"
    line recv-node "$NODE vsock cat -l 55$r$r </dev/null >/dev/null" "onhost socat -u OPEN:/tmp/big $C:55$r$r,retry=50,interval=0.2"
  done
  echo "onhost socat -u VSOCK-LISTEN:5107,fork OPEN:/dev/null & L=\$!; sleep 2; $T; T connect-socat-x$N 'for i in \$(seq $N); do onhost socat -u OPEN:/dev/null $C:5107; done'; T connect-binary-x$N 'for i in \$(seq $N); do vmt vsock cat 1:5107 </dev/null; done'; kill \$L"
  echo "vmt sim serve --vsock-rpci 976 --guestinfo k=v --timeout 600 2>/dev/null & L=\$!; sleep 3; $T; T rpci-vsock-x$N 'for i in \$(seq $N); do vmt rpc --transport vsock --vsock-endpoint 1:976 info-get\\ guestinfo.k; done'; T rpci-backdoor-sim-x$N 'vmt sim --guestinfo k=v -- sh -c \"for i in \\\$(seq $N); do vmt rpc info-get\\\\ guestinfo.k; done\"'; T sim-start-x1 'vmt sim -- true'; kill \$L"
} > "$W/cmds.txt"
HOST_SHARE=1 MEM=2048 TIMEOUT=1800 CMD_TIMEOUT=700 bash test/e2e/qemu-run.sh dist/bin/vmt-linux-x64 "$W/cmds.txt" "$W/out" >/dev/null
node - "$W/out/results.txt" "$SIZE" "$N" <<'JS'
const [file, size, n] = process.argv.slice(2);
const text = require('fs').readFileSync(file, 'utf8');
const t = {};
for (const m of text.matchAll(/^([a-z][\w-]*) (\d+)$/gm)) (t[m[1]] ??= []).push(Number(m[2]) / 100); // not the harness's @@ markers
const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const mibs = (k) => (Number(size) / 1048576 / med(t[k])).toFixed(1);
console.log(`## vsock, in the QEMU guest\n\nIn the QEMU guest (TCG, vsock_loopback, CID 1; never on this machine): \`vmt vsock cat\` against socat, ${(Number(size) / 1048576).toFixed(0)} MiB each direction, median of ${t['send-socat']?.length ?? 0} run(s), timed by the guest's uptime from the connection to the listener's exit; connect latency and one RPCI over vsock (\`vmt sim serve\`) against one over the backdoor under \`vmt sim\`, ${n} each. The CPU is emulated: compare ratios inside this run, not seconds.\n`);
console.log(`| direction | socat | vmt binary | × | vmt on node | × |\n|---|---:|---:|---:|---:|---:|`);
for (const d of ['send', 'recv']) {
  const s = Number(mibs('send-socat')); // socat to socat: the peer's own rate
  const b = Number(mibs(`${d}-binary`));
  const nd = Number(mibs(`${d}-node`));
  console.log(`| ${d === 'send' ? 'vmt sends (socat receives)' : 'vmt receives (socat sends)'} | ${s} MiB/s | ${b} MiB/s | ${(b / s).toFixed(2)} | ${nd} MiB/s | ${(nd / s).toFixed(2)} |`);
}
const per = (k) => ((med(t[k]) / Number(n)) * 1000).toFixed(0);
console.log(`\nconnect + close, per connection (process start included): socat ${per(`connect-socat-x${n}`)} ms, vmt binary ${per(`connect-binary-x${n}`)} ms`);
console.log(`one RPCI (info-get), per call, process start included: over vsock (vmt sim serve) ${per(`rpci-vsock-x${n}`)} ms; over the backdoor under vmt sim (ptrace) ${per(`rpci-backdoor-sim-x${n}`)} ms (vmt sim -- true alone: ${(med(t['sim-start-x1']) * 1000).toFixed(0)} ms)`);
console.log(`\nraw (s): ${JSON.stringify(t)}`);
JS
