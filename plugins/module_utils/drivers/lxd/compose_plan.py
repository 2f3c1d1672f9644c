# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""From the capacity core's allocation to what LXD is given: the instance body and the custom volumes to create.

Nothing here talks to LXD or decides capacity. The allocation says where things go; this says how LXD 5.0 spells
it: ``limits.cpu`` as a count or as the pinned cpuset, ``limits.memory``, hugepages (``limits.memory.hugepages`` on
a VM; a hugetlb limit ``limits.hugepages.<size>`` on a container, which has no hugepage-backed memory of its own),
the root disk on the chosen pool with its size, extra disks as custom volumes, NICs on a managed network or
bridged / macvlan / sriov on a host interface, with VLAN and a stable MAC, boot priorities, cloud-init and our
``user.vmfleet.*`` bookkeeping. LXD 5.0 has no key for a NUMA node (``limits.cpu.nodes`` came later): pinning to
the cores the core chose on one node is how an instance gets that node's CPUs, and the chosen node is stored.
"""

from __future__ import annotations

import json

from ansible_collections.vmfleet.hosts.plugins.module_utils.cloud_init.config import seed_files
from ansible_collections.vmfleet.hosts.plugins.module_utils.compose_state import (
    desired_state,
    image_keys,
    public_options,
    refuse_unless_default,
)
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.instances import (
    HUGEPAGE_KEYS,
    KEY_PLACEMENT,
    KEY_POOL,
    KEY_REQUEST,
    KEY_TAGS,
    KEY_VOLUMES,
    format_limits_cpu,
)
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.macs import stable_mac
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError

MIB = 1024 * 1024
INSTANCE_TYPES = ("virtual-machine", "container")
LIBVIRT_ONLY = {"accelerator": "auto", "cpu_disabled_features": []}
# boot.priority: higher boots first; NICs above the disk for network boot (PXE first, as MAAS did)
DISK_PRIORITY = 10
NIC_PRIORITY = 20


def compose_options(params: dict) -> dict:
    """The LXD-specific options of a vm_compose request, validated."""
    refuse_unless_default(params, LIBVIRT_ONLY, "LXD hosts")
    kind = params.get("instance_type") or "virtual-machine"
    if kind not in INSTANCE_TYPES:
        raise SpecError("instance_type", kind, f"is not an LXD instance type; use one of {', '.join(INSTANCE_TYPES)}")
    if kind == "container" and params["boot"] == "network":
        raise SpecError(
            "instance_type",
            kind,
            "cannot be combined with boot: network: a container has no firmware to boot from the network; "
            "use boot: image with image.alias, or instance_type: virtual-machine",
        )
    image = image_keys(params, ("alias",), "{alias: <an image alias on the LXD host>}")
    return {"instance_type": kind, "image": {"alias": str(image["alias"])} if image else None}


def volume_name(vm: str, disk: str) -> str:
    return f"{vm}-{disk}"


def hugepage_key(page_size: int) -> str:
    for key, size in HUGEPAGE_KEYS.items():
        if size == page_size:
            return key
    raise DriverError("hypervisor", f"LXD has no hugepage limit for {page_size}-byte pages")


def limits(alloc: dict, kind: str) -> dict:
    """``limits.*`` for the allocation; keys set to None are to be removed from an existing instance."""
    config = {
        "limits.cpu": format_limits_cpu(alloc["cores"], alloc["pinned_cores"]),
        "limits.memory": f"{alloc['memory']}MiB",
    }
    page_size = alloc["hugepages"][0]["page_size"] if alloc["hugepages"] else None
    if kind == "virtual-machine":
        config["limits.memory.hugepages"] = "true" if alloc["hugepages_backed"] else None
    else:
        for key in HUGEPAGE_KEYS:
            config[key] = None
        if alloc["hugepages_backed"]:
            config[hugepage_key(page_size)] = f"{alloc['memory']}MiB"
    return config


def bookkeeping(alloc: dict, request: dict, options: dict, volumes: list) -> dict:
    """Our ``user.vmfleet.*`` keys: what it was asked to be, where the core placed it, the volumes it owns."""
    return {
        KEY_REQUEST: json.dumps(desired_state(request, public_options(options)), sort_keys=True),
        KEY_POOL: alloc["pool"] or "",
        KEY_TAGS: json.dumps(list(alloc["tags"])),
        KEY_VOLUMES: json.dumps(volumes, sort_keys=True),
        KEY_PLACEMENT: json.dumps(
            {"numanode_set": list(alloc["numanode_set"]), "hugepages": list(alloc["hugepages"])}, sort_keys=True
        ),
    }


def _nic_device(nic: dict, kinds: dict, mac: str) -> dict:
    device = {"type": "nic", "name": nic["name"], "hwaddr": mac}
    parent = nic["host_interface"]
    if nic["mode"] == "sriov":
        device.update(nictype="sriov", parent=parent)
    elif nic["mode"] == "macvlan":
        if (nic.get("macvlan_mode") or "bridge") != "bridge":
            raise SpecError(
                f"interfaces.{nic['name']}.macvlan_mode", nic["macvlan_mode"], "LXD's macvlan NICs are bridge mode only"
            )
        device.update(nictype="macvlan", parent=parent)
    elif kinds.get(parent) == "network" or (kinds.get(parent) is None and nic.get("network")):
        device["network"] = nic.get("network") or parent  # a managed LXD network
    else:
        device.update(nictype="bridged", parent=nic.get("bridge") or parent)
    if nic.get("vlan") is not None:
        device["vlan"] = str(nic["vlan"])
    return device


def _cloud_init(vm: str, alloc: dict, macs: dict, options: dict) -> dict:
    settings = options.get("cloud_init_settings") or {"user_data": None, "ssh_authorized_keys": [], "hostname": None}
    if settings.get("hostname") and not isinstance(settings.get("user_data"), str):
        settings = dict(settings, user_data=dict(settings.get("user_data") or {}, hostname=settings["hostname"]))
    addressed = [
        {
            "name": nic["name"],
            "mac": macs[nic["name"]],
            "ip": nic["ip"],
            "subnet": nic["subnet"],
            "ip_mode": nic.get("ip_mode"),
        }
        for nic in alloc["interfaces"]
    ]
    files = seed_files(vm, settings, addressed)
    return {
        "cloud-init.user-data": files["user-data"].decode("utf-8"),
        "cloud-init.network-config": files["network-config"].decode("utf-8"),
    }


def new_instance(record: dict, alloc: dict, request: dict, options: dict) -> dict:
    """The plan for an instance not made yet: custom volumes to create first, then the instance body (the driver
    turns it into a contract ComposePlan)."""
    vm = request["name"]
    kind = options["instance_type"]
    host = record["name"]
    kinds = {i["name"]: i["type"] for i in record.get("interfaces") or []}
    network_boot = options["boot"] == "network"
    root, extra = alloc["disks"][0], alloc["disks"][1:]
    devices = {
        root["name"]: {"type": "disk", "path": "/", "pool": root["pool"], "size": f"{root['size']}B"},
    }
    if kind == "virtual-machine":
        devices[root["name"]]["boot.priority"] = str(DISK_PRIORITY)
    volumes = [{"pool": root["pool"], "name": volume_name(vm, root["name"]), "root": True}]
    to_create = []
    for disk in extra:
        name = volume_name(vm, disk["name"])
        to_create.append(
            {
                "pool": disk["pool"],
                "name": name,
                "size": disk["size"],
                "content_type": "block" if kind == "virtual-machine" else "filesystem",
            }
        )
        volumes.append({"pool": disk["pool"], "name": name})
        device = {"type": "disk", "pool": disk["pool"], "source": name}
        if kind == "container":
            device["path"] = f"/mnt/{disk['name']}"
        devices[disk["name"]] = device
    macs, nics = {}, []
    for index, nic in enumerate(alloc["interfaces"]):
        if nic["name"] in devices:
            raise SpecError(
                f"interfaces.{nic['name']}", nic["name"], "has the name of a disk; name NICs and disks apart"
            )
        macs[nic["name"]] = (nic.get("mac") or stable_mac(host, vm, nic["name"])).lower()
        device = _nic_device(nic, kinds, macs[nic["name"]])
        if kind == "virtual-machine" and network_boot:
            device["boot.priority"] = str(NIC_PRIORITY - index)
        devices[nic["name"]] = device
        nics.append({"name": nic["name"], "mac": macs[nic["name"]]})
    config = {key: value for key, value in limits(alloc, kind).items() if value is not None}
    config.update(bookkeeping(alloc, request, options, volumes))
    if options["boot"] == "image":
        config.update(_cloud_init(vm, alloc, macs, options))
        source = {"type": "image", "alias": options["image"]["alias"]}
    else:
        source = {"type": "none"}
    body = {"name": vm, "type": kind, "profiles": [], "config": config, "devices": devices, "source": source}
    return {
        "name": vm,
        "instance_type": kind,
        "volumes": to_create,
        "body": body,
        "interfaces": nics,  # the MAC each NIC gets, in the request's order
        "owned": volumes,  # what the instance owns once made (its root volume too), removed with it
    }


def updated_config(alloc: dict, request: dict, options: dict, volumes: list, kind: str) -> dict:
    """The config keys an update writes (None: remove the key)."""
    config = limits(alloc, kind)
    config.update(bookkeeping(alloc, request, options, volumes))
    return config
