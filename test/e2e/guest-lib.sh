# Sourced by command lines in a QEMU guest booted with HOST_SHARE=1 (busybox
# sh; the guest reads this file through the host share, /host/...). Helpers
# for the vsock tests; vsock traffic happens only here, in the guest
# (vsock_loopback: CID 1). Results are key=value lines on stdout, for the
# test to judge; the programs' stderr goes to the command's stderr.

# rand FILE BYTES: BYTES random bytes into FILE.
rand() { head -c "$2" /dev/urandom > "$1"; }

# digest FILE: "SHA256 SIZE" of FILE ("missing" when it does not exist).
digest() {
  if [ -f "$1" ]; then echo "$(sha256sum < "$1" | cut -d' ' -f1) $(wc -c < "$1")"; else echo missing; fi
}

# bounded_wait PID SECONDS: waits for PID (a child of this shell) and returns
# its exit status; kills it (SIGKILL, 137) after SECONDS.
bounded_wait() {
  ( sleep "$2"; kill -9 "$1" 2>/dev/null ) & _bw=$!
  wait "$1"; _st=$?
  kill "$_bw" 2>/dev/null; wait "$_bw" 2>/dev/null
  return "$_st"
}

# uptime_s: the guest's uptime in whole seconds.
uptime_s() { cut -d. -f1 /proc/uptime; }

# connect_retry SECONDS IN OUT ERR 'CMD': runs `sh -c CMD <IN >OUT 2>ERR`
# until it succeeds, 0.2 s between tries, no new try after SECONDS (a
# listener started in the background may not listen yet: the connection is
# refused before anything is read or written; each try starts the files
# afresh), and no new try once the process WATCH (when set: the listener)
# has ended. Each try is bounded (timeout 120 s: exit 143). Sets TRIES_USED;
# returns the last try's exit status.
connect_retry() {
  _end=$(($(uptime_s) + $1)); TRIES_USED=0
  while :; do
    TRIES_USED=$((TRIES_USED + 1))
    timeout 120 sh -c "$5" < "$2" > "$3" 2> "$4" && return 0
    _st=$?
    [ "$(uptime_s)" -ge "$_end" ] && return "$_st"
    [ -n "${WATCH:-}" ] && ! kill -0 "$WATCH" 2>/dev/null && return "$_st"
    sleep 0.2
  done
}

# wait_log FILE PATTERN [PID]: waits (up to 60 s, and while PID runs) until
# FILE has a line matching PATTERN (grep -E); returns 1 if it never does.
wait_log() {
  _i=0
  until grep -qE "$2" "$1" 2>/dev/null; do
    _i=$((_i + 1))
    if [ "$_i" -ge 600 ] || { [ -n "${3:-}" ] && ! kill -0 "$3" 2>/dev/null; }; then
      echo "wait_log: no \"$2\" in $1" >&2; return 1
    fi
    sleep 0.1
  done
}

# finish PID RC: waits for the listener PID (up to 120 s after a connector
# that succeeded, RC 0; up to 3 s after one that failed); returns its status.
finish() { if [ "$2" = 0 ]; then bounded_wait "$1" 120; else bounded_wait "$1" 3; fi; }

# quiet FILE: drops socat's and ncat's notices (-d -d, -v) from FILE.
quiet() { grep -vE ' socat\[[0-9]+\] N |^Ncat: (Version|Listening|Connection from)' "$1" > "$1.q"; mv "$1.q" "$1"; }

