# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which storage pool holds each disk (rule 6).

Choice order: the disk's explicit pool, then the first pool a tag names that has room (MAAS's ``root:20(ssd)``)
or pools carrying all the disk's tags (the roomiest), then the host's default pool, then the pool with the most
room. A tag that names no pool and that no pool carries is refused (MAAS fell back to the default pool): a disk
never lands on a pool it did not ask for. Storage is not overcommitted: disks of one request are counted together
against each pool's free space.
"""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.errors import CapacityError
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.units import format_bytes

STAGE_STORAGE = 6


def _fail(state, message, free=None, requested=None):
    raise CapacityError(state.name, "storage", message, free=free, requested=requested, stage=STAGE_STORAGE)


def _choose(state, disk, free):
    pools = state.pools
    if disk["pool"]:
        if disk["pool"] not in pools:
            _fail(
                state,
                f"storage pool {disk['pool']!r} for disk {disk['name']!r} does not exist (pools: {_names(state)}).",
            )
        return pools[disk["pool"]]
    if disk["tags"]:
        named = [pools[tag] for tag in disk["tags"] if tag in pools]
        if named:
            # as MAAS: the first named pool (in the disk's tag order) with room; the first one's error otherwise
            return next((p for p in named if disk["size"] <= free[p.name]), named[0])
        tagged = [p for p in pools.values() if set(disk["tags"]) <= set(p.tags)]
        if not tagged:
            _fail(
                state,
                f"no storage pool is named or tagged {', '.join(disk['tags'])} for disk {disk['name']!r} "
                f"(pools: {_names(state)}); MAAS put such a disk in the default pool, here a tag is a requirement: "
                "drop the tag to use the default pool.",
            )
        return max(tagged, key=lambda p: (free[p.name], _neg(p.name)))
    default = state.default_pool()
    if default is not None:
        return default
    if not pools:
        _fail(state, f"the host has no storage pools for disk {disk['name']!r}.")
    return max(pools.values(), key=lambda p: (free[p.name], _neg(p.name)))


def _neg(name):
    # ties go to the alphabetically first pool, deterministically
    return [-ord(ch) for ch in name]


def _names(state):
    return ", ".join(state.pools) or "none"


def choose_pools(state, disks: list) -> list:
    free = {name: pool.free for name, pool in state.pools.items()}
    placed = []
    for disk in disks:
        pool = _choose(state, disk, free)
        if disk["size"] > free[pool.name]:
            _fail(
                state,
                f"storage pool {pool.name!r} has {format_bytes(max(free[pool.name], 0))} available; "
                f"disk {disk['name']!r} needs {format_bytes(disk['size'])} (storage is not overcommitted).",
                free=free[pool.name],
                requested=disk["size"],
            )
        free[pool.name] -= disk["size"]
        placed.append({"name": disk["name"], "pool": pool.name, "size": disk["size"]})
    return placed
