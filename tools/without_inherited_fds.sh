#!/usr/bin/env bash
# Run a command without the descriptors its caller had open beyond stdin, stdout and stderr. A daemon started
# from a test run must not keep them: a lock held around the run (flock on a file) would stay held for as long as
# the daemon lives, and every later run would wait for it forever.
for fd in /proc/$$/fd/*; do
  fd=${fd##*/}
  # 255 is bash's own handle on this script (closed by the exec below)
  if [ "$fd" -gt 2 ] && [ "$fd" != 255 ]; then
    eval "exec $fd>&-"
  fi
done
exec "$@"
