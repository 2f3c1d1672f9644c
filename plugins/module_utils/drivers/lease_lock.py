# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The compose lock's protocol, shared by the drivers: atomic create, lease, break when expired, token release.

Capacity rule 9 needs the read-fit-create step of vm_compose to be exclusive per VM host, from any controller.
Each driver has one thing its hypervisor creates at most once under a name (a libvirt volume, an LXD profile):
creating it is the acquire, deleting it the release. Its content says who holds it, with a random token, and
until when; a holder that died leaves a lock that others break once its lease has run out. A driver supplies
only how to create, read and delete that thing.
"""

from __future__ import annotations

import os
import random
import socket
import time
import uuid

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError

DEFAULT_TIMEOUT = 300  # seconds a job waits for the lock
DEFAULT_LEASE = 600  # seconds after which a lock whose holder never released it may be broken


class LeaseLock:
    """Subclasses implement ``_create(content) -> bool`` (False: it exists), ``_holder()`` and ``_delete()``.

    ``_holder()`` returns None when the lock is free and {} when its content cannot be read (being written).
    """

    def __init__(self, where: str, owner: str, timeout: float = DEFAULT_TIMEOUT, lease: float = DEFAULT_LEASE):
        self.where = where  # named in the timeout message: "this host", "project 'vms'"
        self.timeout = timeout
        self.lease = lease
        self.token = uuid.uuid4().hex
        self.owner = f"{owner} (pid {os.getpid()} on {socket.gethostname()})"
        self.held = False

    def _create(self, content: dict) -> bool:
        raise NotImplementedError

    def _holder(self):
        raise NotImplementedError

    def _delete(self) -> None:
        raise NotImplementedError

    def acquire(self) -> None:
        deadline = time.monotonic() + self.timeout
        unreadable_since = None
        while True:
            if self._create({"token": self.token, "owner": self.owner, "expires": time.time() + self.lease}):
                self.held = True
                return
            holder = self._holder()
            if holder == {}:
                unreadable_since = unreadable_since or time.monotonic()
                expired = time.monotonic() - unreadable_since > self.lease
            else:
                unreadable_since = None
                expired = holder is not None and holder.get("expires", 0) < time.time()
            if expired and holder is not None and self._holder() == holder:
                self._delete()  # the holder died: its lease ran out
                continue
            if time.monotonic() > deadline:
                who = (holder or {}).get("owner", "an unknown job")
                raise DriverError(
                    "lock_timeout",
                    f"waited {self.timeout:g} s for the compose lock of {self.where}, held by {who}; if that job "
                    f"died, the lock is broken automatically {self.lease:g} s after it was taken",
                )
            time.sleep(random.uniform(0.1, 0.5))  # jitter, so waiting jobs do not retry in step

    def release(self) -> None:
        if not self.held:
            return
        holder = self._holder()
        if holder and holder.get("token") == self.token:
            self._delete()
        self.held = False

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc_info):
        self.release()
        return False
