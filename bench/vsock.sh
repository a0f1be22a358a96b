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
[ -x dist/bin/vmt-linux-x64 ] || node scripts/binaries.mjs >/dev/null
bash test/e2e/setup.sh >/dev/null
SIZE=${SIZE:-268435456}
RUNS=${RUNS:-3}
N=${N:-20}
NODE="onhost $(command -v node) $ROOT/bin/run.js"

# t LABEL CMD: runs CMD (sh -c) and prints "LABEL <centiseconds>" by the guest's uptime
cat > "$W/cmds.txt" <<CMDS
head -c $SIZE /dev/urandom > /tmp/big; ls -l /tmp/big | awk '{print \$5}'
t() { a=\$(cut -d' ' -f1 /proc/uptime); sh -c "\$2" >/dev/null 2>&1; b=\$(cut -d' ' -f1 /proc/uptime); echo "\$1 \$(echo "\$a \$b" | awk '{printf "%d", (\$2-\$1)*100}')"; }; for r in \$(seq $RUNS); do \
t send-socat "onhost socat -u VSOCK-LISTEN:5101 OPEN:/dev/null & sleep 1; onhost socat -u OPEN:/tmp/big VSOCK-CONNECT:1:5101; wait"; \
t send-binary "onhost socat -u VSOCK-LISTEN:5102 OPEN:/dev/null & sleep 1; vmt vsock cat 1:5102 < /tmp/big; wait"; \
t send-node "onhost socat -u VSOCK-LISTEN:5103 OPEN:/dev/null & sleep 1; $NODE vsock cat 1:5103 < /tmp/big; wait"; \
t recv-socat "onhost socat -u VSOCK-LISTEN:5104 OPEN:/dev/null & sleep 1; onhost socat -u OPEN:/tmp/big VSOCK-CONNECT:1:5104; wait"; \
t recv-binary "vmt vsock cat -l 5105 </dev/null >/dev/null & sleep 1; onhost socat -u OPEN:/tmp/big VSOCK-CONNECT:1:5105; wait"; \
t recv-node "$NODE vsock cat -l 5106 </dev/null >/dev/null & sleep 4; onhost socat -u OPEN:/tmp/big VSOCK-CONNECT:1:5106; wait"; \
done
onhost socat -u VSOCK-LISTEN:5107,fork OPEN:/dev/null & L=\$!; sleep 1; t() { a=\$(cut -d' ' -f1 /proc/uptime); sh -c "\$2" >/dev/null 2>&1; b=\$(cut -d' ' -f1 /proc/uptime); echo "\$1 \$(echo "\$a \$b" | awk '{printf "%d", (\$2-\$1)*100}')"; }; \
t connect-socat-x$N "for i in \$(seq $N); do onhost socat -u OPEN:/dev/null VSOCK-CONNECT:1:5107; done"; \
t connect-binary-x$N "for i in \$(seq $N); do vmt vsock cat 1:5107 </dev/null; done"; kill \$L
vmt sim serve --vsock-rpci 976 --guestinfo k=v --timeout 600 2>/dev/null & L=\$!; sleep 2; t() { a=\$(cut -d' ' -f1 /proc/uptime); sh -c "\$2" >/dev/null 2>&1; b=\$(cut -d' ' -f1 /proc/uptime); echo "\$1 \$(echo "\$a \$b" | awk '{printf "%d", (\$2-\$1)*100}')"; }; \
t rpci-vsock-x$N "for i in \$(seq $N); do vmt rpc --transport vsock --vsock-endpoint 1:976 'info-get guestinfo.k'; done"; \
t rpci-backdoor-sim-x$N "vmt sim --guestinfo k=v -- sh -c 'for i in \$(seq $N); do vmt rpc info-get\ guestinfo.k; done'"; \
t sim-start-x1 "vmt sim -- true"; kill \$L
CMDS
HOST_SHARE=1 MEM=2048 TIMEOUT=1800 CMD_TIMEOUT=1500 bash test/e2e/qemu-run.sh dist/bin/vmt-linux-x64 "$W/cmds.txt" "$W/out" >/dev/null
node - "$W/out/results.txt" "$SIZE" "$N" <<'JS'
const [file, size, n] = process.argv.slice(2);
const text = require('fs').readFileSync(file, 'utf8');
const t = {};
for (const m of text.matchAll(/^(\S+) (\d+)$/gm)) (t[m[1]] ??= []).push(Number(m[2]) / 100);
const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const mibs = (k) => (Number(size) / 1048576 / (med(t[k]) - 1)).toFixed(1); // each timing includes a 1 s sleep for the listener
console.log(`| direction | socat | vmt binary | × | vmt on node | × |\n|---|---:|---:|---:|---:|---:|`);
for (const d of ['send', 'recv']) {
  const s = Number(mibs(`${d}-socat`));
  const b = Number(mibs(`${d}-binary`));
  const nodeSleep = d === 'recv' ? 4 : 1;
  const nd = Number((Number(size) / 1048576 / (med(t[`${d}-node`]) - nodeSleep)).toFixed(1));
  console.log(`| ${d === 'send' ? 'vmt sends (socat receives)' : 'vmt receives (socat sends)'} | ${s} MiB/s | ${b} MiB/s | ${(b / s).toFixed(2)} | ${nd} MiB/s | ${(nd / s).toFixed(2)} |`);
}
const per = (k) => ((med(t[k]) / Number(n)) * 1000).toFixed(0);
console.log(`\nconnect + close, per connection (process start included): socat ${per(`connect-socat-x${n}`)} ms, vmt binary ${per(`connect-binary-x${n}`)} ms`);
console.log(`one RPCI (info-get), per call, process start included: over vsock (vmt sim serve) ${per(`rpci-vsock-x${n}`)} ms; over the backdoor under vmt sim (ptrace) ${per(`rpci-backdoor-sim-x${n}`)} ms (vmt sim -- true alone: ${(med(t['sim-start-x1']) * 1000).toFixed(0)} ms)`);
console.log(`\nraw (s): ${JSON.stringify(t)}`);
JS
