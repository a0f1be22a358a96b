#!/usr/bin/env bash
# Coverage-guided fuzzing of the native code that reads outside input, with
# libFuzzer under ASan and UBSan. One target a harness in native/fuzz/:
#   x86len   the x86-64 instruction-length decoder and CPUID sweep (x86len.c)
#   ehframe  .eh_frame and .eh_frame_hdr walking (ehframe.c)
#   elfscan  the ELF scan vmt-trace runs on every file a program maps (elfscan.c)
#   patch    vmt-trace's CPUID-site cache files and /proc/PID/maps lines (patch.c)
# libvmt has no parser to fuzz: pump.c copies bytes without looking at them,
# vsock.c and ioctl.c only pass arguments to system calls.
#
#   scripts/fuzz.sh [TARGET...]      every target when none is named
#
# Each target is built, then run for FUZZ_SECONDS seconds (default 60), one
# job, from its seed corpus native/fuzz/corpus/TARGET/ (never written to: the
# inputs found go to a scratch directory). FUZZ_SECONDS=0 only replays the
# seed corpus. FUZZ_OUT=DIR keeps the builds, logs, corpora and crash inputs
# in DIR (default: a temporary directory, removed unless something failed).
# One line a target on stderr; a crash shows libFuzzer's report and where the
# input that caused it is. Exit status 0 when no target crashed, 1 when one
# did or a build failed, 2 on a usage error. Installs clang and libFuzzer
# (Debian: clang, libclang-rt-dev) when missing.
set -uo pipefail
cd "$(dirname "$0")/.."

ALL=(x86len ehframe elfscan patch)
usage() {
  printf 'fuzz: %s\nUsage: scripts/fuzz.sh [TARGET...]   (targets: %s; FUZZ_SECONDS=N, FUZZ_OUT=DIR)\n' "$1" "${ALL[*]}" >&2
  exit 2
}
secs=${FUZZ_SECONDS:-60}
[[ $secs =~ ^[0-9]+$ ]] || usage "FUZZ_SECONDS must be a whole number of seconds, not '$secs'"
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${ALL[@]}")
for t in "${targets[@]}"; do
  [[ " ${ALL[*]} " == *" $t "* ]] || usage "unknown target '$t'"
done

# The sources of each target's fuzzer (besides native/fuzz/TARGET_fuzz.c).
sources() {
  case $1 in
    x86len) echo native/vmt-trace/x86len.c ;;
    ehframe) echo native/vmt-trace/ehframe.c ;;
    elfscan) echo native/vmt-trace/ehframe.c native/vmt-trace/x86len.c ;; # elfscan.c is included
    patch) echo native/vmt-trace/elfscan.c native/vmt-trace/ehframe.c native/vmt-trace/x86len.c ;;
  esac
}

CC=${FUZZ_CC:-clang}
if [ -z "${FUZZ_CC:-}" ]; then
  bash scripts/apt-install.sh clang libclang-rt-dev || exit 1
fi
command -v "$CC" >/dev/null 2>&1 || { echo "fuzz: there is no C compiler '$CC' (FUZZ_CC); install clang" >&2; exit 1; }

keep=${FUZZ_OUT:-}
out=${FUZZ_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/vmt-fuzz.XXXXXX")}
mkdir -p "$out" || exit 1
# ASan/UBSan: stop at the first error, with a stack trace
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=0
for t in "${targets[@]}"; do
  bin=$out/$t
  # shellcheck disable=SC2046
  if ! "$CC" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Wall -Wextra \
      -o "$bin" "native/fuzz/${t}_fuzz.c" $(sources "$t") 2>"$out/$t.build"; then
    cat "$out/$t.build" >&2
    echo "fuzz: $t: building the fuzzer failed" >&2
    failed=1
    continue
  fi
  mkdir -p "$out/$t.corpus" "$out/$t.crashes"
  if [ "$secs" = 0 ]; then
    run=(-runs=0)
  else
    run=(-max_total_time="$secs")
  fi
  "$bin" "${run[@]}" -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
    -artifact_prefix="$out/$t.crashes/" "$out/$t.corpus" "native/fuzz/corpus/$t" >"$out/$t.log" 2>&1
  status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log" | tail -1)
  units=$(find "$out/$t.corpus" -type f | wc -l)
  seeds=$(find "native/fuzz/corpus/$t" -type f | wc -l)
  if [ "$status" != 0 ]; then
    grep -Ev '^(#[0-9]|INFO:|MS:|stat::|base64:)' "$out/$t.log" | tail -60 >&2
    crash=$(find "$out/$t.crashes" -type f | head -1)
    echo "fuzz: $t: CRASHED after ${runs:-?} runs (exit $status); input: ${crash:-none saved}; log: $out/$t.log" >&2
    failed=1
  else
    echo "fuzz: $t: ${secs} s, ${runs:-?} runs, no crash ($seeds seeds, $units new inputs)" >&2
  fi
done

if [ "$failed" = 0 ] && [ -z "$keep" ]; then
  rm -rf "$out"
elif [ "$failed" != 0 ]; then
  echo "fuzz: builds, logs and inputs kept in $out" >&2
fi
exit "$failed"
