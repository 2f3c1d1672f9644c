# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The targeted read of one domain (vm_read.read_vm) finds what a whole discovery finds of it, drift included.

One fake libvirt host serves both reads: captured domain XML (a pinned, hugepage-backed VM we composed, with a
volume disk and a file disk in another pool, on the default network), two pools and a network. Each test compares
the targeted read with ``discovery.discover`` on the same host, as it is and after something was changed behind
the collection's back, and checks that the targeted read asked for less.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt import discovery
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.connection import libvirt
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.vm_read import read_vm
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.host_policy import merge_policy

FIXTURES = Path(__file__).resolve().parents[1] / "libvirt_read" / "fixtures"
GB = 10**9
# the captured domain, with the request as vm_compose stores it now (disk sizes included, so a shrunk one is seen)
STORED = {
    "request": {
        "name": "web-1",
        "cores": 4,
        "memory": 4096,
        "pinned_cores": [2, 3, 4, 5],
        "disks": [
            {"name": "root", "size": 10 * GB, "pool": "default"},
            {"name": "data", "size": 20 * GB, "pool": "bulk"},
        ],
    },
    "options": {"boot": "network"},
}
WEB = (FIXTURES / "qemu_domain_web_1_inactive.xml").read_text()
WEB = WEB.replace('{"name": "web-1", "cores": 4, "memory": 4096, "pinned_cores": [2, 3, 4, 5]}', json.dumps(STORED))
CAPS = (FIXTURES / "hand_capabilities_2socket_ht_hugepages.xml").read_text()
NETWORK = (FIXTURES / "qemu_host_network_default.xml").read_text()
NAME = "vmfleet-read-fixture-web-1"
DATA = "web-1-data.qcow2"  # the data disk, a file disk in pool bulk
POOL_XML = "<pool type='dir'><name>{name}</name><target><path>{path}</path></target></pool>"
OTHER = "<domain type='kvm'><name>other</name><memory unit='KiB'>65536</memory><vcpu>1</vcpu><devices/></domain>"


def refused(code, message="refused"):
    error = libvirt.libvirtError(message)
    error.get_error_code = lambda: code
    return error


class Host:
    """What the fake objects share, and every call made to them (the read's round trips)."""

    def __init__(self):
        self.calls = []
        self.pools = {
            "default": {"path": "/var/lib/libvirt/images", "active": True, "volumes": {"web-1-root": 10 * GB}},
            "bulk": {"path": "/srv/bulk", "active": True, "volumes": {"web-1-data.qcow2": 20 * GB, "x": GB}},
        }
        self.networks = {"default": NETWORK}
        self.domains = {NAME: WEB, "other": OTHER}
        self.caps = CAPS


class Vol:
    def __init__(self, host, pool, name):
        self.host, self.pool, self._name = host, pool, name

    def _spec(self):
        spec = self.host.pools.get(self.pool)
        if spec is None or self._name not in spec["volumes"]:
            raise refused(libvirt.VIR_ERR_NO_STORAGE_VOL, "no storage vol")
        return spec

    def name(self):
        return self._name

    def path(self):
        return f"{self._spec()['path']}/{self._name}"

    def info(self):
        self.host.calls.append("vol.info")
        return [0, self._spec()["volumes"][self._name], 0]

    def storagePoolLookupByVolume(self):
        return Pool(self.host, self.pool)


class Pool:
    def __init__(self, host, name):
        self.host, self._name = host, name

    def name(self):
        return self._name

    def isActive(self):
        self.host.calls.append("pool.isActive")
        return self.host.pools[self._name]["active"]

    def refresh(self, _flags):
        self.host.calls.append("pool.refresh")

    def listAllVolumes(self, _flags):
        self.host.calls.append("pool.listAllVolumes")
        return [Vol(self.host, self._name, vol) for vol in self.host.pools[self._name]["volumes"]]

    def info(self):
        return [2, 100 * GB, 40 * GB, 60 * GB]

    def XMLDesc(self, _flags):
        return POOL_XML.format(name=self._name, path=self.host.pools[self._name]["path"])

    def storageVolLookupByName(self, name):
        self.host.calls.append("pool.storageVolLookupByName")
        vol = Vol(self.host, self._name, name)
        vol._spec()
        return vol


class Net:
    def __init__(self, xml):
        self.xml = xml

    def XMLDesc(self, _flags):
        return self.xml

    def isActive(self):
        return True


class Dom:
    def __init__(self, host, name):
        self.host, self._name = host, name

    def name(self):
        return self._name

    def state(self):
        return [5, 0]  # shut off

    def isActive(self):
        return False

    def XMLDesc(self, _flags):
        self.host.calls.append("dom.XMLDesc")
        return self.host.domains[self._name]


