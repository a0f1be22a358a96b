#!/usr/bin/env bash
# `npm run bench`: runs the benchmarks of bench/ and writes bench/RESULTS.md
# from their outputs (every line of it generated; the narrative and readings of
# earlier runs are bench/HISTORY.md, which nothing writes).
#
#   bash bench/run.sh [--only NAME,...] [--skip NAME,...] [--quick] [--vsock] [--rebuild] [--out FILE]
#
#   NAME        startup binaries sim rpc batch tclo report breakdown vsock
#   --only      run only these benches (vsock included when named)
#   --skip      run all but these
#   --quick     fewer runs and smaller sizes, for trying it (about 3 minutes)
#   --vsock     run vsock too: it boots the QEMU guest under TCG (test/e2e/setup.sh
#               fetches its kernel the first time) and adds 3 to 5 minutes,
#               so a plain run leaves it out and says so in RESULTS.md
#   --rebuild   rebuild the bundle and every binary flavour first (otherwise only
#               when missing or older than the sources)
#   --out FILE  where to write; default bench/RESULTS.md for a full run, and
#               bench/.work/RESULTS.md with --quick, --only or --skip
#
# Each bench is a script that also runs alone, `bash bench/NAME.sh`, prints its
# markdown section on stdout and keeps its raw data in bench/.work/. The
# settings each gets here are in the table at the top of RESULTS.md. A full run
# takes about 10 minutes on a 2-core machine. Timings are reported, never asserted.
set -euo pipefail
cd "$(dirname "$0")/.."

USAGE='Usage: bash bench/run.sh [--only NAME,...] [--skip NAME,...] [--quick] [--vsock] [--rebuild] [--out FILE]'
ALL=(startup binaries sim rpc batch tclo report breakdown vsock)
# the settings of each bench: a full run, and --quick
declare -A FULL=(
  [startup]='RUNS=30 WARMUP=3' [binaries]='' [sim]='RUNS=10 N=20000' [rpc]='RUNS=20'
  [batch]='N=1000 RUNS=1' [tclo]='IDLE=30 PINGS=20' [report]='RUNS=10 IDLE=35'
  [breakdown]='RUNS=30 WARMUP=3 TIMELINE_RUNS=21 TIMELINE_CMDS=gettime' [vsock]='SIZE=16777216 RUNS=1 N=10'
)
declare -A QUICK=(
  [startup]='RUNS=5 WARMUP=1' [binaries]='' [sim]='RUNS=3 N=5000' [rpc]='RUNS=5'
  [batch]='N=20 RUNS=1' [tclo]='IDLE=5 PINGS=5' [report]='RUNS=3 IDLE=5'
  [breakdown]='RUNS=5 WARMUP=1 TIMELINE_RUNS=5 TIMELINE_CMDS=gettime' [vsock]='SIZE=8388608 RUNS=1 N=5'
)

usage_error() { echo "bench: $1" >&2; echo "$USAGE" >&2; exit 2; }
known() { local n; for n in "${ALL[@]}"; do [ "$n" = "$1" ] && return 0; done; return 1; }
names() { # a comma-separated list of bench names, checked
  [ -n "$1" ] || usage_error "$2 needs a list of benches (${ALL[*]})"
  local n
  for n in ${1//,/ }; do known "$n" || usage_error "no bench named '$n' (there are: ${ALL[*]})"; done
  echo "${1//,/ }"
}
ONLY= SKIP= QUICK_RUN=0 VSOCK=0 REBUILD=0 OUT=
while [ $# -gt 0 ]; do
  case $1 in
    --only) [ $# -ge 2 ] || usage_error "--only needs a list of benches (${ALL[*]})"; ONLY=$(names "$2" --only); shift 2 ;;
    --only=*) ONLY=$(names "${1#*=}" --only); shift ;;
    --skip) [ $# -ge 2 ] || usage_error "--skip needs a list of benches (${ALL[*]})"; SKIP=$(names "$2" --skip); shift 2 ;;
    --skip=*) SKIP=$(names "${1#*=}" --skip); shift ;;
    --quick) QUICK_RUN=1; shift ;;
    --vsock) VSOCK=1; shift ;;
    --rebuild) REBUILD=1; shift ;;
    --out) [ $# -ge 2 ] && [ -n "$2" ] || usage_error "--out needs a file name"; OUT=$2; shift 2 ;;
    -h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) usage_error "unknown argument '$1'" ;;
  esac
