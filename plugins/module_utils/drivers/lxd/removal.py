# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Removing an instance: stop it, detach and delete the custom volumes it owns, then delete it (and its root disk).

Only volumes listed in the instance's own ``user.vmfleet.volumes`` are deleted, never a volume it merely has
attached, so removing an instance that uses a shared or pre-existing volume leaves that volume alone.

The instance goes last because its ``user.vmfleet.volumes`` is the record of what it owns: when a volume cannot
be deleted the instance is still there (stopped, without that disk device) and the next ``state: absent`` finds
it, deletes what is left and then the instance. LXD refuses to delete a custom volume an instance still has as a
device, so the owned volumes are detached first.
"""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.unfinished_removal import unfinished

try:
    from pylxd.exceptions import LXDAPIException
except ImportError:  # the driver reports the missing binding when it connects

    class LXDAPIException(Exception):
        response = None


# A request to LXD raises LXDAPIException for the API's refusal and OSError when the connection fails (requests'
# errors are OSErrors), as when the daemon restarts under a job: both are caught, so both become DriverErrors.


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
    except (LXDAPIException, OSError) as error:
        if _missing(error):
            return False
        raise DriverError("hypervisor", f"cannot delete volume {pool}/{name}: {error}") from None
    _wait(client, response, f"delete volume {pool}/{name}")
    return True


# what PUT /1.0/instances/<name> takes back (the rest of a GET is read-only)
_WRITABLE = ("architecture", "config", "devices", "ephemeral", "profiles", "stateful", "description")


def detached(current: dict, volumes: list):
    """The instance's PUT body without the disk devices of the custom volumes it owns; None when none is left."""
    owned = {(v["pool"], v["name"]) for v in volumes if not v.get("root")}
    devices = current.get("devices") or {}
    keep = {
        name: device
        for name, device in devices.items()
        if not (device.get("type") == "disk" and (device.get("pool"), device.get("source")) in owned)
    }
    if len(keep) == len(devices):
        return None
    body = {key: current[key] for key in _WRITABLE if key in current}
    body["devices"] = keep
    return body


def remove_instance(client, name: str, volumes: list) -> list:
    """Stop instance ``name`` if it exists, detach and delete ``volumes``, then delete it; returns what went.

    Entries marked ``root`` stand for the instance's root disk, which LXD deletes with the instance.
    """
    try:
        current = client.api.instances[name].get().json()["metadata"]
    except (LXDAPIException, OSError) as error:
        if not _missing(error):
            raise DriverError("hypervisor", f"cannot look up instance {name!r}: {error}") from None
        current = None
    if current is not None:
        try:
            if (current.get("status") or "").lower() != "stopped":
                response = client.api.instances[name].state.put(json={"action": "stop", "force": True, "timeout": -1})
                _wait(client, response, f"stop instance {name!r}")
            body = detached(current, volumes)
            if body is not None:
                _wait(client, client.api.instances[name].put(json=body), f"detach the volumes of instance {name!r}")
        except (LXDAPIException, OSError) as error:
            raise DriverError("hypervisor", f"cannot remove instance {name!r}: {error}") from None
    removed = []
    custom = [vol for vol in volumes if not vol.get("root")]
    for index, vol in enumerate(custom):
        try:
            if delete_volume(client, vol["pool"], vol["name"]):
                removed.append(f"{vol['pool']}/{vol['name']}")
        except DriverError as error:
            raise DriverError(
                error.kind, unfinished(error.message, name, current is not None, custom[index:])
            ) from None
    if current is not None:
        try:
            _wait(client, client.api.instances[name].delete(), f"delete instance {name!r}")
        except (LXDAPIException, OSError) as error:
            if not _missing(error):
                raise DriverError("hypervisor", f"cannot remove instance {name!r}: {error}") from None
        removed = [f"{v['pool']}/{v['name']}" for v in volumes if v.get("root")] + removed
    return removed
