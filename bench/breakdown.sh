#!/usr/bin/env bash
# What the standalone binary's cold start is made of (see bench/HISTORY.md, "What dominates").
#
#   bash bench/breakdown.sh [--patch FILE]
#   env: RUNS (30), WARMUP (3), TIMELINE_RUNS (21), TIMELINE_CMDS ("gettime"),
#        KEEP=1 keeps the ~110 MB probe binaries and the A/B trees
#
# 1. probes: small programs compiled exactly as scripts/binaries.mjs compiles vmt
#    (bun build --compile --minify --bytecode --format=esm --splitting), each adding one layer -- bun's
#    floor, the node: built-ins oclif loads, process.stdout/stderr, @oclif/core --
#    timed in one hyperfine run beside the real binary.
# 2. timeline: the real entry (bin/vmt-bin.ts) compiled with performance.now() marks
#    around oclif's phases; medians over TIMELINE_RUNS runs of each TIMELINE_CMDS.
#    The probe loads oclif before the entry: time commands that go through oclif
#    (gettime), not the fast path (--version, a plain checkvm).
# 3. --patch FILE: two copies of the tree in bench/.work/ab (node_modules linked),
#    a as it is and b with FILE applied (patch -p1), both built from scratch, then
#    old against new for the binary, node, bun and deno (and vmware-checkvm) in
#    one hyperfine run per command. The tree itself is never touched.
# Everything is written under bench/.work/ (gitignored). Nothing is asserted.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${RUNS:-30}
WARMUP=${WARMUP:-3}
TIMELINE_RUNS=${TIMELINE_RUNS:-21}
TIMELINE_CMDS=${TIMELINE_CMDS:-gettime} # one vmt argument each; commands that go through oclif (the probe loads it first)
WORK=bench/.work
P=$WORK/probes
PATCH=
while [ $# -gt 0 ]; do
  case $1 in
    --patch) PATCH=$(readlink -f "$2"); shift 2 ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "breakdown: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
say() { echo "breakdown: $*" >&2; }
BUN=node_modules/.bin/bun
DENO=node_modules/.bin/deno
PEER=$(command -v vmware-checkvm || true)
export DENO_NO_UPDATE_CHECK=1
ARCH=$(node -p 'process.arch')
BIN=dist/bin/vmt-linux-$ARCH
command -v hyperfine >/dev/null || { echo "breakdown: hyperfine missing; run bash bench/run.sh once (it installs it)" >&2; exit 3; }
[ -x "$BUN" ] || { echo "breakdown: $BUN missing (npm install)" >&2; exit 3; }
[ -f native/build/libvmt.so ] || node scripts/build.mjs >&2
mkdir -p "$P"
HF=(hyperfine -N -i --warmup "$WARMUP" --runs "$RUNS" --style basic)
# the flags of scripts/binaries.mjs
COMPILE=(build --compile --minify --bytecode --format=esm --splitting "--target=bun-linux-$ARCH" --external typescript --external ffi-rs --define 'process.env.NODE_ENV="production"')
compile() { # out, entry, extra flags...
  local out=$1 entry=$2; shift 2
  "$BUN" "${COMPILE[@]}" "$@" "$entry" --outfile "$P/$out" >/dev/null
}

