# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What ``vm_compose`` does with a VM that drifted (drift.py): refuse it, or repair what can be repaired.

A drifted VM is never reported unchanged: without ``repair_drift`` the task fails with kind ``drift`` naming what
drifted, before anything is touched. With it, missing empty data volumes are recreated (the stored size, the
pool's format, the same pool; on LXD attached again as the same device) and nothing else is changed by the repair;
drift it cannot repair (a boot volume, the seed, a volume detached or shrunk, a network or core gone) is still
refused, with the reason, and nothing is made. Runs under the host's compose lock, on the inventory just read.
"""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils import drift
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError


def _room(inventory, todo: list) -> None:
    """Rule 6 holds for a repair too: the pool, which still counts the missing volume, must hold it."""
    pools = {p["name"]: p for p in inventory.record["storage_pools"]}
    for repair in todo:
        pool = pools[repair["pool"]]
        if pool["used"] > pool["total"]:
            raise DriverError(
                "drift",
                f"cannot recreate volume {repair['pool']}/{repair['volume']} ({repair['size']} bytes): storage pool "
                f"{pool['name']!r} would use {pool['used']} of its {pool['total']} bytes with it (something else "
                f"took the room it left); storage is never overcommitted, so nothing was changed: free space in the "
                f"pool and run again",
            )


def settle(driver, inventory, name: str, repair_asked: bool, check_mode: bool, validate=None) -> dict:
    """Refuse VM ``name`` if it drifted (DriverError kind ``drift``), or repair it when asked.

    ``validate()`` judges the rest of the task without changing anything (vm_compose's update in check mode): a
    change it refuses is refused before the repair makes anything. Returns ``{"repaired": ["pool/volume", ...],
    "restart_required": bool}`` (empty when there was no drift; in check mode what would be repaired, with
    nothing made).
    """
    findings = inventory.domains[name].get("drift") or []
    message = drift.refusal(name, findings, repair_asked)
    if message is not None:
        raise DriverError("drift", message)
    todo = drift.repairs(findings)
    _room(inventory, todo)
    restart = False
    if todo and not check_mode:
        if validate is not None:
            validate()
        for repair in todo:
            restart = driver.repair_volume(inventory, name, repair) or restart
    return {"repaired": [f"{r['pool']}/{r['volume']}" for r in todo], "restart_required": restart}


def report(result: dict, settled: dict) -> dict:
    """The compose result with the repair in it: changed, what was repaired, and no drift left on the VM."""
    if not settled["repaired"]:
        return result
    result["changed"] = True
    result["repaired"] = settled["repaired"]
    result["restart_required"] = result["restart_required"] or settled["restart_required"]
    result["vm"]["drift"] = []
    if not result.get("diff"):
        result["diff"] = {"before": {"missing_volumes": settled["repaired"]}, "after": {"missing_volumes": []}}
    return result
