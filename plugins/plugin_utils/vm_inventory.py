# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the ``vmfleet.hosts.vms`` inventory plugin reads and how it shapes it, apart from Ansible's inventory.

``read_host`` talks to one VM host through the same driver the modules use and returns plain, JSON-ready data
(what the plugin caches); ``vm_entries`` turns that data into inventory hosts with their variables and groups.
Only these VM-host facts reach host variables: never a client certificate or key path, nor an address's query
string (a ``qemu+ssh`` URI may name a key file there).
"""

from __future__ import annotations

import os

from ansible_collections.vmfleet.hosts.plugins.module_utils.connection_resolution import resolve_connection
from ansible_collections.vmfleet.hosts.plugins.module_utils.connection_spec import connection_argspec
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.factory import open_driver

CONNECTION_KEYS = tuple(connection_argspec())
ALIASES = {alias: key for key, spec in connection_argspec().items() for alias in spec.get("aliases", [])}
PATH_KEYS = tuple(key for key, spec in connection_argspec().items() if spec["type"] == "path")
ENTRY_KEYS = ("name",) + CONNECTION_KEYS + tuple(ALIASES)


class InventoryConfigError(ValueError):
    """A bad inventory source setting; the message names the setting and the reason."""


def host_params(defaults: dict, entry, index: int) -> dict:
    """The connection options of ``vm_hosts[index]``: its own keys over the source's top-level ones.

    An alias stays in the result next to its option so that the connection's own check refuses ``uri`` for an LXD
    host and ``url`` for a libvirt one, as it does for the modules.
    """
    where = f"vm_hosts[{index}]"
    if not isinstance(entry, dict):
        raise InventoryConfigError(f"{where}: must be a mapping of connection options, got {type(entry).__name__}")
    unknown = sorted(str(key) for key in entry if key not in ENTRY_KEYS)
    if unknown:
        raise InventoryConfigError(f"{where}.{unknown[0]}: is not a setting of a VM host; use {', '.join(ENTRY_KEYS)}")
    own = {}
    params = {}
    for key, value in entry.items():
        if key == "name" or value is None:
            continue
        if not isinstance(value, str):
            raise InventoryConfigError(f"{where}.{key}: must be a string, got {type(value).__name__}")
        option = ALIASES.get(key, key)
        if option in own:
            raise InventoryConfigError(f"{where}.{key}: {own[option]} is given too; give one of them")
        own[option] = key
        params[option] = value
        if key in ALIASES:
            params[key] = value
    if "name" in entry and (not isinstance(entry["name"], str) or not entry["name"].strip()):
        raise InventoryConfigError(f"{where}.name: must be a non-empty string (the VM host's group name)")
    for option in CONNECTION_KEYS:
        # the source's top-level options stand in for what the entry leaves out, as module_defaults do
        if option not in own and defaults.get(option) is not None:
            params[option] = defaults[option]
    for option in PATH_KEYS:
        if params.get(option):
            params[option] = os.path.expanduser(os.path.expandvars(params[option]))
    return params


def public_address(address) -> str | None:
    """The address without its query string (``?keyfile=...``, ``?socket=...``), for host variables."""
    return address.split("?", 1)[0] if isinstance(address, str) else address


def default_label(record: dict, connection: dict) -> str:
    """A VM host's name in groups when its entry gives none: the host's name, and the LXD project when not
    ``default`` (every project of one server has the server's name)."""
    project = connection.get("project") or "default"
    if connection.get("type") == "lxd" and project != "default":
        return f"{record['name']}-{project}"
    return record["name"]


def read_host(params: dict, label, include_unmanaged: bool, include_link_local: bool, opener=open_driver) -> dict:
    """One VM host and its VMs, as plain data (raises DriverError when the host cannot be read)."""
    connection = resolve_connection(params)
    driver = opener(connection)
    try:
        inventory = driver.inventory()
        record = inventory.record
        allocations = {vm["name"]: vm for vm in record["vms"]}
        vms = []
        # inventory.domains holds this host's own VMs only: an LXD project's view of the server's other
        # projects (vms[] entries named <project>/<name>) belongs to the VM hosts those projects are
        for name, domain in sorted(inventory.domains.items()):
            managed = bool(domain["metadata"]["managed"])
            vm = allocations.get(name)
            if vm is None or (not managed and not include_unmanaged):
                continue
            running = vm["power_state"] == "running"
            vms.append(
                {
                    "name": name,
                    "managed": managed,
                    "instance_type": domain.get("instance_type") or "virtual-machine",
                    "power_state": vm["power_state"],
                    "pool": vm.get("pool") or record.get("pool"),
                    "tags": list(vm.get("tags") or []),
                    "cores": vm["cores"],
                    "pinned_cores": list(vm.get("pinned_cores") or []),
                    "memory": vm["memory"],
                    "hugepages_backed": bool(vm.get("hugepages_backed")),
                    "disks": [{k: d.get(k) for k in ("name", "pool", "size")} for d in vm.get("disks") or []],
                    "interfaces": [
                        {k: n.get(k) for k in ("name", "mac", "mode", "network", "bridge", "vlan")}
                        for n in vm.get("interfaces") or []
                    ],
                    "addresses": driver.addresses(name, include_link_local) if running else [],
                }
            )
    finally:
        driver.close()
    return {
        "label": label or default_label(record, connection),
        "name": record["name"],
        "type": connection["type"],
        "address": public_address(connection.get("address")),
        "project": connection.get("project") if connection["type"] == "lxd" else None,
        "pool": record.get("pool"),
        "zone": record.get("zone"),
        "tags": list(record.get("tags") or []),
        "vms": vms,
    }


def first_usable(addresses: list):
    """The address ansible_host gets: the first IPv4 one, else the first IPv6 one, else None."""
    for family in ("inet", "inet6"):
        for entry in addresses:
            if entry["family"] == family:
                return entry["address"]
    return None


def vm_variables(host: dict, vm: dict, prefix: str) -> dict:
    values = {
        "host": host["label"],
        "host_name": host["name"],
        "host_type": host["type"],
        "host_address": host["address"],
        "project": host["project"],
        "zone": host["zone"],
        "host_tags": host["tags"],
    }
    values.update(vm)
    return {prefix + key: value for key, value in values.items()}


def vm_groups(host: dict, vm: dict, prefix: str) -> list:
    """The groups a VM joins (before Ansible makes the names safe): VM host, pool, zone, tags, power, type."""
    groups = [f"{prefix}host_{host['label']}"]
    if vm["pool"]:
        groups.append(f"{prefix}pool_{vm['pool']}")
    if host["zone"]:
        groups.append(f"{prefix}zone_{host['zone']}")
    groups += [f"{prefix}tag_{tag}" for tag in vm["tags"]]
    groups.append(f"{prefix}{vm['power_state']}")
    groups.append(f"{prefix}{vm['instance_type']}")
    return groups


def vm_entries(hosts: list, vars_prefix: str, group_prefix: str):
    """(inventory host name, variables, groups, note) per VM; a name seen on an earlier VM host of the source is
    made ``<VM host label>/<VM name>``, and the note says so."""
    seen = set()
    for host in hosts:
        for vm in host["vms"]:
            name, note = vm["name"], None
            if name in seen:
                name = f"{host['label']}/{vm['name']}"
                note = (
                    f"VM {vm['name']!r} of {host['label']} is named {name!r}: an earlier VM host has one by that name"
                )
            seen.add(name)
            variables = vm_variables(host, vm, vars_prefix)
            address = first_usable(vm["addresses"])
            if address:
                variables["ansible_host"] = address
            yield name, variables, vm_groups(host, vm, group_prefix), note