# --- 1. probes -----------------------------------------------------------------
BUILTINS="import 'node:fs'; import 'node:os'; import 'node:path'; import 'node:url'; import 'node:util'; import 'node:fs/promises'; import 'node:perf_hooks'; import 'node:child_process'; import 'node:readline'; import 'node:tty'; import { writeSync } from 'node:fs';"
echo "console.log('hello');" > "$P/hello.ts"
echo "$BUILTINS writeSync(1, 'hello\n');" > "$P/builtins.ts"
echo "$BUILTINS void process.stdout; void process.stderr; writeSync(1, 'hello\n');" > "$P/stdio.ts"
echo "$BUILTINS process.stdout.write('hello\n');" > "$P/stdio-write.ts"
echo "import { execute } from '@oclif/core'; process.stdout.write(typeof execute + '\n');" > "$P/oclif.ts"
say "compiling probes into $P"
compile hello "$P/hello.ts"
compile builtins "$P/builtins.ts"
compile stdio "$P/stdio.ts"
compile stdio-write "$P/stdio-write.ts"
compile oclif "$P/oclif.ts"
compile oclif-noengine "$P/oclif.ts" --define 'process.env.OCLIF_DISABLE_ENGINE_WARNING="1"'
compile vmt bin/vmt-bin.ts # as scripts/binaries.mjs builds it, from the current sources
compile vmt-noengine bin/vmt-bin.ts --define 'process.env.OCLIF_DISABLE_ENGINE_WARNING="1"'
say "probes: one hyperfine run"
"${HF[@]}" --export-json "$WORK/probes.json" \
  -n "1 bun --compile hello world (floor)" "$P/hello" \
  -n "2 + node: built-ins oclif loads (fs os path url util fs/promises perf_hooks child_process readline tty)" "$P/builtins" \
  -n "3 + process.stdout/stderr getters" "$P/stdio" \
  -n "4 + first process.stdout.write" "$P/stdio-write" \
  -n "5 @oclif/core import + stdout.write" "$P/oclif" \
  -n "6 same, engine check compiled out" "$P/oclif-noengine" \
  -n "7 vmt --version" "$P/vmt --version" \
  -n "8 vmt --version, engine check compiled out" "$P/vmt-noengine --version" \
  -n "9 vmt checkvm" "$P/vmt checkvm" \
  -n "10 vmt checkvm, engine check compiled out" "$P/vmt-noengine checkvm" >&2

# --- 2. timeline ------------------------------------------------------------------
cat > "$P/t0.ts" <<'EOF'
// first module evaluated (imports nothing): the clock is performance.now(), ms since bun's timeOrigin
const g = globalThis as { __marks?: [string, number][] };
g.__marks = [['first JS module runs', performance.now()]];
process.on('exit', () => {
  g.__marks!.push(['exit', performance.now()]);
  require('node:fs').writeSync(2, `${g.__marks!.map(([n, t]) => `${t.toFixed(3)}\t${n}`).join('\n')}\n`);
});
EOF
cat > "$P/t1.ts" <<'EOF'
const mark = (n: string) => (globalThis as { __marks?: [string, number][] }).__marks!.push([n, performance.now()]);
for (const b of ['node:fs', 'node:os', 'node:path', 'node:url', 'node:util', 'node:fs/promises', 'node:perf_hooks', 'node:child_process', 'node:readline', 'node:tty']) require(b);
mark('node: built-ins that oclif loads');
void process.stdout;
void process.stderr;
mark('process.stdout/stderr getters');
EOF
cat > "$P/timeline.ts" <<EOF
// the real entry (bin/vmt-bin.ts), imported after oclif so that its phases can be marked
import './t0.ts';
import './t1.ts';
import { Command, Config } from '@oclif/core';
const mark = (n: string) => (globalThis as { __marks?: [string, number][] }).__marks!.push([n, performance.now()]);
mark('@oclif/core module evaluation');
const once = (proto: any, name: string, before: string, label: string) => {
  const orig = proto[name];
  let seen = false;
  proto[name] = async function (this: unknown, ...a: unknown[]) {
    if (seen) return orig.apply(this, a);
    seen = true;
    mark(before);
    try { return await orig.apply(this, a); } finally { mark(label); }
  };
};
once(Config.prototype, 'load', 'vmt modules (bin/, src/, commands/) evaluation, main() until Config.load', 'oclif Config.load (root plugin, platform, theme, commands)');
once(Command.prototype, '_run', 'oclif: hooks, find command, Command.run', 'the command: parse flags, libvmt dlopen, CPUID/DMI, print');
void import('$ROOT/bin/vmt-bin.ts');
EOF
say "compiling the timeline probe"
compile timeline "$P/timeline.ts"
for args in $TIMELINE_CMDS; do # the probe must answer as the binary does
  [ "$("$P/timeline" $args 2>/dev/null; echo "rc=$?")" = "$("$P/vmt" $args 2>/dev/null; echo "rc=$?")" ] ||
    say "warning: the timeline probe and the binary disagree on 'vmt $args'"
