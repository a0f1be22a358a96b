# Runs in a QEMU guest booted with VMW_DEVICES=1 (busybox sh; vmw-sysfs.sh
# hands it over). Prints what the guest's sysfs and /proc say about VMware's
# PCI devices (vendor 0x15ad), first as booted, then after each of: unbinding
# the drivers, a driver_override, removing a device, a rescan, binding again.
#
# Output: "=== TITLE" starts a section. In tree sections one line per entry:
#   D PATH               a directory
#   L PATH -> TARGET     a symbolic link, its target as readlink gives it
#   F PATH = VALUE       a file and its content (newlines written as \n, the
#                        last one dropped); "F PATH" alone: content not read
#   F PATH ! ERROR       the read failed
#   W PATH               a file nobody may read (bind, unbind, remove, ...)
# Other sections hold a file or a command's output as it is.

# Files whose content is worth having (everything else is listed, not read).
wanted() {
  case ${1##*/} in
    vendor|device|class|subsystem_vendor|subsystem_device|revision|driver_override|modalias|uevent|enable|irq|numa_node|\
    address|addr_assign_type|addr_len|broadcast|carrier|dev_id|dev_port|dormant|duplex|flags|ifalias|ifindex|iflink|\
    link_mode|mtu|name_assign_type|operstate|speed|tx_queue_len|type|\
    dev|size|ro|removable|hidden|partition|start|model|rev|state|scsi_level|queue_depth|queue_type|device_blocked|\
    proc_name|unique_id|host_busy|can_queue|cmd_per_lun|sg_tablesize|active_mode|supported_mode|prot_capabilities|\
    eh_timeout|timeout|FUA|cache_type|manage_start_stop|protection_type|provisioning_mode|\
    max_write_same_blocks|zeroing_mode|zoned_cap|max_medium_access_timeouts|allow_restart|app_tag_own|thin_provisioning)
      return 0 ;;
  esac
  return 1
}

entry() {
  if [ -L "$1" ]; then
    echo "L $1 -> $(readlink "$1")"
  elif [ -d "$1" ]; then
    echo "D $1"
  elif [ -e "$1" ]; then
    case $(stat -c %A "$1") in
      ?r*) ;;
      *) echo "W $1"; return ;;
    esac
    if wanted "$1"; then
      if v=$(cat "$1" 2>/tmp/.vmw-err); then
        # binary content (vpd pages) as hex
        if printf '%s' "$v" | tr -d '\n\t -~' | grep -q .; then v=hex:$(od -An -tx1 -v "$1" | tr -d ' \n'); fi
        printf 'F %s = %s\n' "$1" "$(printf '%s' "$v" | awk 'NR > 1 { printf "\\n" } { printf "%s", $0 }')"
      else
        echo "F $1 ! $(tr '\n' ' ' < /tmp/.vmw-err)"
      fi
    else
      echo "F $1"
    fi
  fi
}

# tree DIR: DIR and what lies under it (6 levels), without following links;
# power/, statistics/, queue/, mq/, trace/, integrity/ and bdi are listed,
# not entered.
tree() {
  find "$1" -maxdepth 6 \( -name power -o -name statistics -o -name queue -o -name mq -o -name trace -o -name integrity -o -name queues \) -prune -print -o -print 2>/dev/null |
    LC_ALL=C sort | while IFS= read -r p; do entry "$p"; done
}

vmw_devices() {
  for d in /sys/bus/pci/devices/*; do [ "$(cat "$d/vendor")" = 0x15ad ] && echo "${d##*/}"; done
}

# section TITLE
section() { printf '\n=== %s\n' "$1"; }

# pci_list: every PCI device, one line: BDF vendor:device class driver
pci_list() {
  section 'PCI devices (BDF vendor:device class driver)'
  for d in /sys/bus/pci/devices/*; do
    drv=-; [ -L "$d/driver" ] && drv=$(basename "$(readlink "$d/driver")")
    echo "${d##*/} $(cat "$d/vendor"):$(cat "$d/device") $(cat "$d/class") $drv"
  done
}

