# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""From the capacity core's allocation to what libvirt is given: the domain spec and the volumes to create.

Nothing here talks to libvirt or decides capacity: the allocation says where things go, this says how libvirt
spells it (pinning as vcpupin and emulatorpin, NUMA as strict numatune plus guest cells when a VM spans nodes,
hugepages as memoryBacking, NICs as network, bridge, direct or hostdev interfaces with stable MACs).
"""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.cloud_init.config import seed_files
from ansible_collections.vmfleet.hosts.plugins.module_utils.cloud_init.nocloud_iso import build_iso
from ansible_collections.vmfleet.hosts.plugins.module_utils.compose_state import (  # noqa: F401 - re-exported
    desired_state,
    public_options,
)
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.write.domain import render_domain
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.write.volume import (
    disk_format_for,
    render_volume,
    volume_format_for,
)
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.macs import stable_mac
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.cores import format_cpuset

MIB = 1024 * 1024


def volume_name(vm: str, disk: str) -> str:
    return f"{vm}-{disk}"


def disk_target(index: int) -> str:
    """vda, vdb, ... vdz, vdaa: the guest device of the index-th disk."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return "vd" + letters


def _volumes(inventory, vm, alloc, image):
    types = {p["name"]: p["type"] for p in inventory.record["storage_pools"]}
    volumes = []
    for index, disk in enumerate(alloc["disks"]):
        pool_type = types[disk["pool"]]
        name = volume_name(vm, disk["name"])
        fmt = volume_format_for(pool_type)
        volumes.append(
            {
                "pool": disk["pool"],
                "name": name,
                "size": disk["size"],
                "disk": disk["name"],
                "target": disk_target(index),
                "format": disk_format_for(pool_type),
                "device": "disk",
                # the boot disk of an image-booted VM starts as a copy of the image
                "clone_from": image if image and index == 0 else None,
                "xml": render_volume(name, disk["size"], fmt),
            }
        )
    return volumes


def _seed(inventory, vm, volumes, nics, alloc, options):
    """The cloud-init NoCloud seed volume (a CD-ROM next to the boot disk), or None."""
    if options.get("boot") != "image":
        return None
    pool = volumes[0]["pool"]
    pool_type = {p["name"]: p["type"] for p in inventory.record["storage_pools"]}[pool]
    addressed = [
        {
            "name": nic["name"],
            "mac": rendered["mac"],
            "ip": nic["ip"],
            "subnet": nic["subnet"],
            "ip_mode": nic.get("ip_mode"),
        }
        for nic, rendered in zip(alloc["interfaces"], nics)
    ]
    data = build_iso(seed_files(vm, options.get("cloud_init_settings"), addressed))
    name = volume_name(vm, "seed")
    fmt = "raw" if volume_format_for(pool_type) else None
    return {
        "pool": pool,
        "name": name,
        "size": len(data),
        "disk": "seed",
        "target": "sda",
        "format": "raw",
        "device": "cdrom",
        "clone_from": None,
        "data": data,
        "xml": render_volume(name, len(data), fmt),
    }


def _interfaces(inventory, vm, alloc):
    host = inventory.record["name"]
    kinds = {i["name"]: i["type"] for i in inventory.record["interfaces"]}
    free_vfs = {name: list(addresses) for name, addresses in inventory.free_vfs.items()}
    nics = []
    for nic in alloc["interfaces"]:
        entry = {"mac": nic["mac"] or stable_mac(host, vm, nic["name"]), "vlan": nic["vlan"], "model": "virtio"}
        if nic["mode"] == "sriov" and nic.get("pci_address"):
            entry.update(type="hostdev", source=nic["pci_address"])  # an existing VM keeps the VF it has
        elif nic["mode"] == "sriov":
            vfs = free_vfs.get(nic["host_interface"]) or []
            if not vfs:
                raise DriverError(
                    "hypervisor", f"NIC {nic['name']}: libvirt lists no free VF of {nic['host_interface']} to attach"
                )
            entry.update(type="hostdev", source=vfs.pop(0))
        elif nic["mode"] == "macvlan":
            entry.update(type="direct", source=nic["host_interface"], macvlan_mode=nic["macvlan_mode"] or "bridge")
        elif kinds.get(nic["host_interface"]) == "network" or (
            kinds.get(nic["host_interface"]) is None and nic.get("network")
        ):
            # a libvirt network (an existing VM's NIC names its network but no host interface)
            entry.update(type="network", source=nic["network"] or nic["host_interface"])
        else:
            entry.update(type="bridge", source=nic["bridge"] or nic["host_interface"])
        nics.append(entry)
    return nics


