#!/usr/bin/env bash
# Builds the Debian 12 guest image the libvirt guest-boot integration test boots (vm_compose boot: image).
#
# There is no image server here, so the image is made from Debian's package mirror alone: debootstrap a minimal
# bookworm with a kernel, cloud-init (NoCloud only), OpenSSH and ifupdown, put it on a 2 GiB MBR disk with one
# ext4 partition (label rootfs) booted by extlinux, and convert that to a compressed qcow2.
#
# Output: $CACHE_DIR/debian12-cloud.qcow2 and a stamp next to it holding the sha256 of this script: the image is
# rebuilt only when it is missing or this script changed. Runs as root (debootstrap, chroot, loop devices, mount).
#
# The kernel is linux-image-amd64, not Debian's smaller linux-image-cloud-amd64: the cloud kernel has no AHCI
# driver (CONFIG_SATA_AHCI is not set), and vm_compose attaches the cloud-init seed as a SATA CD-ROM, which that
# kernel cannot see. Kernel modules no VM on this host needs (sound, wireless, GPUs, media, ...) are left out.
set -euo pipefail

CACHE_DIR=${VMFLEET_TEST_IMAGE_DIR:-/var/cache/vmfleet-test}
IMAGE=$CACHE_DIR/debian12-cloud.qcow2
STAMP=$IMAGE.stamp
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm
DISK_MIB=2048
PART_START_SECTOR=2048
LABEL=rootfs
PACKAGES=(
  linux-image-amd64 initramfs-tools systemd-sysv udev
  cloud-init cloud-guest-utils openssh-server sudo
  ifupdown isc-dhcp-client iproute2 netbase
)

SCRIPT=$(readlink -f "${BASH_SOURCE[0]}")
WANT=$(sha256sum "$SCRIPT" | cut -d' ' -f1)

log() { printf '[build_test_image %4ss] %s\n' "$SECONDS" "$*"; }
die() {
  printf 'build_test_image: %s\n' "$*" >&2
  exit 1
}

[[ $(id -u) == 0 ]] || die "run as root (debootstrap, chroot, loop devices and mounts need it)"
for tool in debootstrap sfdisk losetup mkfs.ext4 extlinux qemu-img rsync; do
  command -v "$tool" >/dev/null || die "$tool is missing (make apt installs it)"
done
MBR=/usr/lib/EXTLINUX/mbr.bin
[[ -r $MBR ]] || die "$MBR is missing (package extlinux)"

mkdir -p "$CACHE_DIR"
# One build at a time; a second caller waits and then finds the image up to date.
exec 9>"$CACHE_DIR/.build.lock"
flock 9

if [[ -s $IMAGE && -r $STAMP && $(cat "$STAMP") == "$WANT" ]]; then
  log "up to date: $IMAGE"
  exit 0
fi

WORK=$(mktemp -d /var/tmp/vmfleet-test-image.XXXXXX)
ROOT=$WORK/root
MNT=$WORK/mnt
RAW=$WORK/disk.raw
LOOP=""

