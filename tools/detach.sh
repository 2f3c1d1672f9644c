#!/usr/bin/env bash
# Runs a daemon (its command line: our arguments) in a session of its own, with /dev/null on 0-2 and no other
# file descriptor of its caller. Why: `flock /work/integration.lock make daemons` hands the lock's descriptor to
# every child, and a daemon that keeps it open holds the lock for as long as it runs, so that every later
# `flock` waits for good. Used by tools/daemons.sh, lxd_daemon.sh and incus_daemon.sh.
set -euo pipefail

for fd in /proc/"$$"/fd/*; do
  fd=${fd##*/}
  if [ "$fd" -gt 2 ]; then eval "exec $fd>&-"; fi
done
exec setsid "$@" </dev/null >/dev/null 2>&1