def _guest_numa(inventory, alloc):
    """Guest NUMA cells mirroring the host nodes a spanning VM uses, and the memnodes binding them."""
    nodes = alloc["numanode_set"]
    if len(nodes) < 2:
        return [], []
    if alloc["cores"] < len(nodes):
        raise DriverError(
            "hypervisor", f"a VM spanning NUMA nodes {nodes} needs at least {len(nodes)} vCPUs, one per guest cell"
        )
    node_of = {cpu["id"]: n["node_id"] for n in inventory.record["numa"] for cpu in n["cpus"]}
    if alloc["hugepages_backed"]:
        memory = dict.fromkeys(nodes, 0)
        for share in alloc["hugepages"]:
            memory[share["node_id"]] += share["count"] * share["page_size"] // MIB
    else:
        memory = {n: alloc.get("memory_by_node", {}).get(n, 0) for n in nodes}
    vcpus = {n: [] for n in nodes}
    if alloc["pinned_cores"]:
        for vcpu, core in enumerate(alloc["pinned_cores"]):
            vcpus[node_of[core]].append(vcpu)
    else:
        for vcpu in range(alloc["cores"]):
            vcpus[nodes[vcpu % len(nodes)]].append(vcpu)
    cells, memnodes = [], []
    for cell, node in enumerate(nodes):
        if not vcpus[node]:
            # a node that only lends memory still needs a vCPU in its guest cell: take one from the largest cell
            donor = max(nodes, key=lambda n: len(vcpus[n]))
            vcpus[node].append(vcpus[donor].pop())
        cells.append({"id": cell, "cpus": format_cpuset(sorted(vcpus[node])), "memory_mib": memory[node]})
        memnodes.append({"cellid": cell, "nodeset": str(node)})
    missing = alloc["memory"] - sum(c["memory_mib"] for c in cells)
    cells[0]["memory_mib"] += missing  # rounding leftovers, so the cells add up to the VM's memory
    return cells, memnodes


def domain_spec(inventory, alloc, request, options, volumes, uuid=None, nics=None) -> dict:
    caps = inventory.capabilities
    offered = "kvm" in caps.get("domain_types", [])
    accelerator = options.get("accelerator") or "auto"
    if accelerator == "kvm" and not offered:
        raise DriverError("hypervisor", "accelerator: kvm is not offered by this host's libvirt (no usable /dev/kvm)")
    kvm = offered and accelerator != "tcg"
    pinned = alloc["pinned_cores"]
    nodes = alloc["numanode_set"]
    cells, memnodes = _guest_numa(inventory, alloc)
    page_size = alloc["hugepages"][0]["page_size"] if alloc["hugepages"] else None
    spec = {
        "name": request["name"],
        "uuid": uuid,
        "domain_type": "kvm" if kvm else "qemu",
        "emulator": caps.get("emulator"),
        "arch": caps.get("arch") or "x86_64",
        "machine": None,
        "cpu_mode": "host-passthrough" if kvm else None,
        "vcpus": alloc["cores"],
        "vcpupin": [[vcpu, str(core)] for vcpu, core in enumerate(pinned)],
        "emulatorpin": format_cpuset(pinned) if pinned else None,
        "numatune": {"mode": "strict", "nodeset": format_cpuset(nodes)} if nodes else None,
        "guest_numa": cells,
        "memnodes": memnodes,
        "memory_mib": alloc["memory"],
        "max_memory_mib": None,
        "hugepages": {"page_size_kib": page_size // 1024, "nodeset": None} if page_size else None,
        "boot": ["hd"] if options.get("boot") == "image" else ["network", "hd"],
        "disks": [
            {
                "pool": v["pool"],
                "volume": v["name"],
                "target": v["target"],
                "bus": "virtio" if v.get("device", "disk") == "disk" else "sata",
                "format": v["format"],
                "device": v.get("device", "disk"),
                "readonly": v.get("device", "disk") == "cdrom",
            }
            for v in volumes
        ],
        "interfaces": nics if nics is not None else _interfaces(inventory, request["name"], alloc),
        "metadata": {
            "pool": alloc["pool"],
            "tags": list(alloc["tags"]),
            "volumes": [{"pool": v["pool"], "name": v["name"]} for v in volumes],
            "request": desired_state(request, options),
        },
        "console": True,
    }
    if kvm and options.get("cpu_disabled_features"):
        spec["cpu_disabled_features"] = list(options["cpu_disabled_features"])
    return spec


def new_vm(inventory, alloc, request, options) -> dict:
    """Volumes to create (with the seed, for an image-booted VM) and the domain XML of a VM not made yet."""
    volumes = _volumes(inventory, request["name"], alloc, options.get("image"))
    nics = _interfaces(inventory, request["name"], alloc)
    seed = _seed(inventory, request["name"], volumes, nics, alloc, options)
    if seed is not None:
        volumes.append(seed)
    spec = domain_spec(inventory, alloc, request, public_options(options), volumes, nics=nics)
    return {"volumes": volumes, "spec": spec, "xml": render_domain(spec)}
