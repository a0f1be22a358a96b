#!/usr/bin/env bash
# qemu-run.sh BINARY CMDFILE OUTDIR
#
# Boots the Debian kernel under QEMU/TCG with the base initramfs from setup.sh
# plus an overlay holding BINARY as /opt/bin/vmt (BINARY `-`: none), runs
# each line of CMDFILE in the guest as root (`sh -c LINE`, stdin /dev/null;
# blank lines and # comments are skipped), then powers the guest off. Results
# go to OUTDIR/results.txt through the guest's second serial port, kept apart
# from the kernel console (OUTDIR/console.log):
#
#   @@BEGIN n LINE
#   <stdout of LINE>
#   @@STDERR n
#   <stderr of LINE>
#   @@END n rc=N
#   ...
#   @@DONE count
#
# Each marker line is preceded by a newline of its own, so a section's text is
# exactly what lies between "\n" before a marker and the line before it (the
# parser in harness.ts strips that one newline). The kernel console gets
# "@@TIME n START END" per command (the guest's uptime in seconds, before and
# after), for timing a boot's commands. Stdout and stderr are files
# in the guest, so the program sees no TTY (plain, stable output).
#
# Env: MACHINE (pc,vmport=on), MEM (1024), HOST_SHARE (1: share this machine's
# root file system read-only into the guest at /host, for `onhost CMD`; see
# setup.sh), VMW_DEVICES (1: VMware's PCI devices, below), QEMU_EXTRA (extra
# QEMU arguments, word-split), TIMEOUT (whole boot, seconds, 240), CMD_TIMEOUT
# (per command, seconds, 60), CPU (QEMU -cpu model, default max: a bun binary
# needs an x86-64-v2 CPU -- it runs on Nehalem, and dies with SIGILL on TCG's
# default qemu64, where vmt-linux-x64-baseline, a Node single executable,
# runs), KERNEL and BASE (default: what setup.sh recorded in .cache/current.env).
#
# The guest has no network to the outside: -nic none (QEMU's default would be
# an e1000 on user-mode networking).
#
# VMW_DEVICES=1 adds VMware's PCI devices (vendor 15ad), still with no network
# outside the guest: the SVGA adapter (-vga vmware: 0405 at 00:02.0, left
# without a driver); a vmxnet3 NIC (07b0) at 00:10.0 (MAC 00:50:56:00:00:10,
# eth0) and a second one behind a PCI bridge (bridge 00:15.0, NIC 01:00.0, MAC
# 00:50:56:00:00:11, eth1), both on one QEMU hub that nothing else is on; a
# pvscsi HBA (07c0) at 00:11.0 with a 16 MiB disk (a fresh sparse file per
# boot with an MBR: sda1 12 MiB, sda2 3 MiB; SCSI 0:0:0:0). The guest's /init
# loads their drivers (vmxnet3, vmw_pvscsi, sd_mod, ext4), formats sda1 ext2
# (label disk0) and mounts it at /mnt/disk0, makes sda2 swap and turns it on,
# and configures eth0 192.168.77.10/24 with the default route via
# 192.168.77.1, and eth1 192.168.78.10/24; whatever of that fails is written
# to /vmw-devices-failed. The first command runs about 2 s later than without.
#
# Exit status: 0 when the guest ran every command and powered off (commands
# that fail are for the caller to judge), 2 when it did not finish, 64 usage.
set -euo pipefail
umask 022

