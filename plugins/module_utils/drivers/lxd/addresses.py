# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An LXD instance's IP addresses, from its state (``GET /1.0/instances/<name>/state``).

LXD reads them from inside the instance (the container's network namespace, or the VM's lxd-agent), so they are
the guest's own, static ones included. A stopped instance, or a VM whose agent is not up yet, has no network
state: that is no address yet, not an error.
"""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.address_scope import keep_usable
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.removal import LXDAPIException

FAMILIES = ("inet", "inet6")


def from_state(state: dict, include_link_local: bool = False) -> list:
    """[{"interface", "mac", "family", "address"}] out of an instance state's ``network`` map.

    The loopback interface (LXD reports its type as ``loopback``) and loopback or link-local addresses are left
    out (link-local only unless asked for).
    """
    found = []
    for ifname, info in sorted(((state or {}).get("network") or {}).items()):
        if not isinstance(info, dict) or info.get("type") == "loopback":
            continue
        mac = (info.get("hwaddr") or "").lower()
        for addr in info.get("addresses") or []:
            if addr.get("family") in FAMILIES and addr.get("address"):
                found.append({"interface": ifname, "mac": mac, "family": addr["family"], "address": addr["address"]})
    return keep_usable(found, include_link_local)


def addresses(client, name: str, include_link_local: bool = False) -> list:
    try:
        response = client.api.instances[name].state.get()
    except (LXDAPIException, OSError) as error:
        if getattr(getattr(error, "response", None), "status_code", None) == 404:
            raise DriverError("hypervisor", f"instance {name!r} does not exist in this project") from None
        raise DriverError("hypervisor", f"cannot read the state of instance {name!r}: {error}") from None
    return from_state(response.json().get("metadata") or {}, include_link_local)
