#!/usr/bin/env bash
# Start the daemons the tests and the demo use, on machines without systemd (and harmlessly with it):
# virtlogd and libvirtd. Idempotent: a running daemon is left alone. Needs root.
set -euo pipefail

wait_for() {  # path, seconds
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    [ -S "$1" ] && return 0
    sleep 0.1
  done
  echo "error: $1 did not appear within $2 s" >&2
  return 1
}

# QEMU backs hugepage VMs with files on hugetlbfs, and libvirtd looks for its mounts only when it starts:
# mount it first, and restart a libvirtd that started without it (running VMs survive a libvirtd restart).
if ! grep -q ' hugetlbfs ' /proc/mounts; then
  mkdir -p /dev/hugepages
  mount -t hugetlbfs hugetlbfs /dev/hugepages
  if pgrep -x libvirtd >/dev/null; then
    pkill -x libvirtd
    for _ in $(seq 1 50); do pgrep -x libvirtd >/dev/null || break; sleep 0.1; done
  fi
fi

here=$(cd "$(dirname "$0")" && pwd)
pgrep -x virtlogd >/dev/null || "$here/without_inherited_fds.sh" virtlogd -d
pgrep -x libvirtd >/dev/null || "$here/without_inherited_fds.sh" libvirtd -d
wait_for /run/libvirt/libvirt-sock 30
# The first connection after start can race the daemon's driver initialisation: wait until it answers.
answered=no
for _ in $(seq 1 50); do
  if virsh -q -c qemu:///system uri >/dev/null 2>&1; then
    answered=yes
    break
  fi
  sleep 0.2
done
if [ "$answered" != yes ]; then
  echo "error: libvirtd does not answer on qemu:///system" >&2
  exit 1
fi
# libvirt's NAT network "default" (Debian defines it) is where the demo's and the tests' VMs get their NICs;
# without systemd nothing autostarts it.
defined=$(virsh -q -c qemu:///system net-list --all --name)
active=$(virsh -q -c qemu:///system net-list --name)
if grep -qx default <<<"$defined" && ! grep -qx default <<<"$active"; then
  virsh -q -c qemu:///system net-start default >/dev/null
fi
