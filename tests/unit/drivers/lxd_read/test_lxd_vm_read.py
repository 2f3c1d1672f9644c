# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The targeted read of one instance (vm_read.read_vm) finds what discovery's instance read finds of it.

A fake LXD API serves both: discovery's part for the project's instances (``read_instances`` with every custom
volume's size, then ``instance_drift`` and ``allocation`` against every pool and network) and the targeted GETs.
The instance is shaped as vm_compose makes one (our ``user.vmfleet.*`` keys, a root disk and a custom data
volume, a NIC on a managed network); the server's resources are the captured /1.0/resources.
"""

from __future__ import annotations

import json

import pytest
from lxd_fixtures import load

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd import instances
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.read.resources import parse_numa
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.removal import LXDAPIException
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.vm_read import read_vm

GB = 10**9
STORED = {
    "request": {
        "name": "web",
        "cores": 1,
        "memory": 128,
        "disks": [{"name": "root", "size": GB, "pool": "default"}, {"name": "data", "size": 2 * GB, "pool": "default"}],
        "interfaces": [{"name": "eth0"}],
    },
    "options": {"boot": "image", "instance_type": "container"},
}


def instance(name="web", cpu="1", managed=True):
    config = {"limits.cpu": cpu, "limits.memory": "128MiB", "volatile.uuid": f"uuid-{name}"}
    if managed:
        volumes = [
            {"pool": "default", "name": f"{name}-root", "root": True},
            {"pool": "default", "name": f"{name}-data"},
        ]
        config.update({instances.KEY_REQUEST: json.dumps(STORED), instances.KEY_VOLUMES: json.dumps(volumes)})
    devices = {
        "root": {"type": "disk", "path": "/", "pool": "default", "size": f"{GB}B"},
        "data": {"type": "disk", "pool": "default", "source": f"{name}-data", "path": "/mnt/data"},
        "eth0": {"type": "nic", "network": "lxdbr0", "name": "eth0"},
    }
    return {
        "name": name,
        "type": "container",
        "status": "Stopped",
        "config": config,
        "devices": devices,
        "expanded_config": config,
        "expanded_devices": devices,
        "profiles": ["default"],
    }


class Response:
    def __init__(self, status, metadata):
        self.status_code, self.metadata = status, metadata

    def json(self):
        return {"type": "sync", "metadata": self.metadata, "error": "not found", "error_code": self.status_code}


class Node:
    """An API node as pylxd's: ``node[name]``, ``node.name``, ``node.get(params=...)``; answers from ``server``."""

    def __init__(self, server, path=""):
        self.server, self.path = server, path

    def __getitem__(self, name):
        return Node(self.server, f"{self.path}/{name}")

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return Node(self.server, f"{self.path}/{name}")

    def get(self, params=None):
        recursion = (params or {}).get("recursion") == "1"
        self.server.gets.append(self.path + ("?recursion=1" if recursion else ""))
        found = self.server.answer(self.path, recursion)
        if found is None:
            raise LXDAPIException(Response(404, None))
        return Response(200, found)


class Server:
    def __init__(self):
        self.gets = []
        self.instances = {"web": instance("web"), "db": instance("db")}
        self.volumes = {("default", "web-data"): 2 * GB, ("default", "db-data"): GB}
        self.pools = {"default": "Created"}
        self.networks = {"lxdbr0": True}  # name -> managed
        self.resources = load("resources.json")

    def answer(self, path, recursion):
        parts = path.strip("/").split("/")
        if parts == ["instances"]:
            return list(self.instances.values()) if recursion else [f"/1.0/instances/{n}" for n in self.instances]
        if parts[0] == "instances" and len(parts) == 2:
            return self.instances.get(parts[1])
        if parts == ["resources"]:
            return self.resources
        if parts == ["storage-pools"]:
            return [f"/1.0/storage-pools/{name}" for name in self.pools]
        if parts[0] == "storage-pools":
            pool = parts[1]
            if pool not in self.pools:
                return None
            if len(parts) == 2:
                return {"name": pool, "driver": "dir", "status": self.pools[pool], "config": {}}
            if parts[2:] == ["resources"]:
                return {"space": {"total": 100 * GB, "used": 10 * GB}}
            if parts[2:] == ["volumes"]:
                return [
                    {"name": name, "type": "custom", "config": {"size": f"{size}B"}}
                    for (p, name), size in self.volumes.items()
                    if p == pool
                ]
            if parts[2:4] == ["volumes", "custom"]:
                size = self.volumes.get((pool, parts[4]))
                return None if size is None else {"name": parts[4], "type": "custom", "config": {"size": f"{size}B"}}
        if parts[0] == "networks" and len(parts) == 2:
            managed = self.networks.get(parts[1])
            return None if managed is None else {"name": parts[1], "managed": managed, "type": "bridge"}
        raise AssertionError(f"unexpected GET {path}")


class Client:
    def __init__(self, server):
        self.api = Node(server)


def whole_read(server, name):
    """What discovery builds for instance ``name``: every instance, every custom volume, every pool and network."""
    client = Client(server)
    numa = parse_numa(server.resources)
    memory = sum(node["memory"]["total"] for node in numa)
    sizes = instances.volume_sizes(client)
    entry = instances.read_instances(client, "vms", memory, sizes)[name]
    pools = {pool: status == "Created" for pool, status in server.pools.items()}
    networks = {net for net, managed in server.networks.items() if managed}
    cores = {cpu["id"] for node in numa for cpu in node["cpus"] if cpu.get("online", True)}
    entry["drift"] = instances.instance_drift(entry, sizes, pools, networks, cores)
    return entry, instances.allocation(entry, "lxd-01", numa)


def kinds(entry):
    return [(finding["kind"], finding["what"]) for finding in entry["drift"]]


def test_the_targeted_read_is_discoverys_entry_from_the_instances_own_gets():
    server = Server()
    targeted = read_vm(Client(server), "web", "lxd-01")
    gets = list(server.gets)
    assert targeted == whole_read(server, "web")
    domain, vm = targeted
    assert domain["metadata"]["request"] == STORED and domain["drift"] == []
    assert [(d["name"], d["size"]) for d in vm["disks"]] == [("root", GB), ("data", 2 * GB)]
    # the instance, its one custom volume, that volume's pool (and its figures), its network: nothing else
    assert gets == [
        "/instances/web",
        "/storage-pools/default/volumes/custom/web-data",
        "/storage-pools/default",
        "/storage-pools/default/resources",
        "/networks/lxdbr0",
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda s: s.volumes.pop(("default", "web-data")), ("volume_missing", "default/web-data")),
        (lambda s: s.volumes.update({("default", "web-data"): GB}), ("volume_changed", "default/web-data")),
        (lambda s: s.networks.pop("lxdbr0"), ("network_missing", "lxdbr0")),
        (lambda s: s.networks.update(lxdbr0=False), ("network_missing", "lxdbr0")),
        # an errored pool's volume is still listed with its size: neither read finds drift, both alike
        (lambda s: s.pools.update(default="Errored"), None),
    ],
    ids=["volume deleted", "volume shrunk", "network gone", "network unmanaged", "pool errored"],
)
def test_drift_is_found_by_the_targeted_read_as_by_discovery(change, expected):
    server = Server()
    change(server)
    targeted = read_vm(Client(server), "web", "lxd-01")
    whole = whole_read(server, "web")
    assert kinds(targeted[0]) == kinds(whole[0])
    assert targeted == whole
    if expected is not None:
        assert expected in kinds(targeted[0])


def test_a_pinned_instance_reads_the_hosts_cores_and_finds_one_gone():
    server = Server()
    server.instances["web"] = instance("web", cpu="0,63")  # core 63: no such core on the captured host
    targeted = read_vm(Client(server), "web", "lxd-01")
    assert "/resources" in server.gets
    assert ("core_missing", "63") in kinds(targeted[0])
    assert targeted == whole_read(server, "web")


def test_no_such_instance_is_none_and_an_unmanaged_one_has_no_drift():
    server = Server()
    assert read_vm(Client(server), "nobody", "lxd-01") is None
    server.instances["other"] = instance("other", managed=False)
    domain, vm = read_vm(Client(server), "other", "lxd-01")
    assert not domain["metadata"]["managed"] and domain["drift"] == [] and vm["name"] == "other"