done
[ -n "$ONLY" ] && [ -n "$SKIP" ] && usage_error "--only and --skip do not go together"
if [ -z "$OUT" ]; then
  if [ $QUICK_RUN = 1 ] || [ -n "$ONLY$SKIP" ]; then OUT=bench/.work/RESULTS.md; else OUT=bench/RESULTS.md; fi
fi

WORK=bench/.work
mkdir -p "$WORK/sections"
say() { echo "bench: $*" >&2; }
# why each bench that does not run is left out (never a silent gap)
declare -A WHY=()
SELECTED=()
for n in "${ALL[@]}"; do
  if [ -n "$ONLY" ]; then
    [[ " $ONLY " == *" $n "* ]] || { WHY[$n]="left out of this run (\`--only ${ONLY// /,}\`)"; continue; }
  elif [[ " $SKIP " == *" $n "* ]]; then
    WHY[$n]="skipped in this run (\`--skip ${SKIP// /,}\`)"; continue
  elif [ "$n" = vsock ] && [ $VSOCK = 0 ]; then
    WHY[$n]="not run by default: it boots the QEMU guest under TCG (vsock is opened only there, never on this machine) and takes 3 to 5 minutes more; \`bash bench/run.sh --vsock\` or \`--only vsock\` runs it"
    continue
  fi
  SELECTED+=("$n")
done

# --- tools and builds, once for every bench ----------------------------------
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
START=$(date +%s)
if [ ${#SELECTED[@]} -gt 0 ]; then
  bash scripts/apt-install.sh hyperfine open-vm-tools >&2
  stale=$(find src commands bin native/libvmt native/vmt-trace scripts/build.mjs scripts/binaries.mjs package.json \
    -type f -newer dist/bin/vmt-linux-x64 2>/dev/null | head -1 || true)
  missing=0
  for f in x64 x64-v2 x64-baseline x64-musl arm64; do [ -x "dist/bin/vmt-linux-$f" ] || missing=1; done
  [ -f dist/fast.js ] && [ -f dist/vmt.js ] && [ -f native/build/libvmt.so ] || missing=1
  if [ $REBUILD = 1 ] || [ $missing = 1 ] || [ -n "$stale" ]; then
    why="--rebuild"; [ $missing = 1 ] && why="some are missing"; [ -n "$stale" ] && why="$stale is newer than dist/bin/vmt-linux-x64"
    say "building the bundle and every binary flavour ($why)"
    node scripts/build.mjs >&2
    node scripts/binaries.mjs >&2
  fi
  export BENCH_BUILT=1 # the scripts skip their own builds
fi

# --- the benches ------------------------------------------------------------------
declare -A TOOK=() STATUS=() SETTINGS=()
for n in "${SELECTED[@]}"; do
  if [ $QUICK_RUN = 1 ]; then s=${QUICK[$n]}; else s=${FULL[$n]}; fi
  SETTINGS[$n]=$s
  say "$n: ${s:+$s }bash bench/$n.sh"
  t0=$(date +%s)
  rc=0
  # shellcheck disable=SC2086 # the settings are NAME=VALUE words
  env $s bash "bench/$n.sh" >"$WORK/sections/$n.md" 2>"$WORK/sections/$n.log" || rc=$?
  TOOK[$n]=$(( $(date +%s) - t0 ))
  STATUS[$n]=$rc
  [ $rc = 0 ] && say "$n: done in ${TOOK[$n]} s" || say "$n: exit $rc after ${TOOK[$n]} s (see $WORK/sections/$n.log)"
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
TOTAL=$(( $(date +%s) - START ))

# --- RESULTS.md ---------------------------------------------------------------------
ver() { "$@" 2>/dev/null | head -1 || echo -; }
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- . ':!bench/RESULTS.md' 2>/dev/null || commit="$commit with uncommitted changes"
title() { case $1 in
  startup) echo 'Start-up per flavour' ;; binaries) echo 'Binary sizes per flavour' ;;
  sim) echo 'vmt sim: one emulated backdoor call, and an RPC under the sim' ;;
  rpc) echo 'GuestRPC: vmt rpc against vmware-rpctool, both under vmt sim' ;;
  batch) echo 'Many RPCs: vmt rpc --batch against one process per RPC' ;;
  tclo) echo 'TCLO: vmt tclo listen against vmtoolsd' ;;
  report) echo "Guest identity reports: vmt report against vmtoolsd's guestInfo" ;;
  breakdown) echo "What the binary's start-up is made of" ;;
  vsock) echo 'vsock, in the QEMU guest' ;;