[ $# -eq 3 ] || { echo "usage: qemu-run.sh BINARY CMDFILE OUTDIR" >&2; exit 64; }
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${E2E_CACHE:-$HERE/.cache}
if [ -z "${KERNEL:-}" ] || [ -z "${BASE:-}" ]; then
  [ -f "$CACHE/current.env" ] || { echo "qemu-run: run test/e2e/setup.sh first ($CACHE/current.env missing)" >&2; exit 64; }
  k=${KERNEL:-} b=${BASE:-}
  # shellcheck disable=SC1091
  . "$CACHE/current.env"
  KERNEL=${k:-$KERNEL} BASE=${b:-$BASE}
fi
[ "$1" = - ] || [ -f "$1" ] || { echo "qemu-run: no such binary: $1" >&2; exit 64; }
[ -f "$2" ] || { echo "qemu-run: no such command file: $2" >&2; exit 64; }
BIN=-; [ "$1" = - ] || BIN=$(readlink -f "$1")
CMDS=$(readlink -f "$2"); OUT=$3
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
rm -f "$OUT/results.txt" "$OUT/console.log"
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT

R=$W/root
mkdir -p "$R/opt/bin"
[ "$BIN" = - ] || { cp "$BIN" "$R/opt/bin/vmt"; chmod 755 "$R/opt/bin/vmt"; }
# Libraries of a dynamically linked binary (a bun --compile binary needs libc,
# libpthread, libdl, libm and the loader; node adds libstdc++ and libgcc_s).
# A Node single executable (vmt-linux-x64-baseline) also loads the native files it carries
# once written out: ffi-rs's addon needs librt and libgcc_s, which node itself does not.
if [ "$BIN" != - ] && ldd "$BIN" >/dev/null 2>&1; then
  LIBS_OF=("$BIN")
  if grep -qa NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2:1 "$BIN"; then
    LIBS_OF+=("$(cd "$(dirname "$0")/../.." && pwd)"/node_modules/@yuuang/ffi-rs-linux-x64-gnu/*.node)
  fi
  for f in "${LIBS_OF[@]}"; do ldd "$f"; done | grep -o '/[^ ]*' | sort -u | while read -r l; do mkdir -p "$R$(dirname "$l")"; cp -L "$l" "$R$l"; done
fi
cp "$CMDS" "$R/cmds.txt"
# HOST_SHARE=1: this machine's / goes into the guest read-only (virtio 9p);
# /init mounts it at /host and `onhost CMD` runs CMD from it (setup.sh).
SHARE=()
if [ "${HOST_SHARE:-0}" = 1 ]; then
  # the checkout (and anything in HOST_KEEP, colon-separated) stays visible in the guest even
  # under /tmp, which the guest's own tmpfs covers in the share
  (cd "$(dirname "$0")/../.." && pwd) > "$R/host-share"
  if [ -n "${HOST_KEEP:-}" ]; then tr ':' '\n' <<< "$HOST_KEEP" >> "$R/host-share"; fi
  SHARE=(-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap)
fi
# VMW_DEVICES=1: VMware's PCI devices (see the header); /vmw-devices tells /init.
VMW=()
if [ "${VMW_DEVICES:-0}" = 1 ]; then
  : > "$R/vmw-devices"
  # 16 MiB, sparse, with an MBR: sda1 sectors 2048-26623 (12 MiB, type 83),
  # sda2 26624-32767 (3 MiB, type 82); /init formats them (busybox's fdisk
  # would sleep a second before re-reading the table).
  truncate -s 16M "$W/disk0.img"
  printf '\x00\x00\x00\x00\x83\x00\x00\x00\x00\x08\x00\x00\x00\x60\x00\x00\x00\x00\x00\x00\x82\x00\x00\x00\x00\x68\x00\x00\x00\x18\x00\x00' |
    dd of="$W/disk0.img" bs=1 seek=446 conv=notrunc status=none
  printf '\x55\xaa' | dd of="$W/disk0.img" bs=1 seek=510 conv=notrunc status=none
  VMW=(-vga vmware
    -netdev hubport,id=vmwnet0,hubid=0 -netdev hubport,id=vmwnet1,hubid=0
    -device vmxnet3,netdev=vmwnet0,mac=00:50:56:00:00:10,addr=0x10
    -device pci-bridge,id=vmwbridge,chassis_nr=1,addr=0x15
    -device vmxnet3,netdev=vmwnet1,mac=00:50:56:00:00:11,bus=vmwbridge,addr=0x0
    -device pvscsi,id=pvscsi0,addr=0x11
    -drive if=none,id=disk0,file="$W/disk0.img",format=raw
    -device scsi-hd,bus=pvscsi0.0,drive=disk0,scsi-id=0,lun=0)
fi
cat > "$R/run-tests.sh" <<'EOS'
#!/bin/sh
exec 3>/dev/ttyS1
stty -F /dev/ttyS1 raw -echo 2>/dev/null
export PATH=/opt/bin:/usr/bin:/usr/sbin:/bin:/sbin HOME=/root; n=0
ct=$(cat /cmd-timeout 2>/dev/null || echo 60)
while IFS= read -r line || [ -n "$line" ]; do
  case "$line" in ''|'#'*) continue;; esac; n=$((n+1))
  printf '@@BEGIN %s %s\n' "$n" "$line" >&3
  t0=$(cut -d' ' -f1 /proc/uptime)
  timeout "$ct" sh -c "$line" </dev/null >/tmp/.out 2>/tmp/.err; rc=$?
  echo "@@TIME $n $t0 $(cut -d' ' -f1 /proc/uptime)" >/dev/console
  cat /tmp/.out >&3; printf '\n@@STDERR %s\n' "$n" >&3
  cat /tmp/.err >&3; printf '\n@@END %s rc=%s\n' "$n" "$rc" >&3
done < /cmds.txt
echo "@@DONE $n" >&3
EOS
chmod 755 "$R/run-tests.sh"
echo "${CMD_TIMEOUT:-60}" > "$R/cmd-timeout"
chmod 755 "$R"   # the "." entry sets the mode of the guest's /
# The overlay is appended uncompressed: the kernel takes mixed segments, and
# gzip of a 110 MB binary costs more on the host than the copy in the guest.
# The kernel reads an uncompressed segment only at a 4-byte-aligned offset
# (zero padding between segments is skipped): pad the gzipped base.
cp "$BASE" "$W/initrd"; truncate -s %512 "$W/initrd"
(cd "$R" && find . ! -name . | cpio -o -H newc -R 0:0 --quiet) >> "$W/initrd"
rm -rf "$R"

# shellcheck disable=SC2086
timeout --kill-after=5 "${TIMEOUT:-240}" qemu-system-x86_64 -machine "${MACHINE:-pc,vmport=on}" -accel tcg \
  -cpu "${CPU:-max}" -m "${MEM:-1024}" -nographic -no-reboot -kernel "$KERNEL" -initrd "$W/initrd" \
  -append "console=ttyS0 panic=-1 quiet" -nic none \
  -serial mon:stdio -chardev file,id=res,path="$OUT/results.txt" -serial chardev:res "${SHARE[@]}" "${VMW[@]}" ${QEMU_EXTRA:-} \
  </dev/null >"$OUT/console.log" 2>&1 || echo "qemu exit $?" >>"$OUT/console.log"

if ! grep -q '^@@DONE' "$OUT/results.txt" 2>/dev/null; then
  echo "qemu-run: guest did not finish; see $OUT/console.log and $OUT/results.txt" >&2
  exit 2
fi
