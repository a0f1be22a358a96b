#!/usr/bin/env bash
# vmw-sysfs.sh [OUTFILE]
#
# Boots the e2e guest with VMware's PCI devices (qemu-run.sh VMW_DEVICES=1),
# runs vmw-sysfs-guest.sh in it and writes what it prints to OUTFILE
# (default: test/e2e/fixtures/vmw-sysfs.txt): the guest's real sysfs and
# /proc for vmxnet3, pvscsi and SVGA, as booted and after unbind,
# driver_override, remove, rescan and bind. For building fake sysfs trees in
# unit tests. Runs setup.sh first (cached after the first time). About 10-20 s.
# Exit status: 0 written, 1 the guest run failed (OUTFILE untouched).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUTFILE=${1:-$HERE/fixtures/vmw-sysfs.txt}
bash "$HERE/setup.sh"
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
# The guest has no share: the script travels in the command file, base64.
printf '%s\n' "echo $(base64 -w0 "$HERE/vmw-sysfs-guest.sh") | base64 -d > /tmp/vmw-sysfs.sh" 'sh /tmp/vmw-sysfs.sh' > "$W/cmds.txt"
VMW_DEVICES=1 bash "$HERE/qemu-run.sh" - "$W/cmds.txt" "$W/out" || { echo "vmw-sysfs: the guest run failed; see above" >&2; exit 1; }
# the second command's stdout: between "@@BEGIN 2 ..." and the newline before "@@STDERR 2"
awk '/^@@BEGIN 2 /{on=1; next} /^@@STDERR 2$/{on=0} on' "$W/out/results.txt" | sed '$ { /^$/d }' > "$W/dump.txt"
err=$(awk '/^@@STDERR 2$/{on=1; next} /^@@END 2 /{on=0} on' "$W/out/results.txt" | sed '/^$/d')
rc=$(sed -n 's/^@@END 2 rc=//p' "$W/out/results.txt")
if [ "$rc" != 0 ] || [ -n "$err" ] || ! [ -s "$W/dump.txt" ]; then
  echo "vmw-sysfs: the guest script ended with status ${rc:-?}; its stderr:" >&2; printf '%s\n' "$err" >&2
  exit 1
fi
mkdir -p "$(dirname "$OUTFILE")"
{
  echo "# What a QEMU guest with VMware's PCI devices really has in sysfs and /proc."
  echo "# Written by test/e2e/vmw-sysfs.sh (the guest part: vmw-sysfs-guest.sh, which"
  echo "# explains the format); do not edit. Kernel: $(. "$HERE/.cache/current.env"; echo "$KERNEL_PKG"),"
  echo "# $(qemu-system-x86_64 --version | head -1), qemu-run.sh VMW_DEVICES=1."
  cat "$W/dump.txt"
} > "$OUTFILE.tmp"
mv "$OUTFILE.tmp" "$OUTFILE"
echo "vmw-sysfs: wrote $OUTFILE ($(wc -l < "$OUTFILE") lines)" >&2
