# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which driver serves an address: modules ask here and never import a driver directly."""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.connection_spec import LXD_ONLY
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.incus.dialect import socket_candidates

TYPES = ("libvirt", "lxd", "incus")
LIBVIRT_DEFAULT = "qemu:///system"


def infer_type(address) -> str:
    """libvirt URIs name a hypervisor scheme; LXD is reached by https:// or a unix socket path.

    Incus speaks LXD's API on the same kinds of address, so only its own socket path tells it apart; an Incus
    host anywhere else is named with ``type: incus``.
    """
    if address and address.startswith("unix:"):
        address = "/" + address[len("unix:") :].lstrip("/")
    if address and address in socket_candidates():
        return "incus"
    # http:// is no libvirt URI either: LXD refuses it with its own reason (plain HTTP is never used)
    if address and address.startswith(("https://", "http://", "/")):
        return "lxd"
    return "libvirt"


def open_driver(connection: dict):
    """The driver for the connection options (address, type, project, client_cert, ... as the doc fragment)."""
    address = connection.get("address")
    host_type = connection.get("type") or infer_type(address)
    if host_type == "libvirt":
        given = [key for key in LXD_ONLY if connection.get(key)]
        if given:
            raise DriverError(
                "bad_address", f"{', '.join(given)} only apply to LXD hosts (type: lxd); {address} is a libvirt host"
            )
        # imported here so that a module for one hypervisor never needs the other's binding
        from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.driver import LibvirtDriver

        return LibvirtDriver(address or LIBVIRT_DEFAULT)
    if host_type == "lxd":
        from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.driver import LxdDriver

        return LxdDriver(connection)
    if host_type == "incus":
        from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.incus.driver import IncusDriver

        return IncusDriver(connection)
    raise DriverError("bad_address", f"type: {host_type!r} is not a VM host type; use one of {', '.join(TYPES)}")
