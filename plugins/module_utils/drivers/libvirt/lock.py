# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The host's compose lock on libvirt: one job at a time between reading capacity and defining its VM.

The lock is a volume in the host's vmfleet pool: libvirtd creates a volume name at most once, over qemu+ssh too,
so creating it is the atomic acquire and deleting it the release (the protocol is drivers/lease_lock.py; its
breakers are volumes ``compose.lock-break-<token>`` of the same pool). Jobs hold it for seconds (volume creation
and a domain definition), not while VMs boot.
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
    name = LOCK_VOLUME

    def __init__(self, driver, pool, owner: str, timeout: float = DEFAULT_TIMEOUT, lease: float = DEFAULT_LEASE):
        super().__init__("this host", owner, timeout=timeout, lease=lease)
        self.driver = driver
        self._pool = (driver.conn, pool)

    # The driver's connection, not a copy: after libvirtd went away mid-compose the driver opens a new one, and the
    # lock must be released (and the compose record deleted) through it.
    @property
    def conn(self):
        return self.driver.conn

    @property
    def pool(self):
        conn, pool = self._pool
        if conn is not self.driver.conn:
            self._pool = (self.driver.conn, meta_pool.find(self.driver.conn))
        return self._pool[1]

    def _create(self, name: str, content) -> bool:
        vol = meta_pool.create(self.conn, self.pool, name)
        if vol is None:
            return False
        if content is not None:
            meta_pool.upload(self.conn, vol, name, json.dumps(content).encode("utf-8"))
        return True

    def _read(self, name: str):
        data = meta_pool.read(self.conn, self.pool, name)
        if data is None:
            return None
        try:
            found = json.loads(data.decode("utf-8"))
        except ValueError:
            return {}  # created but not written yet: its holder is alive and about to write it
        return found if isinstance(found, dict) else {}

    def _delete(self, name: str) -> None:
        meta_pool.delete(self.pool, name)

    def _names(self, prefix: str) -> list:
        return [name for name in meta_pool.names(self.pool) if name.startswith(prefix)]

    def describe(self, name: str) -> str:
        return f"{name!r} (virsh vol-delete {name} --pool {meta_pool.META_POOL})"
