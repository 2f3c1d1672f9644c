# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Removing an instance: stop it, delete it (its root disk goes with it) and delete the custom volumes it owns.

Only volumes listed in the instance's own ``user.vmfleet.volumes`` are deleted, never a volume it merely has
attached, so removing an instance that uses a shared or pre-existing volume leaves that volume alone.
"""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError

try:
    from pylxd.exceptions import LXDAPIException
except ImportError:  # the driver reports the missing binding when it connects

    class LXDAPIException(Exception):
        response = None


def _missing(error) -> bool:
    response = getattr(error, "response", None)
    return getattr(response, "status_code", None) == 404


def _wait(client, response, what):
    # imported here: compose imports this module for its rollback
    from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.compose import wait

    wait(client, response, what)


def delete_volume(client, pool: str, name: str) -> bool:
    """Delete one custom volume; False when it was already gone."""
    try:
        response = client.api["storage-pools"][pool].volumes.custom[name].delete()
    except LXDAPIException as error:
        if _missing(error):
            return False
        raise DriverError("hypervisor", f"cannot delete volume {pool}/{name}: {error}") from None
    _wait(client, response, f"delete volume {pool}/{name}")
    return True


def remove_instance(client, name: str, volumes: list) -> list:
    """Stop and delete instance ``name`` if it exists, then delete ``volumes``; returns the volumes deleted.

    Entries marked ``root`` stand for the instance's root disk, which LXD deletes with the instance.
    """
    try:
        current = client.api.instances[name].get().json()["metadata"]
    except LXDAPIException as error:
        if not _missing(error):
            raise DriverError("hypervisor", f"cannot look up instance {name!r}: {error}") from None
        current = None
    removed = []
    if current is not None:
        try:
            if (current.get("status") or "").lower() != "stopped":
                response = client.api.instances[name].state.put(json={"action": "stop", "force": True, "timeout": -1})
                _wait(client, response, f"stop instance {name!r}")
            _wait(client, client.api.instances[name].delete(), f"delete instance {name!r}")
        except LXDAPIException as error:
            raise DriverError("hypervisor", f"cannot remove instance {name!r}: {error}") from None
        removed += [f"{v['pool']}/{v['name']}" for v in volumes if v.get("root")]
    for vol in volumes:
        if not vol.get("root") and delete_volume(client, vol["pool"], vol["name"]):
            removed.append(f"{vol['pool']}/{vol['name']}")
    return removed