cleanup() {
  local status=$?
  set +e
  for path in "$MNT" "$ROOT/proc"; do
    if mountpoint -q "$path" 2>/dev/null; then
      umount "$path" || umount -l "$path"
    fi
  done
  [[ -n $LOOP ]] && losetup -d "$LOOP"
  rm -rf --one-file-system "$WORK"
  if [[ $status != 0 ]]; then
    printf 'build_test_image: failed after %ss (exit %s); %s left as it was\n' "$SECONDS" "$status" "$IMAGE" >&2
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

in_root() { LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive chroot "$ROOT" "$@"; }

log "debootstrap $SUITE (minbase) from $MIRROR"
debootstrap --variant=minbase "$SUITE" "$ROOT" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
  {
    tail -n 30 "$WORK/debootstrap.log" "$ROOT/debootstrap/debootstrap.log" >&2
    die "debootstrap failed"
  }

# Only /proc goes into the chroot. Never the host's /dev (or /sys): package scripts there act on what they find,
# systemd's static-nodes tmpfiles for one would chgrp the host's /dev/kvm to the image's gid of "kvm". The device
# nodes debootstrap made in the image's /dev are all that apt and update-initramfs need.
[[ -c $ROOT/dev/null ]] || die "debootstrap made no $ROOT/dev/null"
mount -t proc proc "$ROOT/proc"
# No service starts inside the chroot.
printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
chmod 0755 "$ROOT/usr/sbin/policy-rc.d"

# Only what the kernel needs to find its root on a virtio disk goes into the initramfs (written before
# initramfs-tools is installed, which keeps an existing configuration).
mkdir -p "$ROOT/etc/initramfs-tools/conf.d"
cat >"$ROOT/etc/initramfs-tools/conf.d/vmfleet.conf" <<'EOF'
MODULES=list
EOF
printf '%s\n' virtio_pci virtio_blk virtio_scsi sd_mod ext4 crc32c_generic >>"$ROOT/etc/initramfs-tools/modules"
# Drop kernel modules and docs a small KVM guest never uses, at unpack time.
cat >"$ROOT/etc/dpkg/dpkg.cfg.d/vmfleet-slim" <<'EOF'
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
path-include=/usr/share/locale/locale.alias
path-exclude=/usr/lib/firmware/*
path-exclude=/lib/firmware/*
path-exclude=/usr/lib/modules/*/kernel/sound/*
path-exclude=/lib/modules/*/kernel/sound/*
path-exclude=/usr/lib/modules/*/kernel/drivers/gpu/*
path-exclude=/lib/modules/*/kernel/drivers/gpu/*
path-exclude=/usr/lib/modules/*/kernel/drivers/media/*
path-exclude=/lib/modules/*/kernel/drivers/media/*
path-exclude=/usr/lib/modules/*/kernel/drivers/net/wireless/*
path-exclude=/lib/modules/*/kernel/drivers/net/wireless/*
path-exclude=/usr/lib/modules/*/kernel/drivers/infiniband/*
path-exclude=/lib/modules/*/kernel/drivers/infiniband/*
path-exclude=/usr/lib/modules/*/kernel/drivers/bluetooth/*
path-exclude=/lib/modules/*/kernel/drivers/bluetooth/*
path-exclude=/usr/lib/modules/*/kernel/net/bluetooth/*
path-exclude=/lib/modules/*/kernel/net/bluetooth/*
path-exclude=/usr/lib/modules/*/kernel/net/wireless/*
path-exclude=/lib/modules/*/kernel/net/wireless/*
path-exclude=/usr/lib/modules/*/kernel/net/mac80211/*
path-exclude=/lib/modules/*/kernel/net/mac80211/*
path-exclude=/usr/lib/modules/*/kernel/drivers/staging/*
path-exclude=/lib/modules/*/kernel/drivers/staging/*
path-exclude=/usr/lib/modules/*/kernel/drivers/iio/*
path-exclude=/lib/modules/*/kernel/drivers/iio/*
path-exclude=/usr/lib/modules/*/kernel/drivers/usb/*
path-exclude=/lib/modules/*/kernel/drivers/usb/*
path-exclude=/usr/lib/modules/*/kernel/drivers/hid/*
path-exclude=/lib/modules/*/kernel/drivers/hid/*
path-exclude=/usr/lib/modules/*/kernel/drivers/isdn/*
path-exclude=/lib/modules/*/kernel/drivers/isdn/*
EOF

log "installing ${PACKAGES[*]}"
in_root apt-get update -q >"$WORK/apt.log" 2>&1 || {
  tail -n 30 "$WORK/apt.log" >&2
  die "apt-get update in the image failed"
}
in_root apt-get install -y -q --no-install-recommends "${PACKAGES[@]}" >>"$WORK/apt.log" 2>&1 || {
  tail -n 40 "$WORK/apt.log" >&2
  die "apt-get install in the image failed"
}

log "configuring"
cat >"$ROOT/etc/fstab" <<EOF
LABEL=$LABEL / ext4 defaults,errors=remount-ro 0 1
EOF
echo debian >"$ROOT/etc/hostname"
cat >"$ROOT/etc/hosts" <<'EOF'
127.0.0.1 localhost
::1 localhost ip6-localhost ip6-loopback
ff02::1 ip6-allnodes
ff02::2 ip6-allrouters
EOF
cat >"$ROOT/etc/network/interfaces" <<'EOF'
# cloud-init writes the NICs to /etc/network/interfaces.d/50-cloud-init
auto lo
iface lo inet loopback

source /etc/network/interfaces.d/*
EOF
# NoCloud only (the seed CD-ROM labelled cidata); no network datasource probing, no waiting for one.
cat >"$ROOT/etc/cloud/cloud.cfg.d/90_vmfleet.cfg" <<'EOF'
datasource_list: [ NoCloud, None ]
EOF
# The host name cloud-init sets resolves locally (sudo warns on every call otherwise).
cat >"$ROOT/etc/cloud/cloud.cfg.d/91_vmfleet_hosts.cfg" <<'EOF'
manage_etc_hosts: true
EOF
# cloud-init's locale module sets LANG=en_US.UTF-8 and on Debian runs locale-gen, which ignores the locale asked
# for and builds only what /etc/locale.gen lists (nothing, fresh), so update-locale then fails: list it there.
# Set as the default too, or cloud-init generates it again on the first boot.
sed -i 's/^# *\(en_US.UTF-8 UTF-8\)/\1/' "$ROOT/etc/locale.gen"
in_root locale-gen >/dev/null
echo 'LANG=en_US.UTF-8' >"$ROOT/etc/default/locale"
# debootstrap copied the build machine's resolver; the guest gets its own (DHCP, or none with a static address).
: >"$ROOT/etc/resolv.conf"
in_root passwd -q -l root
# cloud-init makes the host keys on the first boot; no two guests share one, and none is baked in here.
rm -f "$ROOT"/etc/ssh/ssh_host_*
# An empty machine-id: systemd makes a fresh one on the first boot.
: >"$ROOT/etc/machine-id"
rm -f "$ROOT/var/lib/dbus/machine-id" "$ROOT/usr/sbin/policy-rc.d"
in_root apt-get clean
rm -rf "$ROOT"/var/lib/apt/lists/* "$ROOT"/var/log/*.log "$ROOT"/var/log/apt/* "$ROOT"/tmp/* "$ROOT"/var/tmp/*
rm -rf "$ROOT/debootstrap"
umount "$ROOT/proc"

KERNEL=$(readlink "$ROOT/vmlinuz")
INITRD=$(readlink "$ROOT/initrd.img")
[[ -f $ROOT/$KERNEL && -f $ROOT/$INITRD ]] || die "no kernel or initrd in the image (/vmlinuz -> $KERNEL)"

log "making a ${DISK_MIB} MiB disk"
truncate -s "${DISK_MIB}M" "$RAW"
printf 'label: dos\nstart=%s, type=83, bootable\n' "$PART_START_SECTOR" | sfdisk -q "$RAW"
OFFSET=$((PART_START_SECTOR * 512))
LOOP=$(losetup --find --show --offset "$OFFSET" --sizelimit $((DISK_MIB * 1024 * 1024 - OFFSET)) "$RAW")
# Without the 64bit feature, which older syslinux could not read (not tried with this one); 2 GiB do not need it.
mkfs.ext4 -q -L "$LABEL" -O ^64bit "$LOOP"
mkdir -p "$MNT"
mount "$LOOP" "$MNT"
rsync -aHAXx --numeric-ids "$ROOT"/ "$MNT"/

mkdir -p "$MNT/boot/extlinux"
extlinux --install "$MNT/boot/extlinux" >"$WORK/extlinux.log" 2>&1 || {
  cat "$WORK/extlinux.log" >&2
  die "extlinux --install failed"
}
cat >"$MNT/boot/extlinux/extlinux.conf" <<EOF
SERIAL 0 115200
DEFAULT debian
PROMPT 0
TIMEOUT 0
LABEL debian
  LINUX /$KERNEL
  INITRD /$INITRD
  APPEND root=LABEL=$LABEL ro console=tty0 console=ttyS0,115200n8
EOF
umount "$MNT"
losetup -d "$LOOP"
LOOP=""
dd if="$MBR" of="$RAW" bs=440 count=1 conv=notrunc status=none

log "converting to qcow2"
qemu-img convert -c -O qcow2 "$RAW" "$WORK/image.qcow2"
mv -f "$WORK/image.qcow2" "$IMAGE"
echo "$WANT" >"$STAMP"
log "built $IMAGE ($(du -h "$IMAGE" | cut -f1), virtual ${DISK_MIB} MiB)"
