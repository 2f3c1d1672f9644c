"""The integration lock of the development machine, for the benches that touch the daemons.

On the machine where this collection is developed, every job that uses the shared libvirtd, LXD and Incus (the
integration tests, helpers' runs) holds ``/work/integration.lock`` with flock(1); a bench takes the same lock
itself (so it must never be run under flock: it would wait on itself). Where the file does not exist, nothing is
locked.
"""

from __future__ import annotations

import fcntl
from pathlib import Path

LOCK = "/work/integration.lock" if Path("/work/integration.lock").exists() else None


class Locked:
    """The integration lock (flock(2), as flock(1) takes it) for what touches the daemons."""

    def __enter__(self):
        self.handle = open(LOCK) if LOCK else None  # noqa: SIM115 - held until __exit__
        if self.handle:
            fcntl.flock(self.handle, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        if self.handle:
            self.handle.close()
