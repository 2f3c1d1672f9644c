# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A lock whose holder provably died is broken at once; one whose holder may be alive waits for its lease.

The processes are real (a child that runs, then is killed and reaped); only the lock's backing is a dict.
"""

from __future__ import annotations

import os
import subprocess
import time

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers import holder
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError


@pytest.fixture
def dead_identity():
    child = subprocess.Popen(["sleep", "60"])
    found = holder.identity(child.pid)
    assert not holder.is_dead(found)  # alive: not dead
    child.kill()
    child.wait()
    return found


def test_a_process_that_exited_is_dead(dead_identity):
    assert holder.is_dead(dead_identity)


def test_a_reused_pid_is_dead_but_the_same_process_is_not():
    me = holder.identity()
    assert me["start"] is not None and not holder.is_dead(me)
    assert holder.is_dead(dict(me, start=me["start"] - 1))  # the pid now belongs to a later process


@pytest.mark.parametrize(
    "change",
    [
        {"boot": "another-boot"},  # another machine or an earlier boot: its pids mean nothing here
        {"pid_namespace": "pid:[1]"},  # another container
        {"boot": None},
        {"pid": "12"},
        {"pid": True},
        {"pid": 0},
    ],
)
def test_what_cannot_be_judged_here_is_not_dead(dead_identity, change):
    assert not holder.is_dead(dict(dead_identity, **change))


@pytest.mark.parametrize("process", [None, "pid 12", [], {}])
def test_a_lock_from_before_holders_were_recorded_is_not_dead(process):
    assert not holder.is_dead(process)


def _held_by(process):
    return {"token": "d" * 32, "owner": "vm_compose other", "expires": time.time() + 600, "process": process}


def test_a_lock_whose_holder_died_is_broken_before_its_lease_runs_out(dict_lock, dead_identity):
    store = {"compose.lock": _held_by(dead_identity)}
    lock = dict_lock(store, timeout=0)
    lock.acquire()
    assert store["compose.lock"]["token"] == lock.token
    assert store["compose.lock"]["process"]["pid"] == os.getpid()
    lock.release()
    assert store == {}


def test_a_lock_whose_holder_lives_is_waited_for(dict_lock):
    store = {"compose.lock": _held_by(holder.identity())}
    with pytest.raises(DriverError) as raised:
        dict_lock(store, timeout=0.3).acquire()
    assert raised.value.kind == "lock_timeout"
    assert "broken at once by a job on the same machine" in raised.value.message
    assert store["compose.lock"]["token"] == "d" * 32


def test_a_failed_release_does_not_hide_the_jobs_own_failure(dict_lock):
    class Unreleasable(dict_lock):
        def _create(self, name, content):
            if name.startswith("compose.lock-break-"):
                raise DriverError("hypervisor", "client socket is closed")
            return super()._create(name, content)

    store = {}
    with pytest.raises(DriverError) as raised, Unreleasable(store, timeout=0):
        raise DriverError("hypervisor", "cannot compose VM 'x': disk full")
    assert raised.value.message.startswith("cannot compose VM 'x': disk full; the compose lock could not be released")
    assert "client socket is closed" in raised.value.message
