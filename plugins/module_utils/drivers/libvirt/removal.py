# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Removing a VM: stop it, delete the volumes it owns, then undefine it (with its NVRAM and snapshot metadata).

Only volumes listed in the VM's own vmfleet metadata are deleted, never a disk the VM merely uses, so removing a
VM that was attached to a shared or pre-existing volume leaves that volume alone.

The definition goes last because it is the record of what the VM owns: when a volume cannot be deleted, the
domain is still there (stopped) with its metadata, so the error names the volume and the next ``state: absent``
finds the VM, deletes what is left and undefines it. Undefining first would leave the volume an orphan that
nothing lists any more.
"""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.connection import error_code, libvirt
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.unfinished_removal import unfinished


def _undefine_flags():
    flags = 0
    wanted = ("NVRAM", "MANAGED_SAVE", "SNAPSHOTS_METADATA")  # leave nothing of the domain behind
    for name in (f"VIR_DOMAIN_UNDEFINE_{flag}" for flag in wanted):
        flags |= getattr(libvirt, name, 0)
    return flags


def delete_volume(conn, pool_name: str, volume_name: str) -> bool:
    """Delete one volume; False when it was already gone."""
    try:
        conn.storagePoolLookupByName(pool_name).storageVolLookupByName(volume_name).delete(0)
    except libvirt.libvirtError as error:
        if error_code(error) in (libvirt.VIR_ERR_NO_STORAGE_VOL, libvirt.VIR_ERR_NO_STORAGE_POOL):
            return False
        raise DriverError(
            "hypervisor", f"cannot delete volume {pool_name}/{volume_name}: {error.get_error_message()}"
        ) from None
    return True


def remove_domain(conn, name: str, volumes: list) -> list:
    """Stop domain ``name`` if it exists, delete ``volumes``, then undefine it; returns the volumes deleted."""
    try:
        dom = conn.lookupByName(name)
    except libvirt.libvirtError as error:
        if error_code(error) != libvirt.VIR_ERR_NO_DOMAIN:
            raise DriverError("hypervisor", f"cannot look up VM {name!r}: {error.get_error_message()}") from None
        dom = None
    if dom is not None:
        try:
            if dom.isActive():
                dom.destroy()  # QEMU lets go of its disks before they are deleted
        except libvirt.libvirtError as error:
            raise DriverError("hypervisor", f"cannot stop VM {name!r}: {error.get_error_message()}") from None
    removed = []
    for index, vol in enumerate(volumes):
        try:
            if delete_volume(conn, vol["pool"], vol["name"]):
                removed.append(f"{vol['pool']}/{vol['name']}")
        except DriverError as error:
            raise DriverError(error.kind, unfinished(error.message, name, dom is not None, volumes[index:])) from None
    if dom is not None:
        try:
            dom.undefineFlags(_undefine_flags())
        except libvirt.libvirtError as error:
            if error_code(error) != libvirt.VIR_ERR_NO_DOMAIN:  # undefined by another job meanwhile
                raise DriverError("hypervisor", f"cannot remove VM {name!r}: {error.get_error_message()}") from None
    return removed
