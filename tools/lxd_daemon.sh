#!/usr/bin/env bash
# Start and initialise the LXD daemon the tests and the demo use, on machines without systemd (and harmlessly
# with it). Idempotent: a running daemon is left alone, an initialised one is not initialised again. Needs root.
#
# The preseed gives what a fresh `lxd init` on a VM host would: a dir storage pool `default`, a managed NAT
# bridge `lxdbr0` (IPv4 only: the sandbox has no IPv6 route), and the HTTPS API on loopback so the tests reach
# the same daemon both over its unix socket and over https://127.0.0.1:8443.
set -euo pipefail

HTTPS_ADDRESS=${VMFLEET_LXD_HTTPS:-127.0.0.1:8443}
LOG=/var/log/lxd-vmfleet.log

command -v lxd >/dev/null || {
  echo "error: lxd is missing (make apt installs the lxd package)" >&2
  exit 1
}

if ! lxc query /1.0 >/dev/null 2>&1; then
  # setsid: the daemon must outlive the make recipe's process group
  setsid "$(dirname "$0")/without_inherited_fds.sh" lxd --group root --logfile "$LOG" </dev/null >/dev/null 2>&1 &
  if ! timeout 60 lxd waitready; then
    echo "error: lxd did not become ready within 60 s; its log ($LOG):" >&2
    tail -n 30 "$LOG" >&2 || true
    exit 1
  fi
fi

if ! lxc storage show default >/dev/null 2>&1; then
  lxd init --preseed <<YAML
config:
  core.https_address: "$HTTPS_ADDRESS"
networks:
- name: lxdbr0
  type: bridge
  config:
    ipv4.address: 10.83.0.1/24
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
      network: lxdbr0
      type: nic
YAML
fi
# an earlier init may have run without the HTTPS listener
if [ "$(lxc config get core.https_address)" != "$HTTPS_ADDRESS" ]; then
  lxc config set core.https_address "$HTTPS_ADDRESS"
fi
