# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A ``storage_pools[]`` entry from a pool's XML, ``pool.info()`` and its volumes.

Storage is never overcommitted, so a thin volume counts at its full capacity: a pool whose sparse images could
all grow is full even while the filesystem still shows free space. The figures come from ``info()`` rather than
the XML because the XML of an inactive pool keeps the last figures seen, which may be stale; discovery refreshes
an active pool just before, so ``info()`` is what its storage has now.
"""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.errors import LibvirtXmlError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.xmlutil import parse_root, text_of

# virStoragePoolState: 0 inactive, 1 building, 2 running, 3 degraded, 4 inaccessible. A degraded pool still
# serves its volumes; a building or inaccessible one cannot take a new disk.
_USABLE_STATES = (2, 3)


def parse_pool(xml: str, info: list, volumes: list) -> dict:
    """``name``, ``type``, ``path``, ``total``, ``used``, ``available`` (bytes) and ``active`` of one pool.

    ``info`` is ``pool.info()``: ``[state, capacity, allocation, available]`` in bytes; ``volumes`` lists
    ``(name, path, capacity, allocation)`` of the pool's volumes. ``used`` is the pool's allocation plus what its
    thin volumes may still grow by; ``available`` is what ``info()`` reports, capped by ``total - used``.
    An inactive pool has 0 everywhere and ``active: False``: its volumes are out of reach until it starts.
    """
    root = parse_root(xml, "storage pool", "pool")
    name = text_of(root, "name")
    if name is None:
        raise LibvirtXmlError("storage pool: <pool> has no <name>")
    what = f"storage pool {name!r}"
    state, capacity, allocation, reported = _info(info, what)
    active = state in _USABLE_STATES
    entry = {
        "name": name,
        "type": root.get("type"),
        # A directory for dir/fs/netfs pools, the VG device directory for logical ones; the source name (VG,
        # zpool, RBD pool) when the pool has no target path.
        "path": text_of(root, "target/path") or text_of(root, "source/name"),
        "total": 0,
        "used": 0,
        "available": 0,
        "active": active,
    }
    if not active:
        return entry
    growth = sum(max(0, vol_capacity - vol_allocation) for vol_capacity, vol_allocation in _volumes(volumes, what))
    used = allocation + growth
    entry.update(total=capacity, used=used, available=max(0, min(reported, capacity - used)))
    return entry


def _figure(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise LibvirtXmlError(f"{what}: {value!r} is not a size in bytes")
    return value


def _info(info: list, what: str) -> tuple:
    if not isinstance(info, (list, tuple)) or len(info) != 4:
        raise LibvirtXmlError(f"{what}: pool info {info!r} is not [state, capacity, allocation, available]")
    names = ("state", "capacity", "allocation", "available")
    return tuple(_figure(value, f"{what}: pool info {label}") for label, value in zip(names, info))


def _volumes(volumes: list, what: str) -> list:
    sizes = []
    for volume in volumes or ():
        if not isinstance(volume, (list, tuple)) or len(volume) != 4:
            raise LibvirtXmlError(f"{what}: volume {volume!r} is not (name, path, capacity, allocation)")
        where = f"{what}: volume {volume[0]!r}"
        sizes.append((_figure(volume[2], f"{where} capacity"), _figure(volume[3], f"{where} allocation")))
    return sizes
