#!/usr/bin/env bash
# Start and initialise the Incus daemon the tests use beside LXD, on machines without systemd (and harmlessly with
# it). Idempotent: a running daemon is left alone, an initialised one is not initialised again. Needs root.
#
# Incus keeps everything apart from LXD: its own socket (/var/lib/incus/unix.socket), a dir storage pool `default`
# under /var/lib/incus, a managed NAT bridge `incusbr0` on 10.84.0.1/24 (LXD has 10.83.0.1/24 on lxdbr0; Incus's
# minimal init cannot pick a free subnet by itself here, so the address is given) and the HTTPS API on
# 127.0.0.1:8444 (LXD has 8443).
set -euo pipefail

HTTPS_ADDRESS=${VMFLEET_INCUS_HTTPS:-127.0.0.1:8444}
BRIDGE_ADDRESS=${VMFLEET_INCUS_BRIDGE:-10.84.0.1/24}
LOG=/var/log/incus-vmfleet.log

# Debian keeps the daemon and its helpers off PATH; its service puts this directory on PATH (/etc/default/incus)
INCUS_LIBEXEC=/usr/libexec/incus
[ -x "$INCUS_LIBEXEC/incusd" ] || {
  echo "error: $INCUS_LIBEXEC/incusd is missing (make apt installs the incus package from bookworm-backports)" >&2
  exit 1
}

if ! incus query /1.0 >/dev/null 2>&1; then
  # setsid: the daemon must outlive the make recipe's process group; none of our descriptors (a lock's) go along
  PATH="$INCUS_LIBEXEC:$PATH" setsid "$(dirname "$0")/without_inherited_fds.sh" "$INCUS_LIBEXEC/incusd" \
    --group root --logfile "$LOG" </dev/null >/dev/null 2>&1 &
  if ! timeout 60 incus admin waitready; then
    echo "error: incusd did not become ready within 60 s; its log ($LOG):" >&2
    tail -n 30 "$LOG" >&2 || true
    exit 1
  fi
fi

if ! incus storage show default >/dev/null 2>&1; then
  incus admin init --preseed <<YAML
config:
  core.https_address: "$HTTPS_ADDRESS"
networks:
- name: incusbr0
  type: bridge
  config:
    ipv4.address: $BRIDGE_ADDRESS
    ipv4.nat: "true"
    ipv6.address: none
storage_pools:
- name: default
  driver: dir
profiles:
- name: default
  devices:
    root:
      path: /
      pool: default
      type: disk
    eth0:
      name: eth0
      network: incusbr0
      type: nic
YAML
fi
# an earlier init may have run without the HTTPS listener
if [ "$(incus config get core.https_address)" != "$HTTPS_ADDRESS" ]; then
  incus config set core.https_address "$HTTPS_ADDRESS"
fi
