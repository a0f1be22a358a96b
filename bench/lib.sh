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
