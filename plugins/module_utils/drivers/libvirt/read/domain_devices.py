# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``<devices>`` of a domain as the record sees them: disks, NICs, PCI host devices and boot order."""

from __future__ import annotations

import re

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.errors import LibvirtXmlError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.xmlutil import (
    int_attr,
    pci_address_of,
)

# Names libvirt makes up for the host side of a NIC when the domain starts; they change from boot to boot, so
# naming a NIC after one would make the same NIC look new every time the VM restarts.
_GENERATED_TAP = re.compile(r"(vnet|macvtap|macvlan|vif)[0-9.]+")
# libvirt's prefix for user-chosen device aliases (<alias name='ua-storage'/>).
_USER_ALIAS = "ua-"
# libvirt's default source mode of a direct (macvtap) NIC.
_DEFAULT_MACVLAN_MODE = "vepa"


def parse_disks(devices, volume_of, what: str) -> list:
    """Per disk: ``name`` (target dev), ``pool``, ``volume``, ``size``, ``path``, ``device`` and ``format``.

    ``size`` is None: the domain XML does not say how big a volume is; the caller knows from the pool.

    A ``<source pool= volume=>`` names its volume; a file or block device is looked up with ``volume_of(path)``,
    which returns ``(pool, volume)`` or None for a path outside every pool. Network disks (RBD, iSCSI ...) keep
    their source name in ``path`` and no pool.
    """
    disks = []
    for index, disk in enumerate(_children(devices, "disk")):
        kind = disk.get("type", "file")
        source = disk.find("source")
        pool = volume = path = None
        if source is not None:
            if kind == "volume":
                pool, volume = source.get("pool"), source.get("volume")
            elif kind == "network":
                path = source.get("name")
            else:
                path = source.get("file") or source.get("dev") or source.get("dir")
                found = volume_of(path) if path and volume_of is not None else None
                if found is not None:
                    pool, volume = _pool_volume(found, path, what)
        disks.append(
            {
                "name": _target_dev(disk) or f"disk{index}",
                "pool": pool,
                "volume": volume,
                "size": None,
                "path": path,
                "device": disk.get("device", "disk"),
                "format": disk.find("driver").get("type") if disk.find("driver") is not None else None,
            }
        )
    return disks


def parse_interfaces(devices, what: str) -> list:
    """One dict per ``<interface>``: record keys (``name``, ``mode``, ``network``, ``bridge``, ``mac``, ``vlan``,
    ``host_interface``, ``macvlan_mode``, ``vf``) plus ``type`` (libvirt's), ``pci_address`` and ``model``.

    ``mode`` is ``bridge`` for network and bridge NICs, ``macvlan`` for direct ones, ``sriov`` for hostdev ones
    and None for the rest (user, ethernet, vhostuser ...). A NIC is named by its user alias (``ua-NAME``), else
    its target dev unless libvirt generated it (``vnet3``), else ``netN`` by position, which is also the alias
    libvirt gives a running domain's NICs. ``vlan`` is the first tag (a trunk lists several).
    """
    nics = []
    for index, nic in enumerate(_children(devices, "interface")):
        kind = nic.get("type")
        source = nic.find("source")
        source = source if source is not None else _EMPTY
        tags = nic.findall("vlan/tag")
        entry = {
            "name": _nic_name(nic, index),
            "type": kind,
            "mode": None,
            "network": None,
            "bridge": None,
            "mac": nic.find("mac").get("address") if nic.find("mac") is not None else None,
            "vlan": int_attr(tags[0], "id", f"{what}: NIC {index}") if tags else None,
            "host_interface": None,
            "macvlan_mode": None,
            "vf": False,
            "pci_address": None,
            "model": nic.find("model").get("type") if nic.find("model") is not None else None,
        }
        if kind == "network":
            # A running domain's NIC also names the bridge libvirt plugged it into.
            entry.update(mode="bridge", network=source.get("network"), bridge=source.get("bridge"))
        elif kind == "bridge":
            entry.update(mode="bridge", bridge=source.get("bridge"))
        elif kind == "direct":
            entry.update(
                mode="macvlan",
                host_interface=source.get("dev"),
                macvlan_mode=source.get("mode") or _DEFAULT_MACVLAN_MODE,
            )
        elif kind == "hostdev":
            address = source.find("address")
            entry.update(
                mode="sriov",
                vf=True,
                pci_address=pci_address_of(address, f"{what}: NIC {index}") if address is not None else None,
            )
        nics.append(entry)
    return nics


def pci_hostdevs(devices, what: str) -> list:
    """Host PCI addresses the domain passes through: hostdev NICs and plain ``<hostdev type='pci'>``.

    The caller counts used SR-IOV VFs from these; both kinds hold a VF while the domain is defined.
    """
    addresses = []
    for nic in _children(devices, "interface"):
        address = nic.find("source/address")
        if nic.get("type") == "hostdev" and address is not None:
            addresses.append(pci_address_of(address, f"{what}: hostdev NIC"))
    for hostdev in _children(devices, "hostdev"):
        address = hostdev.find("source/address")
        if hostdev.get("type") == "pci" and address is not None:
            addresses.append(pci_address_of(address, f"{what}: <hostdev>"))
    return sorted(set(addresses))


def device_boot_order(devices, what: str) -> list:
    """Boot devices from per-device ``<boot order=N>``: ``hd``, ``cdrom``, ``fd`` or ``network``, by order."""
    ordered = []
    for disk in _children(devices, "disk"):
        boot = disk.find("boot")
        if boot is not None:
            kind = {"cdrom": "cdrom", "floppy": "fd"}.get(disk.get("device", "disk"), "hd")
            ordered.append((int_attr(boot, "order", f"{what}: disk boot"), kind))
    for nic in _children(devices, "interface"):
        boot = nic.find("boot")
        if boot is not None:
            ordered.append((int_attr(boot, "order", f"{what}: NIC boot"), "network"))
    return _dedupe(kind for _order, kind in sorted(ordered))


def _children(devices, tag: str) -> list:
    return devices.findall(tag) if devices is not None else []


def _dedupe(values) -> list:
    result = []
    for value in values:
        if value not in result:
            result.append(value)
    return result


def _target_dev(element) -> str | None:
    target = element.find("target")
    return target.get("dev") if target is not None and target.get("dev") else None


def _nic_name(nic, index: int) -> str:
    alias = nic.find("alias")
    if alias is not None and (alias.get("name") or "").startswith(_USER_ALIAS):
        return alias.get("name")[len(_USER_ALIAS) :]
    target = _target_dev(nic)
    if target and not _GENERATED_TAP.fullmatch(target):
        return target
    return f"net{index}"


def _pool_volume(found, path: str, what: str) -> tuple:
    if not isinstance(found, (list, tuple)) or len(found) != 2:
        raise LibvirtXmlError(f"{what}: volume_of({path!r}) returned {found!r}, not (pool, volume) or None")
    return found[0], found[1]


class _Empty:
    """Stands in for a missing ``<source>`` so every NIC type reads its attributes the same way."""

    def get(self, _name, default=None):
        return default

    def find(self, _path):
        return None


_EMPTY = _Empty()
