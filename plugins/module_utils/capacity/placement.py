# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Place many VM requests on many hosts (``vm_plan``): pack or spread, with reasons for what does not fit.

``pack`` puts each request on the first host that holds it, hosts already in use first and then the biggest,
so a fleet fills as few hosts as it can. ``spread`` puts each request on the host whose tighter resource (vCPUs
or general memory) has the largest free fraction, so load evens out; among hosts with the same fraction, the one
with fewer VMs of its own first (projects of one server share their room, so they always tie, and without this the
first would take every VM). Both are deterministic for the same input: remaining ties go by host name and requests
are taken in the order given.
"""

from __future__ import annotations

import contextlib
import gc
import heapq

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity import fleet_index
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.errors import CapacityError
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.fit import fit
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.host import parse_host
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.summary import (
    host_record,
    host_remaining,
    public_alloc,
)
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.constraints import (
    HOST_FILTER_KEYS,
    filter_words,
    host_mismatch,
)
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError

STRATEGIES = ("pack", "spread")


def _pack_key(state):
    used = state.vcpus_used / state.vcpu_budget if state.vcpu_budget > 0 else 0
    return (not state.vms, -used, -state.vcpu_budget, -state.general_budget, state.name)


def _spread_score(state):
    cpu = state.free_vcpus / state.vcpu_budget if state.vcpu_budget > 0 else 0
    mem = state.free_general / state.general_budget if state.general_budget > 0 else 0
    return min(cpu, mem)


class _Group:
    """Hosts that pass one request filter (pool, zone, host tags), indexed for the strategy."""

    def __init__(self, planner, members):
        self.members = sorted(members, key=lambda i: _pack_key(planner.states[i]))
        self.position = {host: pos for pos, host in enumerate(self.members)}
        if planner.strategy == "pack":
            self.tree = fleet_index.MaxTree([planner.vectors[i] for i in self.members])
            # need vector -> no member left of this position dominates it. Exact for the rest of the plan, since
            # a plan only takes capacity: requests of one shape (most of a big plan) skip the filled hosts.
            self.skip = {}
        else:
            states, versions, own = planner.states, planner.versions, planner.own
            self.heap = [(-_spread_score(states[i]), own[i], states[i].name, i, versions[i]) for i in self.members]
            heapq.heapify(self.heap)


class Planner:
    def __init__(self, states, strategy, requests):
        self.states = states
        self.strategy = strategy
        self.index = fleet_index.FleetIndex(requests)
        self.vectors = [self.index.host_vector(s) for s in states]
        self.versions = [0] * len(states)
        self.groups = {}
        self.placements = []
        self.unplaced = []
        self.siblings = _siblings(states)
        # each host's own VMs: other projects' instances (``project/name``) and shadows of VMs planned on a host of
        # the same hardware (``host/name``) are counted in its capacity but are not its own
        self.own = [sum(1 for vm in s.vms if "/" not in vm["name"]) for s in states]

    def _group(self, request):
        key = (request.get("pool"), request.get("zone"), tuple(sorted(request.get("host_tags") or [])))
        # Juju-style constraints (zones, excluded tags, virt-type) are present only on requests that had them
        key += tuple((k, _frozen(request[k])) for k in HOST_FILTER_KEYS if k in request)
        if key not in self.groups:
            pool, zone, tags = key[:3]
            members = [
                i
                for i, s in enumerate(self.states)
                if (pool is None or s.pool == pool)
                and (zone is None or s.zone == zone)
                and set(tags) <= set(s.tags)
                and (len(key) == 3 or host_mismatch(request, s.zone, s.tags, s.record.get("type") or "manual") is None)
            ]
            self.groups[key] = _Group(self, members)
        return self.groups[key]

    def _commit(self, index, alloc):
        self._take(index, alloc)
        # Hosts on the same hardware each count the others' VMs once they exist; until then the plan must take
        # what it places on one of them from all of them, or it promises room that composing then refuses.
        for sibling in self.siblings.get(index, ()):
            self._take(sibling, _shadow(alloc, self.states[sibling]))
        self.placements.append(alloc)

    def _take(self, index, alloc):
        state = self.states[index]
        state.commit(alloc)
        self.own[index] += "/" not in alloc["name"]
        self.vectors[index] = self.index.host_vector(state)
        self.versions[index] += 1
        for group in self.groups.values():
            pos = group.position.get(index)
            if pos is None:
                continue
            if self.strategy == "pack":
                group.tree.update(pos, self.vectors[index])
            else:
                entry = (-_spread_score(state), self.own[index], state.name, index, self.versions[index])
                heapq.heappush(group.heap, entry)

    def _try(self, index, request, errors):
        try:
            return fit(self.states[index], request)
        except CapacityError as exc:
            errors[index] = exc
            return None

    def _place_pack(self, group, request, need, errors):
        pos = group.tree.first_fit(need, group.skip.get(need, 0))
        group.skip[need] = pos if pos >= 0 else group.tree.n
        while pos >= 0:
            index = group.members[pos]
            alloc = self._try(index, request, errors)
            if alloc is not None:
                return index, alloc
            pos = group.tree.first_fit(need, pos + 1)
        return None, None

    def _place_spread(self, group, request, need, errors):
        aside, found = [], (None, None)
        while group.heap:
            entry = heapq.heappop(group.heap)
            index, version = entry[3], entry[4]
            if version != self.versions[index]:
                continue  # superseded by a newer entry for the same host
            aside.append(entry)
            if fleet_index.dominates(self.vectors[index], need):
                alloc = self._try(index, request, errors)
                if alloc is not None:
                    aside.pop()
                    found = (index, alloc)
                    break
        for entry in aside:
            heapq.heappush(group.heap, entry)
        return found

    def place(self, request):
        group = self._group(request)
        if not group.members:
            self.unplaced.append(_filtered_out(request))
            return
        need = self.index.request_vector(request)
        errors = {}
        place = self._place_pack if self.strategy == "pack" else self._place_spread
        index, alloc = place(group, request, need, errors)
        if alloc is None:
            miss = self._closest(group, request, need, errors)
            if isinstance(miss, dict):
                self.unplaced.append(miss)
                return
            index, alloc = miss  # a host the strategy's search skipped does hold it; never drop a VM that fits
        self._commit(index, alloc)

    def _closest(self, group, request, need, errors):
        """The host that got furthest through the checks, with the smallest shortfall there (a reason dict).

        Returns (index, allocation) instead if a host turns out to hold the request after all.
        """
        best = None
        for index in group.members:
            if index in errors:
                exc = errors[index]
                key = (-exc.stage, exc.shortfall, self.states[index].name)
            else:
                stage, shortfall = self.index.first_short(self.vectors[index], need)
                if stage is None:
                    # Both strategies try every host that passes the cheap check, so this is a safety net only.
                    alloc = self._try(index, request, errors)
                    if alloc is not None:
                        return index, alloc
                    exc = errors[index]
                    key = (-exc.stage, exc.shortfall, self.states[index].name)
                else:
                    key = (-stage, shortfall, self.states[index].name)
            if best is None or key < best[0]:
                best = (key, index)
        index = best[1]
        exc = errors.get(index)
        if exc is None:
            self._try(index, request, errors)
            exc = errors[index]
        return {"name": request["name"], "reason": str(exc), "closest_host": exc.host, "resource": exc.resource}


def _siblings(states) -> dict:
    """Host index -> the other hosts of the list on the same hardware (the records' ``hardware_id``)."""
    by_hardware = {}
    for index, state in enumerate(states):
        hardware = state.record.get("hardware_id")
        if hardware:
            by_hardware.setdefault(hardware, []).append(index)
    return {i: [j for j in group if j != i] for group in by_hardware.values() if len(group) > 1 for i in group}


def _shadow(alloc, sibling) -> dict:
    """What a VM planned on one host takes from a host on the same hardware, as that host will count it."""
    shadow = dict(alloc)
    shadow["name"] = f"{alloc['host']}/{alloc['name']}"
    # storage is shared where the pool is the same one (an LXD server's pools serve all its projects)
    shadow["disks"] = [disk for disk in alloc["disks"] if disk["pool"] in sibling.pools]
    shadow["notes"] = [f"planned on {alloc['host']}, which shares this host's hardware"]
    return shadow


def _filtered_out(request):
    wanted = []
    for key in ("pool", "zone"):
        if request.get(key):
            wanted.append(f"{key}={request[key]}")
    if request.get("host_tags"):
        wanted.append(f"host_tags={','.join(request['host_tags'])}")
    wanted.extend(filter_words(request))
    return {
        "name": request["name"],
        "reason": f"no VM host matches {' '.join(wanted) or 'the request'}.",
        "closest_host": None,
        "resource": "filter",
    }


def _frozen(value):
    return tuple(value) if isinstance(value, list) else value


@contextlib.contextmanager
def _without_cyclic_gc():
    """Pause the cyclic garbage collector while planning.

    A big plan allocates millions of small objects, and CPython's generational collector would scan the growing
    heap again and again (it more than doubled the benchmark's time). Planning builds no reference cycles, so
    reference counting alone frees everything; the collector is restored as it was.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def plan(hosts: list, requests: list, strategy: str = "pack", host_records: bool = True) -> dict:
    """Place normalised ``requests`` on host records; return placements, unplaced reasons and what is left.

    ``remaining`` holds each host's figures after the plan (a few numbers per host); ``hosts`` the whole updated
    records, only with ``host_records`` (at fleet scale they are most of the result: every cpu, pool, interface
    and VM of every host, written out again).
    """
    with _without_cyclic_gc():
        return _plan(hosts, requests, strategy, host_records)


def _plan(hosts, requests, strategy, host_records):
    if strategy not in STRATEGIES:
        raise SpecError("strategy", strategy, f"is not a placement strategy; use one of {', '.join(STRATEGIES)}")
    if not isinstance(hosts, list):
        raise SpecError("hosts", hosts, "is not a list of host records")
    states, names, vm_hosts = [], set(), {}
    for i, record in enumerate(hosts):
        state = parse_host(record, f"hosts[{i}]")
        if state.name in names:
            raise SpecError(f"hosts[{i}].name", state.name, "names another host of the list; host names are unique")
        names.add(state.name)
        for vm in state.vms:
            vm_hosts.setdefault(vm["name"], state.name)
        states.append(state)
    for i, request in enumerate(requests):
        if request["name"] in vm_hosts:
            raise SpecError(
                f"requests[{i}].name", request["name"], f"is already a VM on host {vm_hosts[request['name']]}"
            )
    planner = Planner(states, strategy, requests)
    for request in requests:
        planner.place(request)
    result = {
        "placements": [public_alloc(a) for a in planner.placements],
        "unplaced": planner.unplaced,
        "remaining": [host_remaining(s) for s in states],
    }
    if host_records:
        result["hosts"] = [host_record(s) for s in states]
    return result
