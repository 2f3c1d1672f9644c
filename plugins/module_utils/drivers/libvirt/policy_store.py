# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The VM host policy as stored on the host (JSON in the vmfleet pool's ``policy.json`` volume)."""

from __future__ import annotations

import contextlib

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers import stored_policy
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt import meta_pool
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.connection import libvirt

POLICY_VOLUME = "policy.json"
FORMAT_VERSION = stored_policy.FORMAT_VERSION


def where(conn) -> stored_policy.Where:
    uri = "the host"
    with contextlib.suppress(libvirt.libvirtError):
        uri = conn.getURI()
    return stored_policy.Where(
        f"volume {POLICY_VOLUME} of storage pool {meta_pool.META_POOL!r} on {uri}",
        f"virsh -c {uri} vol-download --pool {meta_pool.META_POOL} {POLICY_VOLUME} /dev/stdout | tr -d '\\0'",
    )


def read_text(conn):
    """The stored policy's text as it is (NUL padding stripped), or None when there is none."""
    pool = meta_pool.find(conn)
    if pool is None:
        return None
    data = meta_pool.read(conn, pool, POLICY_VOLUME)
    return data.decode("utf-8", "replace") if data else None


def read_policy(conn):
    """The stored policy dict, or None when the host is not a VM host; a corrupt one is a DriverError."""
    return stored_policy.decode(read_text(conn), where(conn))


def write_policy(conn, policy: dict, path: str = meta_pool.DEFAULT_META_PATH) -> None:
    pool = meta_pool.ensure(conn, path)
    data = stored_policy.encode(policy, indent=1).encode("utf-8")
    meta_pool.write(conn, pool, POLICY_VOLUME, data)
