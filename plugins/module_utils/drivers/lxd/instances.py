# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""LXD instances read back: what each instance of a project holds, and its ``vms[]`` allocation for the record.

``read_instances`` asks LXD (instances with their expanded config and devices, and the custom volumes' sizes);
everything else here is pure. An instance holds what its config says, running or not: ``limits.cpu`` (a count,
or a cpuset = pinned cores), ``limits.memory``, hugepages (``limits.memory.hugepages`` on a VM,
``limits.hugepages.<size>`` on a container), its root disk and custom volume disks, its NICs. What LXD cannot
express (the NUMA nodes and pages per node the capacity core chose, the request it was made from, the volumes it
owns) is kept in our ``user.vmfleet.*`` keys; an instance without them was not composed by vmfleet.hosts
(``managed: False``): it counts, but it is not ours to change or remove.
"""

from __future__ import annotations

import json
import re

from ansible_collections.vmfleet.hosts.plugins.module_utils import drift
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.vm_entry import vm_entry
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.read.errors import LxdDataError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.read.units import size_bytes

# LXD refuses with LXDAPIException; the transport fails with OSError (requests' errors are OSErrors)
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.removal import LXDAPIException

MIB = 1024 * 1024
KEY_REQUEST = "user.vmfleet.request"
KEY_VOLUMES = "user.vmfleet.volumes"
KEY_POOL = "user.vmfleet.pool"
KEY_TAGS = "user.vmfleet.tags"
KEY_PLACEMENT = "user.vmfleet.placement"
# LXD's hugepage limit keys for containers and the page size each stands for
HUGEPAGE_KEYS = {
    "limits.hugepages.64KB": 64 * 1024,
    "limits.hugepages.1MB": MIB,
    "limits.hugepages.2MB": 2 * MIB,
    "limits.hugepages.1GB": 1024 * MIB,
}
DEFAULT_HUGEPAGE = 2 * MIB
VM_DEFAULT_MEMORY_MIB = 1024  # LXD gives a VM 1 GiB and 1 vCPU when the limits are not set
POWER_STATES = {
    "running": "running",
    "stopped": "stopped",
    "frozen": "paused",
    "freezing": "paused",
    "error": "crashed",
    "aborting": "running",
    "starting": "running",
    "stopping": "running",
}
_CPUSET = re.compile(r"^\d+(-\d+)?(,\d+(-\d+)?)*$")


def parse_size(text, what: str):
    """Bytes of an LXD size (``512MiB``, ``1GB``, ``3000000000``); None for an unset value."""
    if text in (None, ""):
        return None
    try:
        return size_bytes(text, what)
    except LxdDataError as error:
        raise DriverError("hypervisor", str(error)) from None


def parse_limits_cpu(text, what: str) -> tuple:
    """(vCPUs, pinned cores) of ``limits.cpu``: a bare number is a count, ranges and lists are a cpuset."""
    text = (text or "").strip()
    if not text:
        return None, []
    if text.isdigit():
        return int(text), []
    if not _CPUSET.match(text):
        raise DriverError("hypervisor", f"{what}: limits.cpu {text!r} is neither a count nor a cpuset")
    cores = set()
    for part in text.split(","):
        first, _sep, last = part.partition("-")
        cores.update(range(int(first), int(last or first) + 1))
    return len(cores), sorted(cores)


def format_limits_cpu(cores: int, pinned: list) -> str:
    """``limits.cpu`` for a count or a pinned set; one pinned core is written ``N-N`` (``N`` would be a count)."""
    if not pinned:
        return str(cores)
    parts = []
    ordered = sorted(set(pinned))
    start = 0
    while start < len(ordered):
        end = start
        while end + 1 < len(ordered) and ordered[end + 1] == ordered[end] + 1:
            end += 1
        parts.append(f"{ordered[start]}-{ordered[end]}" if end > start or len(ordered) == 1 else str(ordered[start]))
        start = end + 1
    return ",".join(parts)


def _json(config: dict, key: str, default, what: str):
    text = config.get(key)
    if text in (None, ""):
        return default
    try:
        return json.loads(text)
    except ValueError as error:
        raise DriverError("hypervisor", f"{what}: {key} is not JSON ({error}); was it edited by hand?") from None


def parse_metadata(config: dict, what: str) -> dict:
    """Our bookkeeping keys: ``managed``, ``pool``, ``tags``, ``volumes``, ``request``, ``placement``."""
    request = _json(config, KEY_REQUEST, None, what)
    if request is None:
        return {"managed": False, "pool": None, "tags": [], "volumes": [], "request": None, "placement": {}}
    if not isinstance(request, dict):
        raise DriverError("hypervisor", f"{what}: {KEY_REQUEST} is not a JSON object; was it edited by hand?")
    return {
        "managed": True,
        "pool": config.get(KEY_POOL) or None,
        "tags": list(_json(config, KEY_TAGS, [], what)),
        "volumes": list(_json(config, KEY_VOLUMES, [], what)),
        "request": request,
        "placement": dict(_json(config, KEY_PLACEMENT, {}, what)),
    }


def _memory(config: dict, kind: str, host_memory_mib: int, what: str) -> int:
    text = (config.get("limits.memory") or "").strip()
    if not text:
        return VM_DEFAULT_MEMORY_MIB if kind == "virtual-machine" else 0
    if text.endswith("%"):
        return -(-int(float(text[:-1]) * host_memory_mib) // 100)
    return -(-parse_size(text, f"{what}: limits.memory") // MIB)  # whole MiB, rounded up


def _hugepages(config: dict, kind: str, memory_mib: int, what: str) -> tuple:
    """(backed, page size, MiB in pages) for a VM's ``limits.memory.hugepages`` or a container's limits."""
    if kind == "virtual-machine":
        backed = str(config.get("limits.memory.hugepages", "")).lower() == "true"
        return backed, (DEFAULT_HUGEPAGE if backed else None), memory_mib if backed else 0
    for key, size in HUGEPAGE_KEYS.items():
        if config.get(key):
            return True, size, -(-parse_size(config[key], f"{what}: {key}") // MIB)
    return False, None, 0


def _nic(name: str, device: dict, config: dict, networks: dict) -> dict:
    network = device.get("network")
    nictype = device.get("nictype") or ("bridged" if network else None)
    parent = device.get("parent")
    if network:
        mode, bridge = "bridge", None
        parent = networks.get(network, {}).get("parent") or parent
    elif nictype == "macvlan":
        mode, bridge = "macvlan", None
    elif nictype == "sriov":
        mode, bridge = "sriov", None
    else:
        mode, bridge = "bridge", parent
    mac = device.get("hwaddr") or config.get(f"volatile.{name}.hwaddr")
    return {
        "device": name,
        "name": device.get("name") or name,
        "mode": mode,
        "nictype": nictype,
        "network": network,
        "bridge": bridge,
        "host_interface": network or parent,
        "vlan": int(device["vlan"]) if str(device.get("vlan") or "").isdigit() else None,
        "mac": mac.lower() if mac else None,
        "macvlan_mode": "bridge" if mode == "macvlan" else None,
        "vf": mode == "sriov",
        "boot_priority": int(device["boot.priority"]) if device.get("boot.priority") else None,
    }


def parse_instance(raw: dict, volume_sizes: dict, host_memory_mib: int = 0, networks=None) -> dict:
    """One instance (``GET /1.0/instances/<name>`` metadata) as the driver sees it.

    ``volume_sizes`` maps (pool, custom volume) to bytes. Keys: ``name``, ``uuid``, ``instance_type``,
    ``cores``, ``pinned_cores``, ``memory`` (MiB), ``hugepages_backed``, ``hugepage_size``, ``hugepage_memory``,
    ``numanode_set`` (as stored; the caller derives it from the cores when absent), ``disks``, ``interfaces``,
    ``power_state``, ``pool``, ``tags``, ``metadata``, ``config`` (the instance's own, not expanded) and
    ``devices`` (expanded: what it runs with, profiles included).
    """
    name = raw["name"]
    kind = raw.get("type") or "container"
    what = f"instance {name!r}"
    config = raw.get("expanded_config") or raw.get("config") or {}
    devices = raw.get("expanded_devices") or raw.get("devices") or {}
    cores, pinned = parse_limits_cpu(config.get("limits.cpu"), what)
    if cores is None:
        cores = 1 if kind == "virtual-machine" else 0
    memory = _memory(config, kind, host_memory_mib, what)
    backed, page_size, page_memory = _hugepages(config, kind, memory, what)
    metadata = parse_metadata(config, what)
    root_volume = next((v["name"] for v in metadata["volumes"] if v.get("root")), None)
    disks, interfaces = [], []
    for dev_name in sorted(devices, key=lambda d: (devices[d].get("path") != "/", d)):
        device = devices[dev_name]
        if device.get("type") == "disk" and device.get("pool"):
            root = device.get("path") == "/" and not device.get("source")
            size = parse_size(device.get("size"), f"{what}: device {dev_name} size") if root else None
            if not root:
                size = volume_sizes.get((device["pool"], device.get("source")))
            disks.append(
                {
                    "name": dev_name,
                    "pool": device["pool"],
                    # a root disk is the instance's own volume; our bookkeeping names it <instance>-<disk>
                    "volume": root_volume if root else device.get("source"),
                    "root": root,
                    "size": size or 0,
                    "path": device.get("path"),
                    "device": "disk",
                    "format": None,
                }
            )
        elif device.get("type") == "nic":
            interfaces.append(_nic(dev_name, device, config, networks or {}))
    interfaces.sort(key=lambda n: _nic_order(metadata, n))
    status = (raw.get("status") or "").lower()
    return {
        "name": name,
        "uuid": config.get("volatile.uuid"),
        "instance_type": kind,
        "cores": cores,
        "pinned_cores": pinned,
        "memory": page_memory if backed and kind == "container" and not memory else memory,
        "hugepages_backed": backed,
        "hugepage_size": page_size,
        "hugepage_memory": page_memory,
        "numanode_set": list(metadata["placement"].get("numanode_set") or []),
        "disks": disks,
        "interfaces": interfaces,
        "power_state": POWER_STATES.get(status, "unknown"),
        "pool": metadata["pool"],
        "tags": list(metadata["tags"]),
        "metadata": metadata,
        "config": dict(raw.get("config") or {}),
        "devices": dict(devices),
        "profiles": list(raw.get("profiles") or []),
    }


def _nic_order(metadata, nic):
    """NICs in the order they were asked for (the request's), others after them by device name."""
    asked = [n.get("name") for n in ((metadata.get("request") or {}).get("request") or {}).get("interfaces") or []]
    return (asked.index(nic["name"]) if nic["name"] in asked else len(asked), nic["device"])


def _node_of(numa: list) -> dict:
    return {cpu["id"]: node["node_id"] for node in numa for cpu in node.get("cpus") or []}


def _page_shares(entry: dict, numa: list, nodes: list) -> list:
    stored = entry["metadata"]["placement"].get("hugepages")
    if stored:
        return [dict(share) for share in stored]
    size = entry["hugepage_size"] or DEFAULT_HUGEPAGE
    pages = entry["hugepage_memory"] * MIB // size
    nodes = nodes or [numa[0]["node_id"]] if numa else nodes or [0]
    share, rest = divmod(pages, len(nodes))
    return [
        {"node_id": node, "page_size": size, "count": share + (1 if i < rest else 0)} for i, node in enumerate(nodes)
    ]


def allocation(entry: dict, host_name: str, numa: list, pool_sizes=None) -> dict:
    """An instance in the record's ``vms[]`` shape (the capacity view).

    ``numa`` is the record's numa[] (node_id and cpus with id), ``pool_sizes`` optionally maps (pool, volume) to
    bytes and overrides the sizes read with the instance. Disks and NICs carry the names they were asked by.
    """
    pool_sizes = pool_sizes or {}
    request = (entry["metadata"].get("request") or {}).get("request") or {}
    asked_disks = request.get("disks") or []
    asked_nics = {n.get("name"): n for n in request.get("interfaces") or []}
    node_of = _node_of(numa)
    nodes = entry["numanode_set"] or sorted({node_of[c] for c in entry["pinned_cores"] if c in node_of})
    if entry["hugepages_backed"] and not nodes and entry["metadata"]["placement"].get("hugepages"):
        nodes = sorted({share["node_id"] for share in entry["metadata"]["placement"]["hugepages"]})
    findings = entry.get("drift") or []
    # a missing or shrunk volume shows the size the instance still claims (and is counted at), with its drift
    claimed = drift.claimed_sizes(findings)
    disks = []
    for index, disk in enumerate(entry["disks"]):
        name = disk["name"]
        if index < len(asked_disks) and entry["metadata"]["managed"]:
            by_device = [d for d in asked_disks if d.get("name") == name]
            name = by_device[0]["name"] if by_device else name
        size = disk["size"] if disk["root"] else pool_sizes.get((disk["pool"], disk["volume"]), disk["size"])
        disks.append({"name": name, "pool": disk["pool"], "size": claimed.get((disk["pool"], disk["volume"])) or size})
    shown = {(disk["pool"], disk["volume"]) for disk in entry["disks"]}
    for finding in findings:
        # LXD deletes only a detached volume: the instance lost the device too, but the disk is still its own
        if finding["kind"] == "volume_missing" and (finding["pool"], finding["volume"]) not in shown:
            disks.append(
                {"name": finding["disk"] or finding["volume"], "pool": finding["pool"], "size": finding["claimed"] or 0}
            )
    return vm_entry(
        entry["name"],
        host_name,
        entry["cores"],
        entry["memory"],
        pinned_cores=entry["pinned_cores"],
        hugepages_backed=entry["hugepages_backed"],
        hugepages=_page_shares(entry, numa, nodes) if entry["hugepages_backed"] else [],
        numanode_set=nodes,
        disks=disks,
        interfaces=[
            {
                "name": nic["name"],
                "host_interface": nic["host_interface"],
                "mode": nic["mode"],
                "network": nic["network"],
                "bridge": nic["bridge"],
                "space": asked_nics.get(nic["name"], {}).get("space"),
                "subnet": asked_nics.get(nic["name"], {}).get("subnet"),
                "vlan": nic["vlan"],
                "ip": asked_nics.get(nic["name"], {}).get("ip"),
                "mac": nic["mac"],
                "macvlan_mode": nic["macvlan_mode"],
                "vf": nic["vf"],
            }
            for nic in entry["interfaces"]
        ],
        power_state=entry["power_state"],
        pool=entry["pool"],
        tags=entry["tags"],
        notes=_notes(entry),
        drift=drift.public(findings),
    )


def _notes(entry: dict) -> list:
    notes = []
    if entry["instance_type"] == "container" and not entry["config"].get("limits.cpu") and not entry["cores"]:
        notes.append("no limits.cpu: the container may use every core and is counted with none")
    if entry["instance_type"] == "container" and not entry["memory"]:
        notes.append("no limits.memory: the container may use all memory and is counted with none")
    return notes


def instance_drift(entry: dict, sizes: dict, pools: dict, networks: set, cores: set) -> list:
    """What of an instance we composed was removed or changed outside the collection (see drift.py).

    ``sizes`` is ``volume_sizes`` (the project's custom volumes), ``pools`` pool name -> active, ``networks`` the
    managed networks the project sees, ``cores`` the host's online cores: all read already, nothing per instance.
    Only NICs on a managed network are checked (a bridged or macvlan parent is a host interface LXD may not list).
    """
    if not entry["metadata"]["managed"]:
        return []
    attached = {(d["pool"], d["volume"]) for d in entry["disks"]}
    nics = [{"name": n["name"], "network": n["network"]} for n in entry["interfaces"]]
    owned = drift.owned_volumes(entry["metadata"])
    return drift.detect(owned, sizes, attached, pools, nics, networks, entry["pinned_cores"], cores, can_attach=True)


def _get(client, what: str, call):
    try:
        return call()
    except (LXDAPIException, OSError) as error:
        raise DriverError("hypervisor", f"cannot {what}: {error}") from None


def volume_sizes(client) -> dict:
    """(pool, custom volume) -> bytes, for the client's project."""
    sizes = {}
    pools = _get(client, "list storage pools", lambda: client.api["storage-pools"].get().json()["metadata"])
    for url in pools:
        pool = url.rsplit("/", 1)[-1]
        volumes = _get(
            client,
            f"list the volumes of storage pool {pool!r}",
            lambda pool=pool: client.api["storage-pools"][pool].volumes.get(params={"recursion": "1"}).json(),
        )["metadata"]
        for vol in volumes or []:
            if vol.get("type") == "custom":
                sizes[(pool, vol["name"])] = parse_size((vol.get("config") or {}).get("size"), vol["name"]) or 0
    return sizes


def read_instances(client, project: str = None, host_memory_mib: int = 0, sizes=None) -> dict:
    """Every instance of the client's project (``project`` is the client's, named for messages): name -> entry.

    ``sizes`` is ``volume_sizes(client)`` when the caller read it already.
    """
    where = f" of project {project!r}" if project else ""
    raw = _get(client, f"list the instances{where}", lambda: client.api.instances.get(params={"recursion": "1"}).json())
    sizes = volume_sizes(client) if sizes is None else sizes
    networks = {}
    return {inst["name"]: parse_instance(inst, sizes, host_memory_mib, networks) for inst in raw.get("metadata") or []}
