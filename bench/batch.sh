#!/usr/bin/env bash
# 1000 info-get RPCs under vmt sim: `vmt rpc --batch` (one process, one channel)
# against 1000 `vmware-rpctool` processes and 1000 `vmt rpc` processes (one
# channel each): wall time (medians of RUNS runs) and backdoor calls per RPC.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
W=bench/.work/batch; mkdir -p "$W"
bash scripts/apt-install.sh open-vm-tools >&2
[ -n "${BENCH_BUILT:-}" ] || [ -x dist/bin/vmt-linux-x64 ] || node scripts/binaries.mjs x64 >&2
VMT=$PWD/dist/bin/vmt-linux-x64
N=${N:-1000}
RUNS=${RUNS:-3}
for ((i = 0; i < N; i++)); do echo "info-get guestinfo.x"; done > "$W/commands"

# each: the program under one sim, its transcript kept
batch() { $VMT sim --guestinfo x=hello --transcript "$W/$1.jsonl" -- sh -c 'exec "$0" rpc --batch < "$1"' "$VMT" "$W/commands" >/dev/null; }
rpctool() { $VMT sim --guestinfo x=hello --transcript "$W/$1.jsonl" -- sh -c 'while read -r c; do vmware-rpctool "$c"; done < "$0"' "$W/commands" >/dev/null; }
single() { $VMT sim --guestinfo x=hello --transcript "$W/$1.jsonl" -- sh -c 'while read -r c; do "$0" rpc "$c"; done < "$1"' "$VMT" "$W/commands" >/dev/null; }

median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
declare -A WALL CALLS OPENS
for kind in batch rpctool single; do
  times=()
  for ((r = 0; r < RUNS; r++)); do
    t0=$(now); $kind "$kind"; t1=$(now)
    times+=("$(echo "$t1 - $t0" | bc)")
  done
  WALL[$kind]=$(printf '%s\n' "${times[@]}" | median | xargs printf '%.2f')
  CALLS[$kind]=$(calls "$W/$kind.jsonl")
  OPENS[$kind]=$(grep -c '"t":"channel","event":"open"' "$W/$kind.jsonl" || true)
  say "$kind: ${WALL[$kind]} s, ${CALLS[$kind]} calls, ${OPENS[$kind]} opens"
done

per() { echo "scale=2; $1 / $N" | bc; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
cat <<MD
## Many RPCs: vmt rpc --batch against one process per RPC

$N \`info-get\` RPCs under one \`vmt sim\` each way, wall time (median of $RUNS), backdoor calls per RPC and channels opened from the transcript. The loops pay a process start under ptrace per RPC.

| $N × \`info-get\` under \`vmt sim\` | wall (median of $RUNS) | per RPC | backdoor calls per RPC | channels opened |
|---|---:|---:|---:|---:|
| \`vmt rpc --batch\` (one process) | ${WALL[batch]} s | $(echo "scale=2; ${WALL[batch]} * 1000 / $N" | bc) ms | $(per "${CALLS[batch]}") | ${OPENS[batch]} |
| $N × \`vmware-rpctool\` | ${WALL[rpctool]} s | $(echo "scale=2; ${WALL[rpctool]} * 1000 / $N" | bc) ms | $(per "${CALLS[rpctool]}") | ${OPENS[rpctool]} |
| $N × \`vmt rpc\` | ${WALL[single]} s | $(echo "scale=2; ${WALL[single]} * 1000 / $N" | bc) ms | $(per "${CALLS[single]}") | ${OPENS[single]} |

vmware-rpctool's loop / the batch: $(ratio "${WALL[rpctool]}" "${WALL[batch]}")× the wall time; backdoor calls per RPC: one-shot vmt rpc / batch $(ratio "${CALLS[single]}" "${CALLS[batch]}")×.
MD