done
# walltime PROG ARGS: runs PROG, prints fork-to-wait milliseconds on fd 3 (no shell in the measurement)
cat > "$P/walltime.c" <<'EOF'
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
int main(int argc, char **argv) {
  struct timespec a, b; int st; (void)argc;
  clock_gettime(CLOCK_MONOTONIC, &a);
  pid_t p = fork();
  if (p == 0) { close(3); execvp(argv[1], argv + 1); _exit(127); }
  waitpid(p, &st, 0);
  clock_gettime(CLOCK_MONOTONIC, &b);
  dprintf(3, "%.3f\n", (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6);
  return 0;
}
EOF
${CC:-cc} -O2 -o "$P/walltime" "$P/walltime.c"
timeline() { # vmt args...; per run: the marks, and the wall time measured around the process
  local f=$WORK/timeline-$1.tsv tmp=$WORK/timeline.err wall=$WORK/timeline.wall; : > "$f"
  for _ in 1 2 3; do "$P/timeline" "$@" >/dev/null 2>&1 </dev/null || true; done
  for i in $(seq "$TIMELINE_RUNS"); do
    "$P/walltime" "$P/timeline" "$@" >/dev/null 2>"$tmp" 3>"$wall" </dev/null || true
    { sed "s/^/$i\t/" "$tmp"; printf '%s\t%s\t__wall__\n' "$i" "$(cat "$wall")"; } >> "$f"
  done
  rm -f "$tmp" "$wall"
}
for c in $TIMELINE_CMDS; do timeline "$c"; done
node --input-type=module - "$WORK" $TIMELINE_CMDS > "$WORK/timeline.md" <<'EOF'
import { readFileSync } from 'node:fs';
const dir = process.argv[2];
const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[(s.length - 1) >> 1]; };
const cols = process.argv.slice(3).map((c) => {
  const runs = new Map();
  const walls = new Map();
  for (const line of readFileSync(`${dir}/timeline-${c}.tsv`, 'utf8').trim().split('\n')) {
    const [run, t, name] = line.split('\t');
    if (name === undefined || Number.isNaN(+t)) continue;
    if (name === '__wall__') { walls.set(run, +t); continue; }
    if (!runs.has(run)) runs.set(run, []);
    runs.get(run).push([name, +t]);
  }
  // per phase: median over runs of (mark - previous mark)
  const phases = new Map();
  for (const marks of runs.values()) marks.forEach(([name, t], i) => {
    if (!phases.has(name)) phases.set(name, []);
    phases.get(name).push(i === 0 ? t : t - marks[i - 1][1]);
  });
  const outside = med([...runs].filter(([r]) => walls.has(r)).map(([r, m]) => walls.get(r) - m.at(-1)[1]));
  const wall = med([...walls.values()]);
  return { c, phases, outside, wall, n: runs.size };
});
const names = [...new Set(cols.flatMap((c) => [...c.phases.keys()]))];
const f = (x) => (x === undefined ? '—' : x.toFixed(1));
const row = (label, cells) => `| ${label} | ${cells.join(' | ')} |`;
const out = [row('phase (ms; medians)', cols.map((c) => `\`${c.c}\``)), row('---', cols.map(() => '---:'))];
out.push(row("exec, dynamic linking, runtime start before bun's timeOrigin, and exit after the 'exit' event (wall − last mark, per run)", cols.map((c) => f(c.outside))));
for (const n of names) {
  const label = n === 'first JS module runs' ? 'timeOrigin → first JS module runs (loading the bytecode)' : n === 'exit' ? 'rest until the exit event (version print, hooks, flush)' : n;
  out.push(row(label, cols.map((c) => f(c.phases.has(n) ? med(c.phases.get(n)) : undefined))));
}
out.push(row('**wall clock (fork to wait)**', cols.map((c) => `**${f(c.wall)}**`)));
out.push('', `(${cols.map((c) => c.n).join(' / ')} runs with marks; phase medians need not add up exactly to the wall median.)`);
console.log(out.join('\n'));
EOF

probes_md() {
  node --input-type=module - "$WORK/probes.json" <<'EOF'
import { readFileSync } from 'node:fs';
const r = JSON.parse(readFileSync(process.argv[2], 'utf8')).results;
const ms = (s) => (s * 1000).toFixed(1);
console.log('| probe | median (ms) |\n|---|---:|');
for (const x of r) console.log(`| ${x.command.replace(/^\d+ /, '')} | ${ms(x.median)} |`);
EOF
}
probes_md > "$WORK/probes.md"