# full: everything about the VMware devices and what hangs off them
full() {
  pci_list
  for bdf in $(vmw_devices); do
    d=/sys/bus/pci/devices/$bdf
    real=$(realpath "$d")
    section "PCI $bdf ($real)"
    entry "$d"
    for a in vendor device class subsystem_vendor subsystem_device revision driver_override modalias uevent enable irq numa_node; do entry "$real/$a"; done
    entry "$real/driver"; [ -L "$real/driver" ] || echo "# $real/driver: none"
    entry "$real/subsystem"; entry "$real/firmware_node"
    echo "# entries of $real: $(ls "$real" | tr '\n' ' ')"
    for sub in "$real"/net "$real"/host*; do [ -e "$sub" ] && tree "$sub"; done
  done
  section 'links in /sys/class/net /sys/block /sys/class/block /sys/class/scsi_host /sys/class/scsi_device /sys/class/scsi_disk /sys/dev/block'
  for p in /sys/class/net/* /sys/block/* /sys/class/block/* /sys/class/scsi_host/* /sys/class/scsi_device/* /sys/class/scsi_disk/* /sys/dev/block/*; do
    [ -e "$p" ] || [ -L "$p" ] && entry "$p"
  done
  section 'drivers: /sys/bus/pci/drivers/vmxnet3 /sys/bus/pci/drivers/vmw_pvscsi /sys/bus/scsi/drivers/sd'
  for drv in /sys/bus/pci/drivers/vmxnet3 /sys/bus/pci/drivers/vmw_pvscsi /sys/bus/scsi/drivers/sd; do
    for p in "$drv" "$drv"/*; do entry "$p"; done
  done
  section 'modules: ls /sys/module | grep -i -e vmw -e vmxnet -e scsi -e sd_mod -e ext4'
  ls /sys/module | grep -i -e vmw -e vmxnet -e scsi -e sd_mod -e ext4
  for f in /proc/mounts /proc/swaps /proc/partitions /proc/net/route /proc/net/if_inet6 /proc/net/ipv6_route /proc/net/fib_trie /proc/net/dev; do
    section "$f"; cat "$f"
  done
  section 'ip -o addr (busybox)'; ip -o addr
  section 'ip route (busybox)'; ip route
}

# short: the PCI list, each VMware device's driver and driver_override, the
# interfaces and block devices
short() {
  pci_list
  section 'VMware devices: driver link, driver_override'
  for bdf in $(vmw_devices); do
    d=/sys/bus/pci/devices/$bdf
    entry "$d/driver"; [ -L "$d/driver" ] || echo "# $d/driver: none"
    entry "$(realpath "$d")/driver_override"
  done
  section 'links in /sys/class/net /sys/block /sys/class/scsi_host'
  for p in /sys/class/net/* /sys/block/* /sys/class/scsi_host/*; do [ -L "$p" ] && entry "$p"; done
  section /proc/net/route; cat /proc/net/route
}

# step TEXT COMMAND...: runs COMMAND, saying so and how it ended
step() {
  t=$1; shift
  printf '\n### step: %s\n' "$t"
  "$@" 2>&1; st=$?
  echo "# exit status $st"
}
write() { echo "$1" > "$2"; }

# wait_for PATH: up to 10 s for PATH to appear
wait_for() {
  i=0; while [ ! -e "$1" ] && [ $i -lt 200 ]; do usleep 50000; i=$((i+1)); done
  [ -e "$1" ]
}

NET0=0000:00:10.0 NET1=0000:01:00.0 SCSI=0000:00:11.0

printf '### state: as booted (VMW_DEVICES=1)\n'
if [ -f /vmw-devices-failed ]; then echo "# /init's VMware set-up failed:"; cat /vmw-devices-failed; fi
full

step "swapoff /dev/sda2; umount /mnt/disk0; echo $SCSI > /sys/bus/pci/drivers/vmw_pvscsi/unbind" \
  sh -c "swapoff /dev/sda2 && umount /mnt/disk0 && echo $SCSI > /sys/bus/pci/drivers/vmw_pvscsi/unbind"
step "echo $NET0 > /sys/bus/pci/drivers/vmxnet3/unbind" write "$NET0" /sys/bus/pci/drivers/vmxnet3/unbind
printf '\n### state: vmw_pvscsi unbound from %s, vmxnet3 from %s\n' "$SCSI" "$NET0"
full

step "echo none > /sys/bus/pci/devices/$NET0/driver_override; echo $NET0 > /sys/bus/pci/drivers_probe" \
  sh -c "echo none > /sys/bus/pci/devices/$NET0/driver_override && echo $NET0 > /sys/bus/pci/drivers_probe"
step "echo $NET0 > /sys/bus/pci/drivers/vmxnet3/bind (refused while driver_override is none)" write "$NET0" /sys/bus/pci/drivers/vmxnet3/bind
step "echo 1 > /sys/bus/pci/devices/$NET1/remove" write 1 "/sys/bus/pci/devices/$NET1/remove"
printf '\n### state: driver_override none on %s, %s removed\n' "$NET0" "$NET1"
short
step "echo 1 > /sys/bus/pci/rescan" write 1 /sys/bus/pci/rescan
printf '\n### state: after the rescan (it probes only the new device)\n'
short
step "echo > /sys/bus/pci/devices/$NET0/driver_override; echo $NET0 > /sys/bus/pci/drivers_probe" \
  sh -c "echo > /sys/bus/pci/devices/$NET0/driver_override && echo $NET0 > /sys/bus/pci/drivers_probe"
bind_scsi() { echo "$SCSI" > /sys/bus/pci/drivers/vmw_pvscsi/bind && wait_for /dev/sda2; }
step "echo $SCSI > /sys/bus/pci/drivers/vmw_pvscsi/bind; wait for /dev/sda2" bind_scsi
printf '\n### state: bound again\n'
short
