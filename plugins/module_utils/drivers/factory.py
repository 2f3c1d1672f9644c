# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which driver serves an address: modules ask here and never import a driver directly."""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError

TYPES = ("libvirt", "lxd")


def infer_type(address: str) -> str:
    """libvirt URIs name a hypervisor scheme; LXD is reached by https:// or a unix socket path."""
    if address.startswith(("https://", "/", "unix:")):
        return "lxd"
    return "libvirt"


def open_driver(host_type, address: str):
    host_type = host_type or infer_type(address)
    if host_type == "libvirt":
        # imported here so that a module for one hypervisor never needs the other's binding
        from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.driver import LibvirtDriver

        return LibvirtDriver(address)
    if host_type == "lxd":
        raise DriverError("bad_address", f"type lxd ({address}): LXD VM hosts are not supported in this release yet")
    raise DriverError("bad_address", f"type: {host_type!r} is not a VM host type; use one of {', '.join(TYPES)}")