# --- 3. A/B of a patch ------------------------------------------------------------------
if [ -n "$PATCH" ]; then
  AB=$WORK/ab
  say "A/B: two copies of the tree in $AB (a: as it is, b: with $PATCH), each built from scratch"
  rm -rf "$AB"; mkdir -p "$AB/a"
  tar -C . --exclude=./node_modules --exclude=./dist --exclude=./build --exclude=./.git --exclude=./bench/.work \
    --exclude=./test/e2e/.cache --exclude=./native/build -cf - . | tar -C "$AB/a" -xf -
  ln -s "$ROOT/node_modules" "$AB/a/node_modules"
  cp -a "$AB/a" "$AB/b"
  (cd "$AB/b" && patch -s -p1 < "$PATCH")
  for side in a b; do (cd "$AB/$side" && node scripts/build.mjs && node scripts/binaries.mjs) >&2; done
  for args in checkvm --version; do
    name=ab-${args#--}
    "${HF[@]}" --export-json "$WORK/$name.json" \
      -n "binary (tree)" "$AB/a/$BIN $args" -n "binary (patched)" "$AB/b/$BIN $args" \
      -n "node (tree)" "node $AB/a/bin/run.js $args" -n "node (patched)" "node $AB/b/bin/run.js $args" \
      -n "bun (tree)" "$BUN $AB/a/bin/run.js $args" -n "bun (patched)" "$BUN $AB/b/bin/run.js $args" \
      -n "deno (tree)" "$DENO run -A $AB/a/bin/run.js $args" -n "deno (patched)" "$DENO run -A $AB/b/bin/run.js $args" \
      ${PEER:+-n vmware-checkvm "$PEER"} >&2
  done
  node --input-type=module - "$WORK" > "$WORK/ab.md" <<'EOF'
import { readFileSync } from 'node:fs';
const dir = process.argv[2];
const load = (n) => Object.fromEntries(JSON.parse(readFileSync(`${dir}/${n}.json`, 'utf8')).results.map((r) => [r.command, r.median * 1000]));
const c = load('ab-checkvm'), v = load('ab-version');
const out = ['| medians (ms) | `checkvm` tree | patched | `--version` tree | patched |', '|---|---:|---:|---:|---:|'];
for (const k of ['binary', 'node', 'bun', 'deno']) out.push(`| ${k} | ${c[`${k} (tree)`].toFixed(1)} | ${c[`${k} (patched)`].toFixed(1)} | ${v[`${k} (tree)`].toFixed(1)} | ${v[`${k} (patched)`].toFixed(1)} |`);
if (c['vmware-checkvm']) out.push(`| vmware-checkvm (same runs) | ${c['vmware-checkvm'].toFixed(1)} | | ${v['vmware-checkvm'].toFixed(1)} | |`);
console.log(out.join('\n'));
EOF
fi

echo "## What the binary's start-up is made of"
echo
echo "Probes: small programs compiled exactly as scripts/binaries.mjs compiles vmt, each adding one layer, in one hyperfine run (--runs $RUNS). Then a timeline of \`vmt $TIMELINE_CMDS\`: the real entry (bin/vmt-bin.ts) compiled with performance.now() marks around oclif's phases, medians of $TIMELINE_RUNS runs. The probe loads oclif before the entry, so it shows commands that go through oclif; \`--version\` and a plain \`checkvm\` take the fast path without it (their start-up is in the start-up section)."
echo; echo "Probes:"; echo; cat "$WORK/probes.md"
echo; echo "Timeline of the binary (bin/vmt-bin.ts with marks):"; echo; cat "$WORK/timeline.md"
[ -n "$PATCH" ] && { echo; echo "A/B: $PATCH"; echo; cat "$WORK/ab.md"; }
if [ "${KEEP:-0}" != 1 ]; then
  rm -f "$P"/hello "$P"/builtins "$P"/stdio "$P"/stdio-write "$P"/oclif "$P"/oclif-noengine "$P"/vmt "$P"/vmt-noengine "$P"/timeline "$P"/walltime
  rm -rf "$WORK/ab"
fi
exit 0