esac; }
alone() { local s=${SETTINGS[$1]:-}; echo "\`${s:+$s }bash bench/$1.sh\`"; }
tmp=$OUT.tmp
mkdir -p "$(dirname "$OUT")"
{
  echo '<!-- Generated by bench/run.sh (npm run bench): do not edit, run it again. -->'
  echo '# vmt benchmarks'
  echo
  echo "Generated by \`npm run bench\` (\`bash bench/run.sh$([ $QUICK_RUN = 1 ] && echo ' --quick')${ONLY:+ --only ${ONLY// /,}}${SKIP:+ --skip ${SKIP// /,}}$([ $VSOCK = 1 ] && echo ' --vsock')\`) on $(date -u +%Y-%m-%dT%H:%MZ), commit $commit, in $((TOTAL / 60)) min $((TOTAL % 60)) s. Every line of this file is generated; the narrative of earlier issues (before/after comparisons, what dominates the start-up, what helps, hardening notes) is in [HISTORY.md](HISTORY.md)."
  echo
  echo '## Machine and method'
  echo
  echo "- CPU: $(nproc) × $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'); $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo); virtual machine: $(systemd-detect-virt --vm 2>/dev/null || echo none), container: $(systemd-detect-virt --container 2>/dev/null || echo none)."
  echo "- Kernel $(uname -sr); $(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")."
  echo "- Load average (1, 5, 15 min): $LOAD_BEFORE before the run, $LOAD_AFTER after it. The machine is shared with other jobs."
  echo "- Runtimes: node $(node --version), bun $(ver node_modules/.bin/bun --version), $(DENO_NO_UPDATE_CHECK=1 ver node_modules/.bin/deno --version); hyperfine $(ver hyperfine --version | cut -d' ' -f2); open-vm-tools $(dpkg-query -W -f '${Version}' open-vm-tools 2>/dev/null || echo -)."
  [ -x dist/bin/vmt-linux-x64 ] && echo "- Binaries: \`dist/bin/vmt-linux-*\` built $(date -u -r dist/bin/vmt-linux-x64 +%Y-%m-%dT%H:%MZ) by \`node scripts/binaries.mjs\` from this tree."
  echo "- Method: wall times are medians (hyperfine \`-N\`, no shell, or the scripts' own loops), with p25–p75 where shown. Every ratio is against a peer measured in the same run, most in the same hyperfine run (open-vm-tools' program, or an empty program of the same runtime), because this is a noisy shared virtual machine: compare ratios inside one run, not milliseconds across runs or machines. Counts (backdoor calls, channels) do not depend on load. Nothing here is asserted by a test."
  echo
  echo '| bench | settings | took | in this run |'
  echo '|---|---|---:|---|'
  for n in "${ALL[@]}"; do
    if [ -n "${STATUS[$n]:-}" ]; then
      st=$([ "${STATUS[$n]}" = 0 ] && echo ran || echo "**failed** (exit ${STATUS[$n]})")
      echo "| [$n](#$(title "$n" | tr 'A-Z' 'a-z' | sed 's/[^a-z0-9 -]//g; s/ /-/g')) | $([ -n "${SETTINGS[$n]}" ] && echo "\`${SETTINGS[$n]}\`" || echo '(none)') | ${TOOK[$n]} s | $st |"
    else
      echo "| $n | — | — | ${WHY[$n]} |"
    fi
  done
  for n in "${ALL[@]}"; do
    echo
    if [ -z "${STATUS[$n]:-}" ]; then
      echo "## $(title "$n")"
      echo
      echo "\`bench/$n.sh\`: ${WHY[$n]}."
    elif [ "${STATUS[$n]}" != 0 ]; then
      echo "## $(title "$n")"
      echo
      echo "\`bench/$n.sh\` failed in this run (exit ${STATUS[$n]} after ${TOOK[$n]} s); the last lines it wrote on stderr:"
      echo
      echo '```'
      tail -n 8 "$WORK/sections/$n.log"
      echo '```'
    else
      cat "$WORK/sections/$n.md"
      echo
      echo "Alone: $(alone "$n") (${TOOK[$n]} s here); raw data in \`bench/.work/\`."
    fi
  done
} >"$tmp"
mv "$tmp" "$OUT"
say "wrote $OUT (${TOTAL} s; load average $LOAD_BEFORE before, $LOAD_AFTER after)"
