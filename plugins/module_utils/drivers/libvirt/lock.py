# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The host's compose lock: one job at a time between reading capacity and defining its VM.

Capacity rule 9 (several jobs on one host never push it past its policy) needs the read-fit-define step to be
exclusive per host, from any controller, over qemu+ssh too. The lock is a volume in the host's vmfleet pool:
libvirtd creates a volume name at most once, so creating it is the atomic acquire and deleting it the release.
Its content says who holds it and until when; a holder that died leaves a lock that others break once its lease
has run out. Jobs hold it for seconds (volume creation and a domain definition), not while VMs boot.
"""

from __future__ import annotations

import json
import os
import random
import socket
import time
import uuid

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt import meta_pool

LOCK_VOLUME = "compose.lock"
DEFAULT_TIMEOUT = 300  # seconds a job waits for the lock
DEFAULT_LEASE = 600  # seconds after which a lock whose holder never released it may be broken


class HostLock:
    def __init__(self, conn, pool, owner: str, timeout: float = DEFAULT_TIMEOUT, lease: float = DEFAULT_LEASE):
        self.conn = conn
        self.pool = pool
        self.timeout = timeout
        self.lease = lease
        self.token = uuid.uuid4().hex
        self.owner = f"{owner} (pid {os.getpid()} on {socket.gethostname()})"
        self.held = False

    def _holder(self):
        data = meta_pool.read(self.conn, self.pool, LOCK_VOLUME)
        if data is None:
            return None
        try:
            return json.loads(data.decode("utf-8"))
        except ValueError:
            return {}  # created but not written yet: its holder is alive and about to write it

    def acquire(self) -> None:
        deadline = time.monotonic() + self.timeout
        unreadable_since = None
        while True:
            vol = meta_pool.create(self.conn, self.pool, LOCK_VOLUME)
            if vol is not None:
                content = {"token": self.token, "owner": self.owner, "expires": time.time() + self.lease}
                meta_pool.upload(self.conn, vol, LOCK_VOLUME, json.dumps(content).encode("utf-8"))
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
                meta_pool.delete(self.pool, LOCK_VOLUME)  # the holder died: its lease ran out
                continue
            if time.monotonic() > deadline:
                who = (holder or {}).get("owner", "an unknown job")
                raise DriverError(
                    "lock_timeout",
                    f"waited {self.timeout:g} s for the compose lock of this host, held by {who}; if that job "
                    f"died, the lock is broken automatically {self.lease:g} s after it was taken",
                )
            time.sleep(random.uniform(0.1, 0.5))  # jitter, so waiting jobs do not retry in step

    def release(self) -> None:
        if not self.held:
            return
        holder = self._holder()
        if holder and holder.get("token") == self.token:
            meta_pool.delete(self.pool, LOCK_VOLUME)
        self.held = False

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc_info):
        self.release()
        return False
