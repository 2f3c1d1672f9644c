# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The host's compose lock on libvirt: one job at a time between reading capacity and defining its VM.

The lock is a volume in the host's vmfleet pool: libvirtd creates a volume name at most once, over qemu+ssh too,
so creating it is the atomic acquire and deleting it the release (the protocol is drivers/lease_lock.py). Jobs
hold it for seconds (volume creation and a domain definition), not while VMs boot.
"""

from __future__ import annotations

import json

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lease_lock import (
    DEFAULT_LEASE,
    DEFAULT_TIMEOUT,
    LeaseLock,
)
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt import meta_pool

LOCK_VOLUME = "compose.lock"


class HostLock(LeaseLock):
    def __init__(self, conn, pool, owner: str, timeout: float = DEFAULT_TIMEOUT, lease: float = DEFAULT_LEASE):
        super().__init__("this host", owner, timeout=timeout, lease=lease)
        self.conn = conn
        self.pool = pool

    def _create(self, content: dict) -> bool:
        vol = meta_pool.create(self.conn, self.pool, LOCK_VOLUME)
        if vol is None:
            return False
        meta_pool.upload(self.conn, vol, LOCK_VOLUME, json.dumps(content).encode("utf-8"))
        return True

    def _holder(self):
        data = meta_pool.read(self.conn, self.pool, LOCK_VOLUME)
        if data is None:
            return None
        try:
            return json.loads(data.decode("utf-8"))
        except ValueError:
            return {}  # created but not written yet: its holder is alive and about to write it

    def _delete(self) -> None:
        meta_pool.delete(self.pool, LOCK_VOLUME)
