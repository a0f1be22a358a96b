#!/usr/bin/env bash
# bench/binaries.sh: the size of the standalone binary of every flavour
# (scripts/binaries.mjs) against an empty binary of the same runtime, compiled
# the same way (bench/lib.sh build_empties: bun --compile, or for
# vmt-linux-x64-baseline a Node single executable of an empty script): the share that is vmt's own
# (goal of issue 14: <= 3 MB beyond the empty binary). Start-up of the
# flavours is bench/startup.sh's. Markdown on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
FLAVOURS=(x64 x64-v2 x64-baseline x64-musl arm64)
if [ -z "${BENCH_BUILT:-}" ]; then
  for f in "${FLAVOURS[@]}"; do
    [ -x "dist/bin/vmt-linux-$f" ] || { say "building vmt-linux-$f"; node scripts/binaries.mjs "$f" >&2; }
  done
fi
build_empties
mb() { awk -v b="$1" 'BEGIN { printf "%.2f", b / 1048576 }'; }
echo "## Binary sizes per flavour"
echo
echo "Each flavour of \`dist/bin/\` (\`node scripts/binaries.mjs\`) against an empty program (\`''\`) compiled the same way for the same target (\`bun build --compile --minify --bytecode\`, that flavour's runtime; for vmt-linux-x64-baseline an empty script made a Node single executable the same way, same node, same sea-config options). vmt's own = the difference. Goal of issue 14: ≤ 3 MB. 1 MB = 2^20 bytes."
echo
echo "| flavour | vmt binary | empty binary (same runtime) | vmt's own | goal ≤ 3 MB |"
echo "|---|---:|---:|---:|---|"
for f in "${FLAVOURS[@]}"; do
  v=$(stat -c %s "dist/bin/vmt-linux-$f"); e=$(stat -c %s "bench/.work/empty/empty-$f")
  own=$((v - e))
  echo "| vmt-linux-$f | $(mb "$v") MB | $(mb "$e") MB | $(mb "$own") MB | $([ "$own" -le 3145728 ] && echo met || echo 'not met') |"
done
echo
echo "Built $(date -u -r dist/bin/vmt-linux-x64 +%Y-%m-%dT%H:%MZ) with bun $(node_modules/.bin/bun --version); the Node single executable on node $(node --version)."
