#!/usr/bin/env bash
# Builds the Debian 12 system-container image the LXD tests compose from, and imports it into the local LXD
# under the alias $ALIAS (default vmfleet-test/debian12).
#
# There is no image server here, so the image is made from Debian's package mirror alone: debootstrap a minimal
# bookworm with systemd, cloud-init (NoCloud, fed by LXD's cloud-init.* keys through the templates below),
# ifupdown and a DHCP client, and pack it as an LXD unified image tarball (metadata.yaml, templates/, rootfs/).
#
# Output: $CACHE_DIR/debian12-lxd.tar.gz and a stamp holding the sha256 of this script: the tarball is rebuilt
# only when it is missing or this script changed; the import is skipped when LXD already has that image.
# Runs as root (debootstrap, chroot).
set -euo pipefail

CACHE_DIR=${VMFLEET_TEST_IMAGE_DIR:-/var/cache/vmfleet-test}
TARBALL=$CACHE_DIR/debian12-lxd.tar.gz
STAMP=$TARBALL.stamp
ALIAS=${VMFLEET_LXD_IMAGE_ALIAS:-vmfleet-test/debian12}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm
PACKAGES=(systemd-sysv udev cloud-init ifupdown isc-dhcp-client iproute2 netbase openssh-server python3 sudo)

SCRIPT=$(readlink -f "${BASH_SOURCE[0]}")
WANT=$(sha256sum "$SCRIPT" | cut -d' ' -f1)

log() { printf '[build_lxd_image %4ss] %s\n' "$SECONDS" "$*"; }
die() {
  printf 'build_lxd_image: %s\n' "$*" >&2
  exit 1
}

[[ $(id -u) == 0 ]] || die "run as root (debootstrap and chroot need it)"
for tool in debootstrap lxc tar; do
  command -v "$tool" >/dev/null || die "$tool is missing (make apt installs it)"
done

mkdir -p "$CACHE_DIR"
exec 9>"$CACHE_DIR/.build-lxd.lock"
flock 9

build() {
  local work root
  work=$(mktemp -d /var/tmp/vmfleet-lxd-image.XXXXXX)
  root=$work/rootfs
  # shellcheck disable=SC2064  # expand now: the trap must remove this build's directory
  trap "umount '$root/proc' 2>/dev/null || true; rm -rf --one-file-system '$work'" RETURN
  in_root() { LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive chroot "$root" "$@"; }

  log "debootstrap $SUITE (minbase) from $MIRROR"
  debootstrap --variant=minbase "$SUITE" "$root" "$MIRROR" >"$work/debootstrap.log" 2>&1 || {
    tail -n 30 "$work/debootstrap.log" >&2
    die "debootstrap failed"
  }
  mount -t proc proc "$root/proc"
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod 0755 "$root/usr/sbin/policy-rc.d"
  cat >"$root/etc/dpkg/dpkg.cfg.d/vmfleet-slim" <<'CFG'
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
path-include=/usr/share/locale/locale.alias
CFG
  log "installing ${PACKAGES[*]}"
  { in_root apt-get update -q && in_root apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"; } \
    >"$work/apt.log" 2>&1 || {
    tail -n 40 "$work/apt.log" >&2
    die "apt-get in the image failed"
  }
  log "configuring"
  echo debian >"$root/etc/hostname"
  cat >"$root/etc/network/interfaces" <<'CFG'
auto lo
iface lo inet loopback

source /etc/network/interfaces.d/*
CFG
  # eth0 by DHCP unless cloud-init's network-config says otherwise (it writes 50-cloud-init then)
  printf 'auto eth0\niface eth0 inet dhcp\n' >"$root/etc/network/interfaces.d/eth0"
  printf 'datasource_list: [ NoCloud, None ]\n' >"$root/etc/cloud/cloud.cfg.d/90_vmfleet.cfg"
  # minbase has no locales package: cloud-init's locale module would fail on update-locale; C.UTF-8 is built in
  printf 'locale: false\n' >"$root/etc/cloud/cloud.cfg.d/91_vmfleet_locale.cfg"
  : >"$root/etc/resolv.conf"
  : >"$root/etc/machine-id"
  rm -f "$root"/etc/ssh/ssh_host_* "$root/usr/sbin/policy-rc.d"
  in_root apt-get clean
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/log/*.log "$root"/var/log/apt/* "$root/debootstrap"
  umount "$root/proc"

  # LXD renders these at create/copy time from the instance's cloud-init.* keys into the NoCloud seed.
  mkdir -p "$work/templates"
  printf '%s\n' 'instance-id: {{ container.name }}' 'local-hostname: {{ container.name }}' \
    >"$work/templates/meta-data.tpl"
  printf '%s\n' '{{ config_get("cloud-init.user-data", properties.default) }}' >"$work/templates/user-data.tpl"
  printf '%s\n' '{{ config_get("cloud-init.vendor-data", properties.default) }}' >"$work/templates/vendor-data.tpl"
  printf '%s\n' '{{ config_get("cloud-init.network-config", properties.default) }}' \
    >"$work/templates/network-config.tpl"
  cat >"$work/metadata.yaml" <<YAML
architecture: x86_64
creation_date: $(date +%s)
properties:
  description: Debian 12 (bookworm) system container for the vmfleet.hosts tests
  os: debian
  release: bookworm
  variant: cloud
templates:
  /var/lib/cloud/seed/nocloud-net/meta-data:
    when: [create, copy]
    template: meta-data.tpl
  /var/lib/cloud/seed/nocloud-net/user-data:
    when: [create, copy]
    template: user-data.tpl
    properties:
      default: |
        #cloud-config
        {}
  /var/lib/cloud/seed/nocloud-net/vendor-data:
    when: [create, copy]
    template: vendor-data.tpl
    properties:
      default: |
        #cloud-config
        {}
  /var/lib/cloud/seed/nocloud-net/network-config:
    when: [create, copy]
    template: network-config.tpl
    properties:
      default: |
        version: 1
        config:
          - type: physical
            name: eth0
            subnets:
              - type: dhcp
YAML
  log "packing"
  tar -C "$work" --numeric-owner -czf "$work/image.tar.gz" metadata.yaml templates rootfs
  mv -f "$work/image.tar.gz" "$TARBALL"
  echo "$WANT" >"$STAMP"
}

if [[ -s $TARBALL && -r $STAMP && $(cat "$STAMP") == "$WANT" ]]; then
  log "up to date: $TARBALL"
else
  build
fi

FINGERPRINT=$(sha256sum "$TARBALL" | cut -d' ' -f1)
if [[ $(lxc image list "$ALIAS" --format csv -c f 2>/dev/null) != "${FINGERPRINT:0:12}" ]]; then
  lxc image delete "$ALIAS" >/dev/null 2>&1 || true
  lxc image import "$TARBALL" --alias "$ALIAS" >/dev/null
  log "imported $TARBALL as $ALIAS"
fi
log "ready: $ALIAS ($(du -h "$TARBALL" | cut -f1))"
