# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The targeted read of one instance: what discovery finds of it, without reading the rest of the server.

An unchanged re-run of vm_compose needs one instance's metadata, stored request and drift. Discovery gets the
drift from what it read of the whole server (every project's instances, every pool with its volumes, the
networks, the resources); here the same inputs are asked for this instance only: one GET of the instance, and
only when it has them, one GET per custom volume it owns, per storage pool those are on, per managed network its
NICs name, and /1.0/resources when it is pinned, hugepage-backed or sized as a share of the host's memory.
drift.detect and the instance readers judge them, so the entry is the one discovery would build.

Where the read cannot be sure (a pool whose figures LXD cannot give), it reports what discovery reports for it
(the pool counts as inactive, its volumes as unreachable): the caller then goes the locked way and decides there.
"""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd import discovery
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd import instances as lxd_instances
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.read.resources import parse_numa
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.read.units import size_bytes

# LXD refuses with LXDAPIException; the transport fails with OSError (requests' errors are OSErrors)
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.removal import LXDAPIException


def _status(error):
    return getattr(getattr(error, "response", None), "status_code", None)


def _get(what: str, node):
    """The metadata of ``node.get()``; None when LXD answers 404 (there is no such thing)."""
    try:
        return node.get().json().get("metadata")
    except (LXDAPIException, OSError) as error:
        if _status(error) == 404:
            return None
        raise DriverError("hypervisor", f"cannot {what}: {error}") from None


def _custom_volumes(raw: dict, metadata: dict) -> set:
    """(pool, volume) of the custom volumes the instance has as devices or owns by its metadata (not its root)."""
    devices = raw.get("expanded_devices") or raw.get("devices") or {}
    wanted = {
        (device["pool"], device["source"])
        for device in devices.values()
        if device.get("type") == "disk" and device.get("pool") and device.get("source")
    }
    wanted |= {(v["pool"], v["name"]) for v in metadata["volumes"] if not v.get("root")}
    return wanted


def _sizes(client, wanted: set) -> dict:
    """(pool, custom volume) -> bytes for the volumes that exist, as instances.volume_sizes maps them."""
    sizes = {}
    for pool, name in sorted(wanted):
        vol = _get(
            f"read volume {name!r} of storage pool {pool!r}", client.api["storage-pools"][pool].volumes.custom[name]
        )
        if vol is not None:
            size = (vol.get("config") or {}).get("size")
            sizes[(pool, name)] = size_bytes(size, f"storage pool {pool!r}: volume {name!r} size") if size else 0
    return sizes


def _pools(client, names: set) -> dict:
    """pool name -> active, as discovery's parse_pool judges it (Created, and its resources readable)."""
    pools = {}
    for name in sorted(names):
        node = client.api["storage-pools"][name]
        pool = _get(f"read storage pool {name!r}", node)
        if pool is None:
            continue  # gone: absent from the map, as from discovery's
        try:
            node.resources.get()
            readable = True
        except (LXDAPIException, OSError):
            readable = False  # discovery counts such a pool as inactive too
        pools[name] = (pool.get("status") or "Created") == "Created" and readable
    return pools


def _networks(client, names: set) -> set:
    """The names among ``names`` of managed networks the project sees (discovery's ``type: network``)."""
    found = set()
    for name in sorted(names):
        net = _get(f"read network {name!r}", client.api.networks[name])
        if net is not None and net.get("managed"):
            found.add(name)
    return found


def _needs_host(entry: dict, raw: dict) -> bool:
    """Whether the instance's entry depends on the host's NUMA nodes, cores or memory (/1.0/resources): pinned
    cores are checked against the online ones, pages are split over nodes, a memory share is of the host's."""
    config = raw.get("expanded_config") or raw.get("config") or {}
    percent = str(config.get("limits.memory") or "").strip().endswith("%")
    return bool(entry["pinned_cores"] or entry["hugepages_backed"] or percent)


def read_vm(client, name: str, host: str):
    """``(domain, vm)`` for instance ``name`` of the client's project, as discovery builds its ``domains[name]``
    and ``vms[]`` entry (``host`` is the record's host name); None when there is no such instance."""
    raw = _get(f"read instance {name!r}", client.api.instances[name])
    if raw is None:
        return None
    config = raw.get("expanded_config") or raw.get("config") or {}
    metadata = lxd_instances.parse_metadata(config, f"instance {name!r}")
    wanted = _custom_volumes(raw, metadata)
    sizes = _sizes(client, wanted)
    entry = lxd_instances.parse_instance(raw, sizes, 0, {})
    numa, cores = [], None  # cores None: nothing pinned to check
    if _needs_host(entry, raw):
        resources = _get("read /1.0/resources", client.api.resources)
        numa = discovery.ask("read /1.0/resources", lambda: parse_numa(resources))
        memory = sum(node["memory"]["total"] for node in numa)
        cores = {cpu["id"] for node in numa for cpu in node["cpus"] if cpu.get("online", True)}
        entry = lxd_instances.parse_instance(raw, sizes, memory, {})
    pools = _pools(client, {pool for pool, _name in wanted})
    networks = _networks(client, {nic["network"] for nic in entry["interfaces"] if nic["network"]})
    entry["drift"] = lxd_instances.instance_drift(entry, sizes, pools, networks, cores)
    return entry, lxd_instances.allocation(entry, host, numa)
