# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Repairing drift on LXD: recreate a missing empty custom volume of an instance and attach it again.

LXD deletes a custom volume only once no instance has it as a device, so a missing volume comes with its device
gone: both are put back as vm_compose made them (the stored size, block for a VM and a filesystem for a container,
the same pool and name, the device named after the disk, mounted at ``/mnt/<disk>`` in a container). A volume
that exists is never overwritten, and a device name taken meanwhile is refused before anything is made; if the
attach fails, the volume just made is deleted again.
"""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.compose import instance, volume_exists, wait
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.removal import LXDAPIException, delete_volume


def _call(what: str, call, **kwargs):
    try:
        return call(**kwargs)
    except LXDAPIException as error:
        raise DriverError("hypervisor", f"cannot {what}: {error}") from None


def recreate_volume(client, inventory, name: str, repair: dict) -> bool:
    """Create the missing volume ``repair`` names and attach it; True when the instance only sees it restarted."""
    pool, volume, disk = repair["pool"], repair["volume"], repair["disk"]
    where = f"{pool}/{volume}"
    kind = inventory.domains[name]["instance_type"]
    current = instance(client, name)
    devices = dict(current.get("devices") or {})
    if repair["attach"] and disk in devices:
        raise DriverError(
            "drift",
            f"instance {name!r} has another device named {disk!r} now; volume {where} was not recreated (rename or "
            f"remove that device, or remove the instance)",
        )
    if volume_exists(client, pool, volume):
        raise DriverError(
            "drift",
            f"volume {where} of instance {name!r} exists again (made meanwhile by someone else); not overwritten",
        )
    body = {
        "name": volume,
        "type": "custom",
        "content_type": "block" if kind == "virtual-machine" else "filesystem",
        "config": {"size": f"{repair['size']}B"},
    }
    pools = client.api["storage-pools"]
    wait(client, _call(f"recreate volume {where}", pools[pool].volumes.custom.post, json=body), f"recreate {where}")
    if not repair["attach"]:
        return False
    device = {"type": "disk", "pool": pool, "source": volume}
    if kind == "container":
        device["path"] = f"/mnt/{disk}"
    devices[disk] = device
    what = f"attach volume {where} to instance {name!r} again"
    try:
        wait(client, _call(what, client.api.instances[name].patch, json={"devices": devices}), what)
    except DriverError:
        delete_volume(client, pool, volume)  # not left half-made: the next run finds the same drift
        raise
    # a running container mounts it at once; a running VM gets a new disk at its next start
    return kind == "virtual-machine" and (current.get("status") or "").lower() != "stopped"
