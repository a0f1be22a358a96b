#!/usr/bin/env bash
# Prepare everything the QEMU e2e harness needs, once, under test/e2e/.cache/:
#   - Debian packages (installed only when missing; `apt-get update` only then);
#   - the Debian kernel (resolved through linux-image-amd64), unpacked to an ELF
#     vmlinux (PVH boot) plus the few modules the guest loads;
#   - two static helpers: withio (ioperm(0x5658,4,1) then exec) and runas
#     (drop to uid/gid 65534 then exec);
#   - the base initramfs: busybox, modules, /init, open-vm-tools' vmware-checkvm
#     with its libraries, withio and runas.
# Safe to run again: every step is skipped when its result is already cached.
# Writes test/e2e/.cache/current.env (KERNEL=..., BASE=...) for qemu-run.sh.
# One progress line per step goes to stderr; nothing goes to stdout. apt-get
# runs through scripts/apt-install.sh: quiet, without questions, waiting for
# another apt or dpkg. A failure ends in one line that says what failed and how
# to fix it (the failing tool's own messages above it), and exit status 1.
set -eEuo pipefail
umask 022

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=../../scripts/apt-install.sh
source "$ROOT/scripts/apt-install.sh"   # apt_get
CACHE=${E2E_CACHE:-$HERE/.cache}
mkdir -p "$CACHE"
# One set-up at a time (test files may run in parallel); the others wait, then
# find everything cached.
exec 9>"$CACHE/.lock"
flock 9
T0=$(date +%s.%N)