class Conn:
    def __init__(self, host):
        self.host = host

    def getCapabilities(self):
        self.host.calls.append("getCapabilities")
        return self.host.caps

    def getHostname(self):
        return "kvm-01"

    def listAllStoragePools(self, _flags):
        self.host.calls.append("listAllStoragePools")
        return [Pool(self.host, name) for name in self.host.pools]

    def storagePoolLookupByName(self, name):
        self.host.calls.append("storagePoolLookupByName")
        if name not in self.host.pools:
            raise refused(libvirt.VIR_ERR_NO_STORAGE_POOL, "no storage pool")
        return Pool(self.host, name)

    def storageVolLookupByPath(self, path):
        self.host.calls.append("storageVolLookupByPath")
        for pool, spec in self.host.pools.items():
            if not spec["active"]:
                continue  # libvirt looks a path up in active pools only
            for vol in spec["volumes"]:
                if f"{spec['path']}/{vol}" == path:
                    return Vol(self.host, pool, vol)
        raise refused(libvirt.VIR_ERR_NO_STORAGE_VOL, "no storage vol")

    def listAllNetworks(self, _flags):
        return [Net(xml) for xml in self.host.networks.values()]

    def networkLookupByName(self, name):
        self.host.calls.append("networkLookupByName")
        if name not in self.host.networks:
            raise refused(libvirt.VIR_ERR_NO_NETWORK, "no network")
        return Net(self.host.networks[name])

    def listAllInterfaces(self, _flags):
        return []

    def listAllDevices(self, _flags):
        return []

    def listAllDomains(self, _flags):
        self.host.calls.append("listAllDomains")
        return [Dom(self.host, name) for name in self.host.domains]

    def lookupByName(self, name):
        self.host.calls.append("lookupByName")
        if name not in self.host.domains:
            raise refused(libvirt.VIR_ERR_NO_DOMAIN, "no domain")
        return Dom(self.host, name)


def both_reads(host):
    """(targeted, whole) reads of the web domain, and the calls the targeted one made."""
    host.calls = []
    targeted = read_vm(Conn(host), NAME)
    calls = list(host.calls)
    inventory = discovery.discover(Conn(host), merge_policy(None, {}))
    whole = (inventory.domains[NAME], next(vm for vm in inventory.record["vms"] if vm["name"] == NAME))
    return targeted, whole, calls


def kinds(entry):
    return [(finding["kind"], finding["what"]) for finding in entry["drift"]]


def test_the_targeted_read_is_the_whole_reads_entry_and_reads_only_this_vm():
    host = Host()
    targeted, whole, calls = both_reads(host)
    assert targeted == whole
    domain, vm = targeted
    assert domain["metadata"]["managed"] and domain["metadata"]["request"] == STORED
    assert domain["drift"] == []
    assert vm["pinned_cores"] == [2, 3, 4, 5] and vm["hugepages_backed"] and vm["numanode_set"] == [1]
    assert [(d["pool"], d["size"]) for d in vm["disks"]] == [("default", 10 * GB), ("bulk", 20 * GB)]
    # no listing of every domain and pool, no refresh of a pool: this VM's own objects only
    assert not {"listAllDomains", "listAllStoragePools", "pool.refresh", "pool.listAllVolumes"} & set(calls)
    assert calls.count("dom.XMLDesc") == 1  # shut off: the persistent definition only


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda h: h.pools["bulk"]["volumes"].pop("web-1-data.qcow2"), [("volume_missing", "bulk/web-1-data.qcow2")]),
        (
            lambda h: h.pools["bulk"]["volumes"].update({"web-1-data.qcow2": GB}),
            [("volume_changed", "bulk/web-1-data.qcow2")],
        ),
        (lambda h: h.pools["bulk"].update(active=False), [("volume_unreachable", f"bulk/{DATA}")]),
        (lambda h: h.pools.pop("default"), [("volume_missing", "default/web-1-root")]),
        (lambda h: h.networks.clear(), [("network_missing", "default")]),
        (lambda h: setattr(h, "caps", h.caps.replace("<cpu id='5' ", "<cpu id='9' ")), [("core_missing", "5")]),
    ],
    ids=["volume deleted", "volume shrunk", "pool stopped", "pool gone", "network gone", "core gone"],
)
def test_drift_behind_the_collections_back_is_found_by_the_targeted_read_as_by_the_whole_one(change, expected):
    host = Host()
    change(host)
    targeted, whole, _calls = both_reads(host)
    assert targeted == whole
    assert set(expected) <= set(kinds(targeted[0]))


def test_a_volume_libvirt_cannot_measure_counts_as_gone(monkeypatch):
    def info_fails(_vol):
        raise refused(libvirt.VIR_ERR_INTERNAL_ERROR, "cannot stat file")

    monkeypatch.setattr(Vol, "info", info_fails)
    domain, _vm = read_vm(Conn(Host()), NAME)
    assert ("volume_missing", "default/web-1-root") in kinds(domain)


def test_no_such_domain_is_none():
    host = Host()
    assert read_vm(Conn(host), "nobody") is None


def test_an_unmanaged_domain_is_read_without_its_pools_or_cores():
    host = Host()
    host.calls = []
    domain, vm = read_vm(Conn(host), "other")
    assert not domain["metadata"]["managed"] and domain["drift"] == []
    assert vm["name"] == "other" and vm["cores"] == 1
    assert "getCapabilities" not in host.calls and "storagePoolLookupByName" not in host.calls
    whole = discovery.discover(Conn(copy.deepcopy(host)), merge_policy(None, {}))
    assert whole.domains["other"] == domain
