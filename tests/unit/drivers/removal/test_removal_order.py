# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Removal in the safe order on both drivers: volumes first, the definition (the record of them) last.

Fakes stand in for libvirt's and pylxd's objects; they record the calls in order and fail where told to.
The real failure (an immutable volume file) is in tests/integration/test_libvirt_removal.py.
"""

from __future__ import annotations

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.connection import libvirt
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.removal import remove_domain
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd import removal as lxd_removal

VOLUMES = [{"pool": "p", "name": "vm-root"}, {"pool": "p", "name": "vm-data"}]


class FakeVol:
    def __init__(self, conn, name):
        self.conn, self.name = conn, name

    def delete(self, _flags):
        self.conn.calls.append(f"delete {self.name}")
        if self.name in self.conn.stuck:
            raise libvirt.libvirtError("cannot unlink file: Operation not permitted")
        self.conn.volumes.discard(self.name)


class FakeConn:
    def __init__(self, stuck=()):
        self.calls, self.stuck = [], set(stuck)
        self.volumes = {"vm-root", "vm-data"}
        self.defined = True

    def lookupByName(self, _name):
        if not self.defined:
            error = libvirt.libvirtError("no domain")
            error.get_error_code = lambda: libvirt.VIR_ERR_NO_DOMAIN
            raise error
        return self

    def isActive(self):
        return True

    def destroy(self):
        self.calls.append("destroy")

    def undefineFlags(self, _flags):
        self.calls.append("undefine")
        self.defined = False

    def storagePoolLookupByName(self, _pool):
        return self

    def storageVolLookupByName(self, name):
        if name not in self.volumes:
            error = libvirt.libvirtError("no volume")
            error.get_error_code = lambda: libvirt.VIR_ERR_NO_STORAGE_VOL
            raise error
        return FakeVol(self, name)


def test_libvirt_deletes_volumes_before_the_definition():
    conn = FakeConn()
    assert remove_domain(conn, "vm", VOLUMES) == ["p/vm-root", "p/vm-data"]
    assert conn.calls == ["destroy", "delete vm-root", "delete vm-data", "undefine"]


def test_libvirt_a_stuck_volume_keeps_the_definition_and_a_rerun_finishes():
    conn = FakeConn(stuck={"vm-data"})
    with pytest.raises(DriverError) as raised:
        remove_domain(conn, "vm", VOLUMES)
    assert "cannot delete volume p/vm-data" in raised.value.message
    assert "VM 'vm' is kept, stopped, as the record of p/vm-data" in raised.value.message
    assert conn.defined and conn.volumes == {"vm-data"} and "undefine" not in conn.calls
    conn.stuck.clear()
    assert remove_domain(conn, "vm", VOLUMES) == ["p/vm-data"]
    assert not conn.defined and conn.volumes == set()


def test_lxd_detaches_only_the_owned_custom_volumes():
    current = {
        "config": {"user.vmfleet.volumes": "[...]"},
        "devices": {
            "root": {"type": "disk", "path": "/", "pool": "p"},
            "data": {"type": "disk", "pool": "p", "source": "vm-data", "path": "/data"},
            "shared": {"type": "disk", "pool": "p", "source": "shared", "path": "/shared"},
            "eth0": {"type": "nic", "network": "lxdbr0"},
        },
        "profiles": [],
        "status": "Stopped",
        "name": "vm",
    }
    owned = [{"pool": "p", "name": "vm-root", "root": True}, {"pool": "p", "name": "vm-data"}]
    body = lxd_removal.detached(current, owned)
    assert sorted(body["devices"]) == ["eth0", "root", "shared"]
    assert body["config"] == current["config"]  # the record of the volumes stays with the instance
    assert "status" not in body and "name" not in body
    assert lxd_removal.detached({**current, "devices": body["devices"]}, owned) is None


class FakeResponse:
    def __init__(self, body=None):
        self.body = body or {"type": "sync", "metadata": {}}

    def json(self):
        return self.body


class FakeLxdError(lxd_removal.LXDAPIException):
    def __init__(self, status):
        super().__init__(type("R", (), {"status_code": status})())

    def __str__(self):
        return f"LXD answered {self.response.status_code}"


class FakeNode:
    """Any path of the fake client: calls are logged as 'VERB path'."""

    def __init__(self, client, path):
        self.client, self.path = client, path

    def __getattr__(self, name):
        return FakeNode(self.client, f"{self.path}/{name}")

    def __getitem__(self, name):
        return FakeNode(self.client, f"{self.path}/{name}")

    def _call(self, verb, **_kwargs):
        self.client.calls.append(f"{verb} {self.path}")
        return self.client.answer(verb, self.path)

    def get(self, **kwargs):
        return self._call("GET", **kwargs)

    def put(self, **kwargs):
        return self._call("PUT", **kwargs)

    def delete(self, **kwargs):
        return self._call("DELETE", **kwargs)


class FakeLxd:
    def __init__(self, stuck=()):
        self.calls, self.stuck, self.exists = [], set(stuck), True
        self.api = FakeNode(self, "")

    def answer(self, verb, path):
        if path == "/instances/vm" and verb == "GET":
            if not self.exists:
                raise FakeLxdError(404)
            devices = {"data": {"type": "disk", "pool": "p", "source": "vm-data", "path": "/data"}}
            return FakeResponse({"type": "sync", "metadata": {"status": "Stopped", "devices": devices, "config": {}}})
        if path == "/instances/vm" and verb == "DELETE":
            self.exists = False
        if verb == "DELETE" and path.endswith("/vm-data") and "vm-data" in self.stuck:
            raise FakeLxdError(500)
        return FakeResponse()


def test_lxd_deletes_custom_volumes_before_the_instance_and_a_rerun_finishes():
    client = FakeLxd(stuck={"vm-data"})
    owned = [{"pool": "p", "name": "vm-root", "root": True}, {"pool": "p", "name": "vm-data"}]
    with pytest.raises(DriverError) as raised:
        lxd_removal.remove_instance(client, "vm", owned)
    assert (
        "cannot delete volume p/vm-data" in raised.value.message and "run state: absent again" in raised.value.message
    )
    assert client.exists and "DELETE /instances/vm" not in client.calls
    assert client.calls.index("PUT /instances/vm") < client.calls.index(
        "DELETE /storage-pools/p/volumes/custom/vm-data"
    )
    client.stuck.clear()
    assert lxd_removal.remove_instance(client, "vm", owned) == ["p/vm-root", "p/vm-data"]
    assert client.calls[-1] == "DELETE /instances/vm" and not client.exists