log() { printf 'e2e-setup: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
# Anything else that fails (a compiler, cpio, ...): still one line.
# (set -E hands the trap to functions and subshells; a subshell leaves the
# saying to this shell.)
trap 'st=$?; [ "$BASHPID" = "$$" ] || exit "$st"; log "failed: \"$BASH_COMMAND\" exited $st (test/e2e/setup.sh line $LINENO); see the lines above"; exit 1' ERR
elapsed() { awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

# --- 1. packages -------------------------------------------------------------
# socat and ncat run in the guest from this machine's root file system (the
# host share, HOST_SHARE=1 for qemu-run.sh): the vsock peers of the vsock tests.
PKGS=(qemu-system-x86 busybox-static cpio open-vm-tools gcc libc6-dev python3 socat ncat)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  log "packages: all present (${PKGS[*]})"
else
  # says "installing ...", and on failure the one line
  bash "$ROOT/scripts/apt-install.sh" "${missing[@]}" || exit 1
fi
APT_UPDATED=${#missing[@]}
apt_update() {
  apt_get update || die "kernel: apt-get update failed: $APT_ERROR; see the lines above, or set E2E_KERNEL_PKG=linux-image-... to a kernel package apt-get download can fetch"
}

# --- 2. kernel ---------------------------------------------------------------
# Empty when apt-cache does not know linux-image-amd64 (it then exits 100).
resolve_kernel() {
  { apt-cache depends linux-image-amd64 2>/dev/null || true; } | awk '/Depends: linux-image-[0-9]/ && !n++ { print $2 }'
}
KPKG=${E2E_KERNEL_PKG:-$(resolve_kernel)}
if [ -z "$KPKG" ] && [ "$APT_UPDATED" = 0 ]; then
  log "kernel: linux-image-amd64 unknown to apt-cache; running apt-get update"
  apt_update
  KPKG=$(resolve_kernel)
fi
[ -n "$KPKG" ] || die "kernel: apt-cache knows no linux-image-amd64; add Debian's main archive to /etc/apt/sources.list, or set E2E_KERNEL_PKG=linux-image-... to a kernel package apt-get download can fetch"

# The host share (virtio 9p) needs the virtio PCI transport and 9p, which
# Debian builds as modules; /init loads them in this order only for a share.
SHARE_MODULES=(virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci 9pnet 9pnet_virtio netfs fscache 9p)
# The VMware devices (qemu-run.sh VMW_DEVICES=1): vmxnet3; pvscsi with the
# SCSI core; the SCSI disk driver sd_mod with what it needs (t10-pi and its
# CRCs; the *_generic ones are the crypto back-ends the CRC libraries look for,
# there being no modprobe in the guest); ext4, which also mounts the ext2 that
# busybox's mke2fs makes. Dependencies first: /init loads them in this order.
VMW_MODULES=(vmxnet3 scsi_common scsi_mod vmw_pvscsi
  crct10dif_common crct10dif_generic crc-t10dif crc64 crc64_rocksoft_generic crc64-rocksoft t10-pi sd_mod
  crc16 crc32c_generic mbcache jbd2 ext4)
MODULES=(vsock vmw_vsock_virtio_transport_common vsock_loopback "${VMW_MODULES[@]}" "${SHARE_MODULES[@]}")
KDIR=$CACHE/kernel-$KPKG
download_kernel() {
  local st=0
  rm -rf "$CACHE/dl"; mkdir -p "$CACHE/dl"
  cd "$CACHE/dl"
  # apt-get download runs as _apt when it can; a root-owned cache dir then gets
  # a harmless warning, which APT::Sandbox::User=<this user> avoids.
  apt_get --user download -o APT::Sandbox::User="$(id -un)" "$KPKG" || st=$?
  cd "$HERE"
  return "$st"
}
download_failed() {
  die "kernel: downloading $KPKG failed: $APT_ERROR; see the lines above (the network? /etc/apt/sources.list?), or set E2E_KERNEL_PKG=linux-image-... to a kernel package the mirror has"
}
# .done lists the modules unpacked: a longer list unpacks the package again.
if [ "$(cat "$KDIR/.done" 2>/dev/null)" = "${MODULES[*]}" ]; then
  log "kernel: $KPKG cached ($KDIR)"
else
  log "kernel: downloading and unpacking $KPKG"
  if ! download_kernel; then
    # Stale package lists name a kernel the mirror no longer has.
    [ "$APT_UPDATED" = 0 ] && [ -z "${E2E_KERNEL_PKG:-}" ] || download_failed
    log "kernel: download failed; apt-get update and resolve again"
    apt_update
    KPKG=$(resolve_kernel); KDIR=$CACHE/kernel-$KPKG
    [ -n "$KPKG" ] || die "kernel: apt-cache knows no linux-image-amd64 after apt-get update; add Debian's main archive to /etc/apt/sources.list, or set E2E_KERNEL_PKG=linux-image-..."
    download_kernel || download_failed
  fi
  rm -rf "$KDIR"; mkdir -p "$KDIR/modules"
  deb=$(ls "$CACHE"/dl/*.deb)
  pats=('./boot/vmlinuz-*')
  for m in "${MODULES[@]}"; do pats+=("*/$m.ko"); done
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$CACHE/dl" --wildcards "${pats[@]}"
  for m in "${MODULES[@]}"; do
    f=$(find "$CACHE/dl" -name "$m.ko" -print -quit)
    [ -n "$f" ] || die "kernel: module $m.ko not found in $KPKG; set E2E_KERNEL_PKG=linux-image-... to a Debian kernel that has it"
    cp "$f" "$KDIR/modules/"
  done
  cp "$CACHE"/dl/boot/vmlinuz-* "$KDIR/vmlinuz"
  # The xz payload, unpacked, is an ELF vmlinux that QEMU boots through PVH:
  # that skips the ~3 s in-guest decompression under TCG.
  python3 -c "import lzma,sys; d=open(sys.argv[1],'rb').read(); i=d.find(b'\xfd7zXZ\x00'); open(sys.argv[2],'wb').write(lzma.LZMADecompressor().decompress(d[i:]))" \
    "$KDIR/vmlinuz" "$KDIR/vmlinux"
  head -c4 "$KDIR/vmlinux" | grep -q 'ELF' || die "kernel: the vmlinux unpacked from $KPKG is not ELF; delete $CACHE and run again, or set E2E_KERNEL_PKG=linux-image-..."
  rm -rf "$CACHE/dl"
  # Drop kernels of earlier point releases.
  for old in "$CACHE"/kernel-*; do [ "$old" = "$KDIR" ] || rm -rf "$old"; done
  printf '%s\n' "${MODULES[*]}" > "$KDIR/.done"
fi

# --- 3. static helpers -------------------------------------------------------
HDIR=$CACHE/helpers
mkdir -p "$HDIR"
cat > "$HDIR/withio.c.new" <<'EOF'
/* withio PROG ARGS...: allow user-mode port I/O on the VMware backdoor ports
   0x5658-0x565B (a 32-bit `in` touches four ports; 0x5659 is the HB port),
   then exec PROG. The permission survives fork and exec. */
#include <stdio.h>
#include <sys/io.h>
#include <unistd.h>
int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: withio PROG [ARGS...]\n"); return 2; }
  if (ioperm(0x5658, 4, 1)) { perror("withio: ioperm(0x5658, 4, 1)"); return 126; }
  execvp(argv[1], argv + 1);
  perror("withio: exec");
  return 127;
}
EOF
cat > "$HDIR/runas.c.new" <<'EOF'
/* runas PROG ARGS...: drop to uid/gid 65534 (nobody/nogroup), no
   supplementary groups, then exec PROG. */
#define _GNU_SOURCE
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: runas PROG [ARGS...]\n"); return 2; }
  if (setgroups(0, NULL) || setgid(65534) || setuid(65534)) { perror("runas"); return 126; }
  if (getuid() != 65534 || geteuid() != 65534) { fprintf(stderr, "runas: still privileged\n"); return 126; }
  setenv("HOME", "/tmp", 1);
  execvp(argv[1], argv + 1);
  perror("runas: exec");
  return 127;
}
EOF
for h in withio runas; do
  if [ -x "$HDIR/$h" ] && cmp -s "$HDIR/$h.c.new" "$HDIR/$h.c"; then
    rm -f "$HDIR/$h.c.new"
    log "helper: $h cached"
  else
    mv "$HDIR/$h.c.new" "$HDIR/$h.c"
    gcc -static -O2 -Wall -o "$HDIR/$h" "$HDIR/$h.c"
    log "helper: built static $h"
  fi
done

# --- 4. base initramfs -------------------------------------------------------
INIT=$(cat <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin; export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev; mount -t tmpfs -o mode=1777 tmp /tmp
for m in vsock vmw_vsock_virtio_transport_common vsock_loopback; do insmod /lib/modules/$m.ko; done
if [ -f /host-share ]; then
  # The host share (qemu-run.sh HOST_SHARE=1): the machine's / read-only at
  # /host, with the guest's /proc, /sys, /dev and /tmp bound into it, for onhost.
  for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci 9pnet 9pnet_virtio netfs fscache 9p; do insmod /lib/modules/$m.ko; done
  mkdir -p /host
  if mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=524288 hostroot /host; then
    mkdir -p /hosttmp; mount --bind /host/tmp /hosttmp # the machine's own /tmp, before the guest's covers it
    for d in proc sys dev tmp; do mount --bind /$d /host/$d; done
    # the machine's paths under /tmp that onhost needs (the checkout, when it lives there; one a line)
    while IFS= read -r p; do
      case "$p" in /tmp/?*) mkdir -p "/host$p" && mount --bind "/hosttmp/${p#/tmp/}" "/host$p" ;; esac
    done < /host-share
  else
    echo 'init: mounting the host share failed' > /host-share-failed
  fi
fi
if [ -f /vmw-devices ]; then
  # The VMware devices (qemu-run.sh VMW_DEVICES=1): drivers, then the state a
  # VMware VM boots into: the disk partitioned, a file system mounted, swap
  # on, both NICs up with an address, a default route. What fails is noted in
  # /vmw-devices-failed.
  vfail() { echo "init: $*" >> /vmw-devices-failed; }
  for m in @VMW_MODULES@; do insmod /lib/modules/$m.ko || vfail "insmod $m failed"; done
  ip link set lo up
  # The disk comes with an MBR (qemu-run.sh writes it): sda1 12 MiB, sda2
  # 3 MiB. The SCSI scan and sd's probe run asynchronously: wait for sda2
  # (10 s at most). sda1 gets ext2 (label disk0) at /mnt/disk0, sda2 swap.
  i=0; while [ ! -b /dev/sda2 ] && [ $i -lt 200 ]; do usleep 50000; i=$((i+1)); done
  mkdir -p /mnt/disk0
  # With the host share, onhost's chroot sees only the mounts under /host:
  # /mnt becomes a shared mount, bound onto /host/mnt, so that what is
  # mounted or unmounted under either shows in both.
  if [ -d /host/mnt ] && grep -q '^hostroot /host ' /proc/mounts; then
    { mount --bind /mnt /mnt && mount --make-shared /mnt && mount --bind /mnt /host/mnt; } || vfail "binding /mnt onto /host/mnt failed"
  fi
  if [ -b /dev/sda2 ]; then
    { mke2fs -q -L disk0 /dev/sda1 >/dev/null && mount -t ext2 /dev/sda1 /mnt/disk0; } || vfail "formatting or mounting /dev/sda1 failed"
    { mkswap /dev/sda2 >/dev/null && swapon /dev/sda2; } || vfail "swap on /dev/sda2 failed"
  else
    vfail "no /dev/sda2 after 10 s"
  fi
  { ip link set eth0 up && ip addr add 192.168.77.10/24 dev eth0 && ip route add default via 192.168.77.1 dev eth0; } || vfail "eth0 set-up failed"
  { ip link set eth1 up && ip addr add 192.168.78.10/24 dev eth1; } || vfail "eth1 set-up failed"
fi
[ -x /run-tests.sh ] && /run-tests.sh
sync
poweroff -f
EOF
)
INIT=${INIT//@VMW_MODULES@/${VMW_MODULES[*]}}
ONHOST=$(cat <<'EOF'
#!/bin/sh
# onhost CMD [ARGS...]: runs CMD from the host share (the machine's root file
# system at /host, read-only) with the machine's libraries, on the guest's
# kernel: its vsock, its /proc, /sys, /dev, and /tmp (the guest's own).
# The working directory is / ; HOME and TMPDIR are /tmp.
if [ ! -d /host/usr/bin ]; then echo 'onhost: no host share at /host (boot with HOST_SHARE=1)' >&2; exit 127; fi
exec chroot /host /usr/bin/env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp TMPDIR=/tmp "$@"
EOF
)
CHECKVM=$(command -v vmware-checkvm || echo /usr/bin/vmware-checkvm)
[ -x "$CHECKVM" ] || die "base: vmware-checkvm not found; install open-vm-tools (apt-get install open-vm-tools)"
pkgver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true; }
KEY=$(printf '%s\n' "$KPKG" "${MODULES[*]}" "$INIT" "$ONHOST" "$(pkgver busybox-static)" "$(pkgver open-vm-tools)" "$(pkgver libc6)" \
  "$(sha256sum "$HDIR/withio" "$HDIR/runas")" | sha256sum | cut -c1-16)
BASE=$CACHE/base.cpio.gz
if [ -f "$BASE" ] && [ "$(cat "$CACHE/base.key" 2>/dev/null)" = "$KEY" ]; then
  log "base initramfs: cached ($BASE)"
else
  log "base initramfs: building"
  W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
  R=$W/root
  mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,root,etc,lib/modules,opt/bin}
  cp /bin/busybox "$R/bin/busybox"
  printf '%s\n' "$INIT" > "$R/init"; chmod 755 "$R/init"
  printf '%s\n' "$ONHOST" > "$R/usr/bin/onhost"; chmod 755 "$R/usr/bin/onhost"
  cp "$KDIR"/modules/*.ko "$R/lib/modules/"
  cp "$HDIR/withio" "$HDIR/runas" "$R/usr/bin/"
  cp "$CHECKVM" "$R/usr/bin/vmware-checkvm"
  ldd "$CHECKVM" | grep -o '/[^ ]*' | sort -u | while read -r l; do
    mkdir -p "$R$(dirname "$l")"; cp -L "$l" "$R$l"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n' > "$R/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$R/etc/group"
  # The archive's "." entry sets the mode of the guest's / : keep it 755, or
  # nothing but root can reach any file. -R 0:0 makes every file root's.
  chmod 755 "$R"; chmod 1777 "$R/tmp"; chmod 700 "$R/root"
  (cd "$R" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -1) > "$BASE.tmp"
  mv "$BASE.tmp" "$BASE"
  printf '%s\n' "$KEY" > "$CACHE/base.key"
  log "base initramfs: $(du -h "$BASE" | cut -f1) written"
fi

printf 'KERNEL=%q\nBASE=%q\nKERNEL_PKG=%q\n' "$KDIR/vmlinux" "$BASE" "$KPKG" > "$CACHE/current.env"
log "ready in $(elapsed) s: KERNEL=$KDIR/vmlinux BASE=$BASE"
