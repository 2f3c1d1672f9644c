# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Repairing drift on libvirt: recreate a missing empty data volume of a VM (see drift.py, drift_repair.py).

The volume is made as vm_compose made it (the pool type's format, the stored size, the same pool and name), with
libvirt's create, which refuses a name that exists: nothing is ever overwritten. The domain still names the
volume, so nothing else changes.
"""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.connection import error_code, libvirt
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.write.volume import (
    render_volume,
    volume_format_for,
)


def recreate_volume(conn, inventory, name: str, repair: dict) -> bool:
    """Create the missing volume ``repair`` names; True when VM ``name`` runs (it sees the volume once restarted)."""
    where = f"{repair['pool']}/{repair['volume']}"
    pool_type = {p["name"]: p["type"] for p in inventory.record["storage_pools"]}[repair["pool"]]
    xml = render_volume(repair["volume"], repair["size"], volume_format_for(pool_type))
    try:
        conn.storagePoolLookupByName(repair["pool"]).createXML(xml, 0)
    except libvirt.libvirtError as error:
        if error_code(error) == libvirt.VIR_ERR_STORAGE_VOL_EXIST:
            raise DriverError(
                "drift", f"volume {where} of VM {name!r} exists again (made meanwhile by someone else); not overwritten"
            ) from None
        message = error.get_error_message() or str(error)
        raise DriverError("hypervisor", f"cannot recreate volume {where} of VM {name!r}: {message}") from None
    try:
        return bool(conn.lookupByName(name).isActive())
    except libvirt.libvirtError:
        return False  # the domain went meanwhile: nothing to restart
