#!/usr/bin/env bash
# Installs the Debian packages named on the command line that are missing;
# runs `apt-get update` only when something has to be installed. Used by the
# test runner, test/e2e/setup.sh and the benchmarks, so a fresh machine needs
# nothing by hand.
#
# apt-get runs as root (through sudo when not root), without questions
# (DEBIAN_FRONTEND=noninteractive) and quietly: its output is shown only when
# it fails, without debconf's chatter. When another apt or dpkg holds a lock
# (unattended-upgrades, a second test run), it waits for it, up to
# VMT_APT_LOCK_TIMEOUT seconds (default 600). A failure ends in one line on
# stderr that says what failed and how to fix it, then exit status 1:
#   apt-install: installing Debian packages (mandoc) failed: apt-get install exited 100; see the lines above, or install them by hand: apt-get install mandoc
#
# Sourced (test/e2e/setup.sh does), it only defines apt_get, for the same
# waiting, quiet apt-get.

APT_LOCK_TIMEOUT=${VMT_APT_LOCK_TIMEOUT:-600}
# What apt says (in the C locale) when another apt/dpkg holds a lock it needs.
# DPkg::Lock::Timeout covers only dpkg's locks, not apt-get update's
# /var/lib/apt/lists/lock or the archive cache's lock, so apt_get also retries.
APT_LOCK_RE='Could not get lock|Unable to lock|Unable to acquire the dpkg frontend lock'

# apt_get [--user] COMMAND [ARGS...]: apt-get -qq COMMAND ARGS, as root unless
# --user, waiting for the locks. Silent when it succeeds. When it fails, its
# output (without debconf's lines) goes to stderr, APT_ERROR says why in a few
# words ("apt-get install exited 100") and APT_SHOWN is 1 when there was output
# to see. Returns non-zero on failure.
apt_get() {
  local sudo= waited= status log lockwait
  local deadline=$((SECONDS + APT_LOCK_TIMEOUT))
  APT_ERROR= APT_SHOWN=0
  if [ "${1-}" = --user ]; then
    shift
  elif [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || { APT_ERROR="not root, and no sudo to run apt-get $1 as root"; return 1; }
    sudo=sudo
  fi
  command -v apt-get >/dev/null 2>&1 || { APT_ERROR="there is no apt-get here (not Debian?)"; return 1; }
  log=$(mktemp "${TMPDIR:-/tmp}/apt-install.XXXXXX") || { APT_ERROR="cannot create a temporary file"; return 1; }
  while :; do
    # apt waits for dpkg's locks itself, at most 10 s at a time, so that a
    # longer wait is announced below
    lockwait=$((deadline - SECONDS)); [ "$lockwait" -gt 10 ] && lockwait=10; [ "$lockwait" -lt 0 ] && lockwait=0
    status=0
    $sudo env DEBIAN_FRONTEND=noninteractive LC_ALL=C apt-get -qq -o DPkg::Lock::Timeout="$lockwait" -o Dpkg::Use-Pty=0 "$@" \
      </dev/null >"$log" 2>&1 || status=$?
    if [ "$status" = 0 ] || ! grep -Eq "$APT_LOCK_RE" "$log" || [ "$SECONDS" -ge "$deadline" ]; then break; fi
    if [ -z "$waited" ]; then
      printf 'apt-install: waiting up to %s s for another apt or dpkg to finish (%s)\n' \
        "$APT_LOCK_TIMEOUT" "$(grep -Em1 "$APT_LOCK_RE" "$log" | sed 's/^E: //')" >&2
      waited=1
    fi
    sleep 1
  done
  if [ "$status" != 0 ]; then
    # DEBIAN_FRONTEND=noninteractive keeps debconf from asking, not from saying
    # so ("debconf: unable to initialize frontend", "delaying package configuration").
    grep -Ev '^debconf: |^dpkg-preconfigure: unable to re-open stdin' "$log" >&2 && APT_SHOWN=1
    APT_ERROR="apt-get $1 exited $status"
    grep -Eq "$APT_LOCK_RE" "$log" && APT_ERROR+=" (another apt or dpkg still held its lock after $APT_LOCK_TIMEOUT s; VMT_APT_LOCK_TIMEOUT=SECONDS waits longer)"
  fi
  rm -f "$log"
  [ "$status" = 0 ]
}

# Sourced: only apt_get.
[ "${BASH_SOURCE[0]}" = "$0" ] || return 0

set -uo pipefail
missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

fail() {
  local fix="install them by hand: apt-get install ${missing[*]}"
  [ "$APT_SHOWN" = 1 ] && fix="see the lines above, or $fix"
  printf 'apt-install: installing Debian packages (%s) failed: %s; %s\n' "${missing[*]}" "$APT_ERROR" "$fix" >&2
  exit 1
}
echo "apt-install: installing ${missing[*]}" >&2
apt_get update || fail
apt_get install -y --no-install-recommends "${missing[@]}" || fail
