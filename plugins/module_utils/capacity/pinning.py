# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which host cores a VM pins when it lets the core choose.

Isolated cores (isolcpus) come first because the operator set them aside for exactly this; whole physical cores
come before loose threads so a pinned VM does not share a core's caches with another VM, and a leftover odd
thread is taken from an already broken core rather than breaking a whole one.
"""

from __future__ import annotations


def choose_cores(cpus: dict, free: list, count: int) -> list:
    """Pick ``count`` cores from ``free`` (ids on one node); ``cpus`` maps id -> Cpu. Deterministic."""
    free_set = set(free)
    groups = {}
    for cpu_id in free:
        groups.setdefault(cpus[cpu_id].siblings or (cpu_id,), []).append(cpu_id)
    chosen = []
    for isolated in (True, False):
        tier = [
            (siblings, sorted(members))
            for siblings, members in groups.items()
            if all(cpus[m].isolated for m in members) == isolated
        ]
        whole = sorted((s, m) for s, m in tier if all(sib in free_set for sib in s))
        partial = sorted((s, m) for s, m in tier if not all(sib in free_set for sib in s))
        for _siblings, members in whole:
            if len(chosen) + len(members) <= count:
                chosen.extend(members)
        for _siblings, members in partial + whole:
            for member in members:
                if len(chosen) < count and member not in chosen:
                    chosen.append(member)
        if len(chosen) >= count:
            break
    return sorted(chosen[:count])
