# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The VM host policy as stored on the host (JSON in the vmfleet pool's ``policy.json`` volume)."""

from __future__ import annotations

import json

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt import meta_pool

POLICY_VOLUME = "policy.json"
FORMAT_VERSION = 1


def read_policy(conn):
    """The stored policy dict, or None when the host is not a VM host."""
    pool = meta_pool.find(conn)
    if pool is None:
        return None
    data = meta_pool.read(conn, pool, POLICY_VOLUME)
    if not data:
        return None
    try:
        stored = json.loads(data.decode("utf-8"))
    except ValueError as error:
        raise DriverError(
            "hypervisor", f"the stored policy ({meta_pool.META_POOL}/{POLICY_VOLUME}) is not JSON: {error}"
        ) from None
    if stored.get("format") != FORMAT_VERSION:
        raise DriverError(
            "hypervisor",
            f"the stored policy has format {stored.get('format')!r}; this collection reads format {FORMAT_VERSION}",
        )
    return stored["policy"]


def write_policy(conn, policy: dict, path: str = meta_pool.DEFAULT_META_PATH) -> None:
    pool = meta_pool.ensure(conn, path)
    data = json.dumps({"format": FORMAT_VERSION, "policy": policy}, sort_keys=True, indent=1).encode("utf-8")
    meta_pool.write(conn, pool, POLICY_VOLUME, data)
