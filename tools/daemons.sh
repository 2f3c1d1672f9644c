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

pgrep -x virtlogd >/dev/null || virtlogd -d
pgrep -x libvirtd >/dev/null || libvirtd -d
wait_for /run/libvirt/libvirt-sock 30
# The first connection after start can race the daemon's driver initialisation: wait until it answers.
for i in $(seq 1 50); do
  virsh -q -c qemu:///system uri >/dev/null 2>&1 && exit 0
  sleep 0.2
done
echo "error: libvirtd does not answer on qemu:///system" >&2
exit 1
