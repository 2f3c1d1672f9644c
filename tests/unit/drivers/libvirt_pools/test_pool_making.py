# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Two jobs on one libvirtd (reached locally and over qemu+ssh) making the same dir pool at once.

A fake connection plays libvirt's side: the other job's define, build and start land between this job's calls.
The real two-route fleet run is in tests/integration/test_fleet_playbook.py.
"""

from __future__ import annotations

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt import meta_pool, pool_making
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.connection import libvirt


def _error(message, code=libvirt.VIR_ERR_OPERATION_FAILED):
    error = libvirt.libvirtError(message)
    error.get_error_code = lambda: code
    return error


class Pool:
    def __init__(self, conn):
        self.conn, self.active = conn, False

    def isActive(self):
        return self.active

    def build(self, _flags):
        self.conn.calls.append("build")

    def create(self, _flags):
        self.conn.calls.append("create")
        if self.conn.other_starts_it:
            self.active = True  # the other job started it first: this start is refused
            raise _error("storage pool 'vmfleet' is already active", libvirt.VIR_ERR_OPERATION_INVALID)
        self.active = True

    def setAutostart(self, _flag):
        self.conn.calls.append("autostart")


class Conn:
    def __init__(self, other_defines_it=False, other_starts_it=False, broken=False):
        self.pool = None
        self.calls = []
        self.other_defines_it, self.other_starts_it, self.broken = other_defines_it, other_starts_it, broken

    def storagePoolLookupByName(self, name):
        if self.pool is None:
            raise _error(f"no storage pool {name}", libvirt.VIR_ERR_NO_STORAGE_POOL)
        return self.pool

    def storagePoolDefineXML(self, _xml, _flags):
        self.calls.append("define")
        if self.broken:
            raise _error("cannot create directory: Permission denied")
        if self.other_defines_it:
            self.other_defines_it = False
            self.pool = Pool(self)
            self.pool.active = True  # the other job defined, built and started it just before
            raise _error("pool 'vmfleet' already exists with uuid 1234")
        self.pool = Pool(self)
        return self.pool


@pytest.fixture(autouse=True)
def no_pause(monkeypatch):
    monkeypatch.setattr(pool_making, "PAUSE", 0)


def test_a_missing_pool_is_defined_built_started_and_autostarted():
    conn = Conn()
    pool = meta_pool.ensure(conn)
    assert pool.isActive() and conn.calls == ["define", "build", "create", "autostart"]


def test_a_pool_the_other_job_defined_first_is_taken_as_it_is():
    conn = Conn(other_defines_it=True)
    pool = meta_pool.ensure(conn)
    assert pool is conn.pool and pool.isActive() and conn.calls == ["define"]


def test_a_pool_the_other_job_started_first_is_no_failure():
    conn = Conn()
    conn.pool = Pool(conn)  # defined by the other job, not started yet when this job looks
    conn.other_starts_it = True
    assert meta_pool.find(conn).isActive()


def test_a_pool_that_cannot_be_made_is_an_error_after_a_few_looks():
    conn = Conn(broken=True)
    with pytest.raises(DriverError, match="cannot create storage pool 'vmfleet' at .*Permission denied"):
        meta_pool.ensure(conn)
    assert conn.calls == ["define"] * pool_making.TRIES