# pair NAME LBYTES CBYTES 'LISTENER' 'CONNECTOR' [READY]
#   One connection, both directions at once. /tmp/NAME.l.in (LBYTES random
#   bytes) is the listener's stdin and /tmp/NAME.c.in (CBYTES) the
#   connector's; their stdouts go to /tmp/NAME.l.out and /tmp/NAME.c.out.
#   LISTENER starts in the background (sh -c). With READY (a pattern the
#   listener writes to stderr once it listens: socat -d -d's "listening on",
#   ncat -v's "Listening on") CONNECTOR (sh -c) runs once after it; without,
#   CONNECTOR is retried while it fails and the listener runs, for up to 60 s. Prints listener.rc, connector.rc,
#   connector.tries, seconds (the transfer, by the guest's clock) and the
#   digest of each file; the test checks that l.out = c.in and c.out = l.in.
#   The files are removed afterwards.
pair() {
  _n=/tmp/$1
  rand "$_n.l.in" "$2"; rand "$_n.c.in" "$3"
  sh -c "$4" < "$_n.l.in" > "$_n.l.out" 2> "$_n.l.err" & _lp=$!
  _t0=$(date +%s)
  if [ -n "${6:-}" ]; then
    wait_log "$_n.l.err" "$6" "$_lp"
    connect_retry 0 "$_n.c.in" "$_n.c.out" "$_n.c.err" "$5"; _crc=$?
  else
    WATCH=$_lp; connect_retry 60 "$_n.c.in" "$_n.c.out" "$_n.c.err" "$5"; _crc=$?; WATCH=
  fi
  finish "$_lp" "$_crc"; _lrc=$?
  quiet "$_n.l.err"
  echo "seconds=$(($(date +%s) - _t0))"
  report "$1"
}

# report NAME: the lines pair prints, for the files of NAME; removes them.
report() {
  echo "listener.rc=$_lrc"; echo "connector.rc=$_crc"; echo "connector.tries=$TRIES_USED"
  for f in l.in c.in l.out c.out; do echo "$f=$(digest "/tmp/$1.$f")"; done
  for f in l c; do [ -f "/tmp/$1.$f.err" ] && sed "s/^/$f: /" "/tmp/$1.$f.err" >&2; done
  rm -f "/tmp/$1".*
}

# halfclose_peer_waits NAME PORT BYTES 'VMT'
#   The connector (VMT 1:PORT) sends /tmp/NAME.c.in (1 KiB) and its stdin
#   ends. The peer (socat) reads to the EOF that only the connector's
#   half-close gives it, and only then sends BYTES back (/tmp/NAME.l.in),
#   which the connector must still deliver. Same lines as pair.
halfclose_peer_waits() {
  _n=/tmp/$1
  rand "$_n.c.in" 1024; rand "$_n.l.in" "$3"
  onhost socat -d -d -t 60 "VSOCK-LISTEN:$2" "SYSTEM:cat > $_n.l.out; cat $_n.l.in" 2> "$_n.l.err" & _lp=$!
  wait_log "$_n.l.err" 'listening on' "$_lp"
  connect_retry 0 "$_n.c.in" "$_n.c.out" "$_n.c.err" "$4 1:$2"; _crc=$?
  finish "$_lp" "$_crc"; _lrc=$?
  quiet "$_n.l.err"
  report "$1"
}

# halfclose_vmt_sends_after NAME PORT BYTES 'VMT'
#   The peer (socat -d -d, a dual address: it reads /tmp/NAME.l.in, 1 KiB,
#   and writes /tmp/NAME.l.out) sends its 1 KiB and half-closes at the end of
#   it, which its log says ("socket 2 ... is at EOF"). Only a second after
#   that does the connector's stdin (VMT 1:PORT) deliver BYTES
#   (/tmp/NAME.c.in), which must still reach the peer (the wait ends early
#   when vmt says something on stderr: it failed). Same lines as pair.
halfclose_vmt_sends_after() {
  _n=/tmp/$1
  rand "$_n.l.in" 1024; rand "$_n.c.in" "$3"
  onhost socat -d -d -t 60 "VSOCK-LISTEN:$2" "OPEN:$_n.l.in!!CREATE:$_n.l.out" 2> "$_n.l.err" & _lp=$!
  wait_log "$_n.l.err" 'listening on' "$_lp"
  connect_retry 0 /dev/null "$_n.c.out" "$_n.c.err" \
    "{ i=0; until grep -qE 'socket 2 .*at EOF' $_n.l.err || [ -s $_n.c.err ] || [ \$i -ge 300 ]; do sleep 0.1; i=\$((i+1)); done; sleep 1; cat $_n.c.in; } | $4 1:$2"; _crc=$?
  finish "$_lp" "$_crc"; _lrc=$?
  quiet "$_n.l.err"
  report "$1"
}

