#!/usr/bin/env bash
# bench/binaries.sh [RUNS]: the standalone binaries of every flavour
# (scripts/binaries.mjs) against an empty binary of the same runtime, compiled
# the same way (bun build --compile --minify --bytecode, the same
# --compile-executable-path): sizes, the share that is vmt's own, and, for the
# flavours this machine runs natively (x64, x64-baseline), start-up of
# `vmt --version` and `vmt checkvm` against the empty binary (hyperfine).
# vmt-linux-x64-musl does not run here (no musl libstdc++ on Debian) and
# vmt-linux-arm64 runs only under qemu-user, whose start-up says nothing about
# a real arm64 CPU: sizes only. Output: markdown on stdout, as in bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-30}
bash scripts/apt-install.sh hyperfine
WORK=bench/.work/binaries
mkdir -p "$WORK"
echo '' >"$WORK/empty.ts"
say() { echo "bench: $*" >&2; }
for f in x64 x64-baseline x64-musl arm64; do
  [ -x "dist/bin/vmt-linux-$f" ] || { say "building vmt-linux-$f"; node scripts/binaries.mjs "$f" >&2; }
done
# the empty binary of each flavour, compiled as scripts/binaries.mjs compiles vmt
node --input-type=module -e "
import { FLAVOURS, targetRuntime } from './scripts/binaries.mjs';
import { execFileSync } from 'node:child_process';
const version = JSON.parse((await import('node:fs')).readFileSync('node_modules/bun/package.json', 'utf8')).version;
for (const f of FLAVOURS) {
  const host = process.arch === 'x64' && f.name === 'vmt-linux-x64';
  const exe = host ? [] : ['--compile-executable-path=' + targetRuntime(f.pkg, version)];
  execFileSync('node_modules/.bin/bun', ['build', '--compile', '--minify', '--bytecode', '--target=' + f.target, ...exe,
    '--no-compile-autoload-dotenv', '--no-compile-autoload-bunfig', '$WORK/empty.ts', '--outfile', '$WORK/empty-' + f.name.replace('vmt-linux-', '')], { stdio: ['ignore', 'ignore', 'inherit'] });
}
"
mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
echo "| flavour | vmt binary | empty binary (same runtime) | vmt's own |"
echo "|---|---:|---:|---:|"
for f in x64 x64-baseline x64-musl arm64; do
  v=$(stat -c %s "dist/bin/vmt-linux-$f"); e=$(stat -c %s "$WORK/empty-$f")
  echo "| vmt-linux-$f | $(mb "$v") MB | $(mb "$e") MB | $(mb $((v - e))) MB |"
done
echo
echo "Start-up (hyperfine -N, $RUNS runs, mean ± σ; ratio against the empty binary of the same runtime):"
echo
echo "| flavour | empty | vmt --version | ratio | vmt checkvm | ratio |"
echo "|---|---:|---:|---:|---:|---:|"
for f in x64 x64-baseline; do
  hyperfine -N -i --warmup 3 --runs "$RUNS" --export-json "$WORK/hf-$f.json" --style none \
    "$WORK/empty-$f" "dist/bin/vmt-linux-$f --version" "dist/bin/vmt-linux-$f checkvm" >/dev/null
  node -e "
const r = JSON.parse(require('fs').readFileSync('$WORK/hf-$f.json', 'utf8')).results.map((x) => [x.mean * 1000, x.stddev * 1000]);
const ms = ([m, s]) => m.toFixed(1) + ' ± ' + s.toFixed(1) + ' ms';
console.log('| vmt-linux-$f | ' + ms(r[0]) + ' | ' + ms(r[1]) + ' | ' + (r[1][0] / r[0][0]).toFixed(2) + '× | ' + ms(r[2]) + ' | ' + (r[2][0] / r[0][0]).toFixed(2) + '× |');
"
done
