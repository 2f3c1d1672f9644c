# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The compose lock's protocol on a fake backing, with waiters interleaved one backing call at a time.

A scheduler lets exactly one waiter run between two calls to the backing (and the lock's sleeps), choosing the
next one with a seeded random generator, so every interleaving is reproducible from its seed. The invariant is
checked at every step: at most one job believes it holds the lock, and the lock it believes it holds is the
one in the backing (nobody deleted it). The old check-then-delete break fails that under the same scheduler,
which shows the test can fail.
"""

from __future__ import annotations

import random
import threading

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers import lease_lock
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lease_lock import LeaseLock

EXPIRED = {"token": "d" * 32, "owner": "vm_compose dead (pid 1 on ctl-9)", "expires": 0}
SEEDS = range(100)


class Scheduler:
    """Runs threads one at a time; a thread gives up its turn at each ``step()``."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.cond = threading.Condition()
        self.alive = set()
        self.waiting = set()
        self.running = None
        self.now = 1000.0  # the fake clock; a step takes a millisecond
        self.steps = 0

    def step(self):
        me = threading.current_thread().name
        with self.cond:
            if self.running == me:
                self.running = None
            self.waiting.add(me)
            self.cond.notify_all()
            if not self.cond.wait_for(lambda: self.running == me, timeout=10):
                raise AssertionError(f"{me} never got a turn")
            self.waiting.discard(me)

    def _done(self):
        me = threading.current_thread().name
        with self.cond:
            self.alive.discard(me)
            if self.running == me:
                self.running = None
            self.cond.notify_all()

    def run(self, jobs: dict):
        errors = []

        def body(job):
            try:
                self.step()
                job()
            except Exception as error:  # reported by the test, not lost in a thread
                errors.append(error)
            finally:
                self._done()

        threads = [threading.Thread(target=body, args=(job,), name=name) for name, job in jobs.items()]
        self.alive = set(jobs)
        for thread in threads:
            thread.start()
        with self.cond:
            while self.alive:
                ready = self.cond.wait_for(lambda: self.running is None and self.alive <= self.waiting, timeout=10)
                assert ready, "a job neither stepped nor finished"
                if not self.alive:
                    break
                self.running = self.rng.choice(sorted(self.alive))
                self.now += 0.001
                self.steps += 1
                assert self.steps < 200000, "the jobs never finished"
                self.cond.notify_all()
        for thread in threads:
            thread.join(5)
        return errors


class FakeClock:
    def __init__(self, sched):
        self.sched = sched

    def time(self):
        return self.sched.now

    def monotonic(self):
        return self.sched.now

    def sleep(self, _seconds):
        self.sched.step()


class FakeLock(LeaseLock):
    """A backing whose create is atomic per name and whose other calls are each one step."""

    name = "compose.lock"

    def __init__(self, store: dict, sched: Scheduler, **kwargs):
        super().__init__("the fake host", "test", **kwargs)
        self.store = store
        self.sched = sched

    def _create(self, name, content):
        self.sched.step()
        if name in self.store:
            return False
        self.store[name] = dict(content) if content is not None else None
        return True

    def _read(self, name):
        self.sched.step()
        if name not in self.store:
            return None
        return dict(self.store[name] or {})

    def _delete(self, name):
        self.sched.step()
        self.store.pop(name, None)

    def _names(self, prefix):
        self.sched.step()
        return sorted(name for name in self.store if name.startswith(prefix))


class CheckThenDeleteLock(FakeLock):
    """The break as it was before: read the holder again, then delete whatever the lock is by then."""

    def _delete_if(self, holder):
        if self._holder() != holder:
            return "changed"
        self._delete(self.name)
        return "deleted"


def race(seed: int, lock_class=FakeLock, waiters: int = 4, initial="expired", lease: float = 600):
    """Waiters break one expired lock at once; returns (violations, errors, what is left in the backing)."""
    sched = Scheduler(seed)
    store = {"compose.lock": dict(EXPIRED) if initial == "expired" else initial}
    inside = []  # tokens of the jobs that believe they hold the lock
    violations = []

    def check(where):
        if len(inside) > 1:
            violations.append(f"{where}: {len(inside)} holders at once")
        for token in inside:
            if (store.get("compose.lock") or {}).get("token") != token:
                violations.append(f"{where}: a holder's lock was deleted under it")

    def job(lock):
        def run():
            lock.acquire()
            inside.append(lock.token)
            check("after acquire")
            for _step in range(3):  # the compose itself, a few steps long
                sched.step()
                check("while holding")
            inside.remove(lock.token)
            lock.release()

        return run

    locks = {f"waiter-{i}": lock_class(store, sched, lease=lease) for i in range(waiters)}
    original = lease_lock.time
    lease_lock.time = FakeClock(sched)
    try:
        errors = sched.run({name: job(lock) for name, lock in locks.items()})
    finally:
        lease_lock.time = original
    return violations, errors, store


@pytest.mark.parametrize("seed", SEEDS)
def test_waiters_breaking_one_expired_lock_never_hold_it_together(seed):
    violations, errors, left = race(seed)
    assert errors == [] and violations == []
    assert left == {}  # no lock and no breaker left behind


def test_check_then_delete_lets_two_jobs_hold_the_lock():
    """The same scheduler catches the race the breaker closes (so the test above can fail)."""
    failing = [seed for seed in SEEDS if race(seed, CheckThenDeleteLock)[0]]
    assert failing, "no interleaving made the old break delete a fresh lock"


@pytest.mark.parametrize("seed", range(15))
def test_an_unreadable_lock_is_broken_once_after_the_lease(seed):
    # a 2 s lease is 2000 steps of the fake clock: far more than a holder keeps the lock here
    violations, errors, left = race(seed, initial={}, waiters=3, lease=2)
    assert errors == [] and violations == [] and left == {}


class NoScheduler:
    """One job alone: nothing to interleave."""

    @staticmethod
    def step():
        return None


def _lock(store):
    return FakeLock(store, NoScheduler(), timeout=0.5)


def test_a_breaker_left_by_a_dead_job_is_swept_by_the_next_holder():
    store = {"compose.lock-break-" + "a" * 32: None, "compose.lock-break-unwritten": None, "policy.json": {}}
    lock = _lock(store)
    lock.acquire()
    assert sorted(store) == ["compose.lock", "policy.json"]
    lock.release()
    assert sorted(store) == ["policy.json"]


def test_a_breaker_of_the_current_lock_blocks_breaking_and_is_named(monkeypatch):
    monkeypatch.setattr(lease_lock.time, "sleep", lambda _s: None)
    store = {"compose.lock": dict(EXPIRED), "compose.lock-break-" + EXPIRED["token"]: None}
    with pytest.raises(DriverError) as raised:
        _lock(store).acquire()
    assert raised.value.kind == "lock_timeout"
    assert "breaker 'compose.lock-break-" + EXPIRED["token"] + "'" in raised.value.message
    assert store["compose.lock"] == EXPIRED  # nothing deleted without the breaker


def test_release_leaves_a_lock_another_job_is_breaking_to_that_job():
    store = {}
    lock = _lock(store)
    lock.acquire()
    breaker = "compose.lock-break-" + lock.token
    store[breaker] = None  # a waiter found our lease run out and owns the right to delete it
    lock.release()
    assert "compose.lock" in store and lock.held is False


def test_release_does_not_delete_a_lock_that_is_no_longer_ours():
    store = {}
    lock = _lock(store)
    lock.acquire()
    store["compose.lock"] = {"token": "e" * 32, "owner": "another job", "expires": 10**12}
    lock.release()
    assert store["compose.lock"]["token"] == "e" * 32 and sorted(store) == ["compose.lock"]
