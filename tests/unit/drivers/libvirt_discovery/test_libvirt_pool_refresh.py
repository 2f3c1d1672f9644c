# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Discovery refreshes active pools before reading their figures, and a refresh libvirt refuses is a clear error.

The figures being really fresh is tested against libvirtd (tests/integration/test_libvirt_storage_figures.py);
here fakes check the order of calls and the error paths.
"""

from __future__ import annotations

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt import discovery
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.connection import libvirt

POOL_XML = "<pool type='dir'><name>{name}</name><target><path>/p/{name}</path></target></pool>"


class FakePool:
    def __init__(self, name, active=True, refusals=()):
        self._name, self.active, self.refusals, self.calls = name, active, list(refusals), []

    def name(self):
        return self._name

    def isActive(self):
        return self.active

    def refresh(self, _flags):
        self.calls.append("refresh")
        if self.refusals:
            raise libvirt.libvirtError(self.refusals.pop(0))

    def listAllVolumes(self, _flags):
        self.calls.append("volumes")
        return []

    def info(self):
        self.calls.append("info")
        return [2, 100, 40, 60]

    def XMLDesc(self, _flags):
        return POOL_XML.format(name=self._name)


class FakeConn:
    def __init__(self, *pools):
        self.pools = pools

    def listAllStoragePools(self, _flags):
        return list(self.pools)


@pytest.fixture(autouse=True)
def no_wait(monkeypatch):
    monkeypatch.setattr(discovery.time, "sleep", lambda _s: None)


def test_active_pools_are_refreshed_before_their_figures_are_read():
    active, idle, meta = FakePool("images"), FakePool("old", active=False), FakePool("vmfleet")
    pools, _paths = discovery._pools(FakeConn(active, idle, meta))
    assert active.calls == ["refresh", "volumes", "info"]
    assert idle.calls == [] and meta.calls == []  # inactive pools count as 0; the meta pool holds no VM disks
    assert [p["available"] for p in pools] == [60, 0]


def test_a_pool_busy_building_a_volume_is_retried():
    busy = FakePool("images", refusals=["pool 'images' has asynchronous jobs running."] * 3)
    discovery._pools(FakeConn(busy))
    assert busy.calls == ["refresh"] * 4 + ["volumes", "info"]


def test_a_refresh_libvirt_refuses_is_a_driver_error_naming_the_pool():
    error = libvirt.libvirtError("cannot open directory '/p/images': No such file or directory")

    class Broken(FakePool):
        def refresh(self, _flags):
            raise error

    with pytest.raises(DriverError) as raised:
        discovery._pools(FakeConn(Broken("images")))
    assert raised.value.kind == "hypervisor"
    assert raised.value.message.startswith("cannot refresh storage pool 'images', so its free space is not known")
    assert "No such file or directory" in raised.value.message


def test_a_pool_that_stays_busy_fails_after_the_retries():
    busy = FakePool("images", refusals=["pool 'images' has asynchronous jobs running."] * discovery._REFRESH_TRIES)
    with pytest.raises(DriverError) as raised:
        discovery._pools(FakeConn(busy))
    assert "asynchronous jobs running" in raised.value.message
    assert busy.calls == ["refresh"] * discovery._REFRESH_TRIES
