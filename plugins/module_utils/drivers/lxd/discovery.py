# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Discovery: one LXD server and project into a host record, plus the driver's own view of its instances.

The record is the capacity view (what the core needs and the modules return); ``Inventory.domains`` keeps what
only the driver needs to compose and remove instances (their config, devices and our ``user.vmfleet.*``
bookkeeping), by name, as on libvirt. Pure parsing lives in ``read/`` and ``instances.py``; this module only asks
LXD and joins the pieces.

Server-wide things (resources, storage pools and what every project's volumes take of them) are read without a
project; networks, the default profile and the instances are the project's.
"""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils import drift
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.contract import Inventory
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.host_record import host_record
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.interfaces import apply_networks
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd import instances as lxd_instances
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.read.errors import LxdDataError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.read.networks import (
    HOST_TYPES,
    default_network,
    parse_network,
    sriov_cards,
)
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.read.pools import (
    parse_pool,
    root_disks,
    volume_growth,
    volume_sizes,
)
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.read.resources import hugepage_size, parse_numa

# LXD refuses with LXDAPIException; the transport fails with OSError (requests' errors are OSErrors)
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.removal import LXDAPIException

# What a declared network must be on an LXD host (vm_host's networks)
LXD_NETWORK = "an LXD network (managed, or a host interface LXD lists)"
# Drivers whose volumes report how much of them is written; on the others (dir) a sized volume counts in full.
_USAGE_DRIVERS = ("zfs", "btrfs", "lvm", "ceph", "cephfs")


def metadata(response) -> object:
    return response.json().get("metadata")


def ask(what: str, call):
    """``call()``, with what LXD or the transport raised turned into a DriverError naming ``what``."""
    try:
        return call()
    except DriverError:
        raise
    except LxdDataError as error:
        raise DriverError("hypervisor", f"LXD answered {what} with data vmfleet cannot read: {error}") from None
    except (LXDAPIException, OSError) as error:
        raise DriverError("hypervisor", f"cannot {what}: {error}") from None


def _optional(call):
    """``call()``, or None when LXD refuses it (a pool it cannot measure, a network without state)."""
    try:
        return call()
    except (LXDAPIException, OSError):  # LXD answers "Not supported" and the like; the caller has a fallback
        return None


def _forbidden(error) -> bool:
    return getattr(getattr(error, "response", None), "status_code", None) == 403


def _every_project(what: str, call, project: str, seen: dict):
    """``call(params)`` across all projects; the client's project alone when its certificate is restricted to it.

    ``seen["all_projects"]`` turns False when LXD refused the wider view, so the caller can say what it could not
    count.
    """
    try:
        return metadata(call({"recursion": "1", "all-projects": "true"}))
    except (LXDAPIException, OSError) as error:
        if not _forbidden(error):
            raise DriverError("hypervisor", f"cannot {what}: {error}") from None
    seen["all_projects"] = False
    return ask(what, lambda: metadata(call({"recursion": "1", "project": project})))


def all_instances(server, project: str, seen: dict) -> list:
    """Every instance of every project of the server (the machine's cores, memory and pools are shared by all)."""
    return _every_project("list the instances", lambda params: server.instances.get(params=params), project, seen) or []


def read_pools(server, instances: list, project: str, seen: dict) -> list:
    """storage_pools[] entries, server-wide (every project's volumes count against the pools they are on)."""
    pools = ask("list storage pools", lambda: metadata(server.storage_pools.get(params={"recursion": "1"})))
    roots = ask("read the root disks of the instances", lambda: root_disks(instances))
    return [_read_pool(server, pool, roots, project, seen) for pool in pools or []]


def _read_pool(server, pool: dict, roots: dict, project: str, seen: dict) -> dict:
    name = pool["name"]
    node = server.storage_pools[name]
    resources = _optional(lambda: metadata(node.resources.get()))
    volumes = _every_project(
        f"list the volumes of storage pool {name!r}", lambda params: node.volumes.get(params=params), project, seen
    )
    sized = ask(f"read the volumes of storage pool {name!r}", lambda: volume_sizes(name, volumes or [], roots))
    usage = {}
    if pool.get("driver") in _USAGE_DRIVERS:
        for vol in sized:
            if vol["size"] is None:
                continue
            state = _optional(
                lambda vol=vol: metadata(
                    node.volumes[vol["type"]][vol["name"]].state.get(params={"project": vol["project"]})
                )
            )
            if state and (state.get("usage") or {}).get("used") is not None:
                usage[(vol["project"], vol["type"], vol["name"])] = state["usage"]["used"]
    growth = ask(f"size the volumes of storage pool {name!r}", lambda: volume_growth(sized, usage))
    return ask(f"read storage pool {name!r}", lambda: parse_pool(pool, resources, growth))


def read_interfaces(project_api, resources: dict) -> list:
    """interfaces[]: the networks the project sees, with addresses, and SR-IOV cards merged by name."""
    networks = ask("list networks", lambda: metadata(project_api.networks.get(params={"recursion": "1"})))
    interfaces = []
    for net in networks or []:
        if not net.get("managed") and net.get("type") not in HOST_TYPES:
            continue
        state = _optional(lambda net=net: metadata(project_api.networks[net["name"]].state.get()))
        entry = ask(f"read network {net['name']!r}", lambda net=net, state=state: parse_network(net, state))
        if entry is not None:
            interfaces.append(entry)
    for card in ask("read the network cards", lambda: sriov_cards(resources)):
        existing = [i for i in interfaces if i["name"] == card["name"]]
        if existing:
            existing[0].update(numa_node=card["numa_node"], sriov_max_vf=card["sriov_max_vf"])
            existing[0]["vf_addresses"] = card["vf_addresses"]
        else:
            interfaces.append(card)
    profile = _optional(lambda: metadata(project_api.profiles.default.get()))
    default = default_network(profile)
    for iface in interfaces:
        iface["default"] = iface["name"] == default
    return interfaces


def count_vfs(interfaces: list, vms: list) -> dict:
    """Count the VFs instances use per SR-IOV NIC; return the VF PCI addresses left per NIC.

    LXD picks the VF of an ``nictype: sriov`` NIC itself when the instance starts, so which VF an instance has
    is not known while it is stopped: each sriov NIC counts one VF of its parent, and the free addresses are the
    NIC's VFs less that many.
    """
    used = {}
    for vm in vms:
        for nic in vm["interfaces"]:
            if nic["vf"] and nic["host_interface"]:
                used[nic["host_interface"]] = used.get(nic["host_interface"], 0) + 1
    free = {}
    for iface in interfaces:
        vfs = iface.pop("vf_addresses", None) or []
        iface["sriov_used_vf"] = used.get(iface["name"], 0)
        free[iface["name"]] = vfs[iface["sriov_used_vf"] :]
    return free


def other_projects(instances: list, project: str, host: str, numa: list, memory: int) -> list:
    """vms[] entries for the instances of the server's other projects.

    They run on the same machine, so their vCPUs, pinned cores, memory and hugepages count against this VM host's
    budget as any unmanaged VM does (MAAS showed them as "other projects"); vmfleet never changes them. They are
    named ``<project>/<name>``, which no instance name can be. Their disks are left out: the pools' used space
    already counts every project's volumes.
    """
    vms = []
    for raw in instances:
        owner = raw.get("project") or "default"
        if owner == project:
            continue
        entry = ask(
            f"read instance {raw.get('name')!r} of project {owner!r}",
            lambda raw=raw: lxd_instances.parse_instance(raw, {}, memory, {}),
        )
        vm = lxd_instances.allocation(entry, host, numa)
        vm["name"] = f"{owner}/{entry['name']}"
        vm["disks"] = []
        vm["notes"] = [f"in LXD project {owner!r}: counted against this VM host, never changed by it"]
        vms.append(vm)
    return vms


def discover(
    client, server, project_api, project: str, policy: dict, project_exists: bool = True, address: str = ""
) -> Inventory:
    """The host as a record under ``policy`` (see spec.host_policy), and the project's instances.

    ``server`` is an API node without a project, ``project_api`` one with it. A project that does not exist yet
    (vm_host in check mode, about to create it) has no instances and sees the default project's networks.
    ``address`` names the host when the server does not say its name.
    """
    environment = client.host_info.get("environment") or {}
    host = environment.get("server_name") or address
    resources = ask("read /1.0/resources", lambda: metadata(server.resources.get()))
    numa = ask("read /1.0/resources", lambda: parse_numa(resources))
    seen = {"all_projects": True}
    instances = all_instances(server, project, seen)
    pools = read_pools(server, instances, project, seen)
    interfaces = read_interfaces(project_api if project_exists else server, resources)
    memory = sum(node["memory"]["total"] for node in numa)
    domains = {}
    if project_exists:
        sizes = lxd_instances.volume_sizes(client)
        domains = lxd_instances.read_instances(client, project, memory, sizes)
        networks = {i["name"] for i in interfaces if i["type"] == "network"}
        pool_active = {p["name"]: p["active"] for p in pools}
        cores = {cpu["id"] for node in numa for cpu in node["cpus"] if cpu.get("online", True)}
        for entry in domains.values():
            entry["drift"] = lxd_instances.instance_drift(entry, sizes, pool_active, networks, cores)
        # rule 6: what a drifted volume still claims stays used (drift.py says why)
        drift.charge(pools, [finding for entry in domains.values() for finding in entry["drift"]])
    vms = [lxd_instances.allocation(entry, host, numa) for entry in domains.values()]
    vms += other_projects(instances, project, host, numa, memory)
    free_vfs = count_vfs(interfaces, vms)
    apply_networks(interfaces, policy.get("networks") or [], LXD_NETWORK)
    fingerprint = environment.get("certificate_fingerprint")
    # every project of one server shares its hardware: the server certificate names the server
    hardware_id = f"lxd:{fingerprint}" if fingerprint else None
    record = host_record(host, "lxd", hardware_id, policy, numa, pools, interfaces, vms)
    capabilities = {
        "server_name": host,
        "server_version": environment.get("server_version"),
        "architectures": list(environment.get("architectures") or []),
        "hugepage_sizes": [size for size in [hugepage_size(resources)] if size],
        "project": project,
    }
    inventory = Inventory(record, domains, capabilities, free_vfs)
    if not seen["all_projects"]:
        inventory.warnings.append(
            f"this client's certificate is restricted to project {project!r}: instances and volumes of the server's "
            f"other projects cannot be seen, so the cores, memory and storage they take are not counted; reserve "
            f"them in the policy (reserved) or use an unrestricted certificate"
        )
    return inventory
