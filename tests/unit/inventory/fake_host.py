# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A driver stand-in with the parts of a discovery the inventory plugin reads (no daemon)."""

from __future__ import annotations

V4 = {"interface": "eth0", "mac": "52:54:00:00:00:01", "family": "inet", "address": "192.168.122.5"}


class Inventory:
    def __init__(self, record, domains):
        self.record = record
        self.domains = domains


def vm(name, power_state="running", pool=None, tags=(), memory=1024):
    return {
        "name": name,
        "host": "kvm-01",
        "cores": 2,
        "pinned_cores": [],
        "memory": memory,
        "hugepages_backed": False,
        "disks": [{"name": "root", "pool": "default", "size": 10**10}],
        "interfaces": [{"name": "eth0", "mac": "52:54:00:00:00:01", "mode": "bridge", "network": "default"}],
        "power_state": power_state,
        "pool": pool,
        "tags": list(tags),
    }


class FakeDriver:
    def __init__(self, vms, unmanaged=(), addresses=None, zone="az1", instance_type=None):
        self.closed = False
        self.asked = []
        self._addresses = addresses or {}
        domains = {}
        for entry in vms:
            managed = entry["name"] not in unmanaged
            domains[entry["name"]] = {"metadata": {"managed": managed}}
            if instance_type:
                domains[entry["name"]]["instance_type"] = instance_type
        # an LXD project's view of another project: in vms[] only, never in domains
        record_vms = list(vms) + [dict(vm("other/thing"), name="other/thing")]
        record = {"name": "kvm-01", "pool": "default-pool", "zone": zone, "tags": ["ssd"], "vms": record_vms}
        self._inventory = Inventory(record, domains)

    def inventory(self):
        return self._inventory

    def addresses(self, name, include_link_local=False):
        self.asked.append((name, include_link_local))
        return list(self._addresses.get(name, []))

    def close(self):
        self.closed = True