# keep_serving NAME PORT 'VMT': VMT -l -k PORT serves three socat clients in
# turn, each sending "client N"; prints what the server wrote (out=...
# lines), each client's status, whether the server still ran after the
# third (alive=yes), then stops it.
keep_serving() {
  _n=/tmp/$1
  (eval "exec $3 -l -k $2") < /dev/null > "$_n.out" 2> "$_n.err" & _sp=$!
  for i in 1 2 3; do
    echo "client $i" > "$_n.in$i"
    WATCH=$_sp; connect_retry 60 "$_n.in$i" "$_n.r$i" "$_n.e$i" "onhost socat -t 30 - VSOCK-CONNECT:1:$2"; _crc=$?; WATCH=
    echo "client$i.rc=$_crc client$i.tries=$TRIES_USED"
    sed "s/^/client $i: /" "$_n.e$i" >&2
  done
  i=0; while [ "$(wc -l < "$_n.out")" -lt 3 ] && [ $i -lt 300 ] && kill -0 "$_sp" 2>/dev/null; do sleep 0.1; i=$((i+1)); done
  if kill -0 "$_sp" 2>/dev/null; then echo alive=yes; else echo alive=no; fi
  kill "$_sp" 2>/dev/null; bounded_wait "$_sp" 20
  echo "server.rc=$?"
  sed 's/^/out=/' "$_n.out"
  sed 's/^/server: /' "$_n.err" >&2
  rm -f "$_n".*
}

# exec_serve NAME PORT BYTES 'VMT -l PORT --exec ...': the listener runs the
# given command line (with --exec); a socat client sends BYTES random bytes
# (/tmp/NAME.c.in) and what comes back is printed after "reply:".
exec_serve() {
  _n=/tmp/$1
  rand "$_n.c.in" "$3"
  (eval "exec $4") < /dev/null > "$_n.l.out" 2> "$_n.l.err" & _lp=$!
  WATCH=$_lp; connect_retry 60 "$_n.c.in" "$_n.c.out" "$_n.c.err" "onhost socat -t 60 - VSOCK-CONNECT:1:$2"; _crc=$?; WATCH=
  finish "$_lp" "$_crc"; _lrc=$?
  echo "listener.rc=$_lrc"; echo "connector.rc=$_crc"
  echo "c.in=$(digest "$_n.c.in")"
  echo "reply:"; cat "$_n.c.out"
  sed 's/^/listener: /' "$_n.l.err" >&2; sed 's/^/connector: /' "$_n.c.err" >&2
  rm -f "$_n".*
}

# idle_case NAME PORT 'VMT --idle-timeout N 1:PORT': a socat listener takes
# the connection and sends nothing; the connector's stdin stays open and
# silent. Prints rc= (the connector's status) and seconds=.
idle_case() {
  _n=/tmp/$1
  onhost socat -d -d "VSOCK-LISTEN:$2" "SYSTEM:sleep 60" 2> "$_n.l.err" & _lp=$!
  wait_log "$_n.l.err" 'listening on' "$_lp"
  mkfifo "$_n.fifo"; sleep 60 > "$_n.fifo" & _sp=$!
  _t0=$(date +%s)
  timeout 120 sh -c "$3" < "$_n.fifo"; echo "rc=$?"
  echo "seconds=$(($(date +%s) - _t0))"
  kill "$_sp" "$_lp" 2>/dev/null; wait "$_sp" "$_lp" 2>/dev/null
  rm -f "$_n".*
}
