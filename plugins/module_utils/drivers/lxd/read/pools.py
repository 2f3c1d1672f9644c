# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``storage_pools[]`` entries from LXD's storage pools, their ``/resources`` and the volumes they hold.

Storage is never overcommitted, so a volume counts at its full size: ``used`` is what the pool's filesystem (or
volume group, dataset ...) uses now plus what its sized volumes may still grow by. A ``dir`` pool cannot tell how
much of a volume is written (LXD answers "Not supported"), so there a sized volume counts at its whole size on
top of the filesystem's use: a little too much, never too little. Volumes without a size (an instance root disk
without ``size`` on a pool without ``volume.size``) only count with what they use now.
"""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.read.errors import LxdDataError, field
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.read.units import size_bytes

# Where each driver keeps the thing the pool lives on, for the record's ``path``.
_SOURCE_KEYS = ("source", "zfs.pool_name", "lvm.vg_name", "btrfs.pool_name", "ceph.osd.pool_name")
INSTANCE_TYPES = {"container": "container", "virtual-machine": "virtual-machine"}


def parse_pool(pool: dict, resources, growth: int = 0) -> dict:
    """``name``, ``type`` (LXD's driver), ``path``, ``total``, ``used``, ``available`` (bytes), ``active``.

    ``resources`` is ``/1.0/storage-pools/<name>/resources`` (None when LXD could not read it: the pool is
    then inactive with 0 everywhere); ``growth`` is what its volumes may still grow by (``volume_growth``).
    """
    name = field(pool, "name", "storage pool", str)
    what = f"storage pool {name!r}"
    config = field(pool, "config", what, dict, default={}, required=False)
    status = field(pool, "status", what, str, default="Created", required=False)
    entry = {
        "name": name,
        "type": field(pool, "driver", what, str),
        "path": next((config[key] for key in _SOURCE_KEYS if config.get(key)), None),
        "total": 0,
        "used": 0,
        "available": 0,
        "active": status == "Created" and resources is not None,
    }
    if not entry["active"]:
        return entry
    space = field(resources, "space", f"{what}: resources", dict)
    total = field(space, "total", f"{what}: resources.space", int)
    used = field(space, "used", f"{what}: resources.space", int, default=0, required=False) + growth
    entry.update(total=total, used=used, available=max(0, total - used))
    return entry


def root_disks(instances: list) -> dict:
    """(project, instance) -> (pool, size in bytes or None) of each instance's root disk (its ``/`` disk)."""
    roots = {}
    for instance in instances:
        name = field(instance, "name", "instance", str)
        what = f"instance {name!r}"
        project = field(instance, "project", what, str, default="default", required=False)
        devices = field(instance, "expanded_devices", what, dict, default={}, required=False)
        for device_name, device in sorted(devices.items()):
            if device.get("type") == "disk" and device.get("path") == "/" and device.get("pool"):
                size = device.get("size")
                where = f"{what}: device {device_name!r} size"
                roots[(project, name)] = (device["pool"], size_bytes(size, where) if size else None)
    return roots


def volume_sizes(pool_name: str, volumes: list, roots: dict) -> list:
    """The pool's volumes that hold instance data, with the size they may grow to.

    Each is ``{project, type, name, size}``; ``size`` is the volume's own ``size`` or, for an instance volume,
    the instance's root disk size; None when neither is set. Image volumes are left out: they do not grow.
    """
    sized = []
    for volume in volumes:
        name = field(volume, "name", f"storage pool {pool_name!r}: volume", str)
        what = f"storage pool {pool_name!r}: volume {name!r}"
        kind = field(volume, "type", what, str)
        if kind not in ("custom",) + tuple(INSTANCE_TYPES):
            continue
        project = field(volume, "project", what, str, default="default", required=False)
        config = field(volume, "config", what, dict, default={}, required=False)
        size = size_bytes(config["size"], f"{what} size") if config.get("size") else None
        if kind in INSTANCE_TYPES:
            root_pool, root_size = roots.get((project, name), (pool_name, None))
            if root_pool == pool_name and root_size is not None:
                size = root_size
        sized.append({"project": project, "type": kind, "name": name, "size": size})
    return sized


def volume_growth(sized: list, usage: dict) -> int:
    """Bytes the sized volumes may still grow by; ``usage`` maps (project, type, name) to bytes written now.

    A volume whose usage LXD does not report (dir pools) counts at its whole size.
    """
    growth = 0
    for volume in sized:
        if volume["size"] is None:
            continue
        used = usage.get((volume["project"], volume["type"], volume["name"]))
        if used is not None and (not isinstance(used, int) or used < 0):
            raise LxdDataError(f"volume {volume['name']!r}: usage {used!r} is not a size in bytes")
        growth += max(0, volume["size"] - (used or 0))
    return growth
