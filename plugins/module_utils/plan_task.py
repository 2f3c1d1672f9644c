# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""vm_plan's task, start to end, as plain data in and plain data out (the action plugin's whole logic).

vm_plan is pure computation, so its action plugin plans on the controller: no module round trip (no AnsiballZ
payload, no JSON of every host record through a subprocess), no argument spec over nested host records (the
core's parsers validate every figure they read and name the option, and ``check_records`` refuses unknown
keys), and no ``no_log`` scrubbing of the result (no option is ``no_log``: the result holds the figures and
names of the records and requests it was given, nothing secret). This module imports nothing from Ansible, so
the action plugin stays a thin shell and this part is tested alone.

The options and their defaults are the module's (``plugins/modules/vm_plan.py`` documents them); the module's
own ``main`` uses ``plan_result`` so both paths return the same.
"""

from __future__ import annotations

import difflib

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.placement import STRATEGIES, plan
from ansible_collections.vmfleet.hosts.plugins.module_utils.connection_spec import (
    MUTUALLY_EXCLUSIVE,
    REQUIRED_TOGETHER,
    connection_argspec,
)
from ansible_collections.vmfleet.hosts.plugins.module_utils.record_spec import check_records
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import MISSING, SpecError
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.request import parse_requests
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.scalars import parse_bool

PLAN_OPTIONS = ("hosts", "requests", "strategy", "return_hosts")


def _connection_names() -> dict:
    """Every name a connection option may be given by (aliases included) -> the option's own name."""
    names = {}
    for name, spec in connection_argspec().items():
        names[name] = name
        for alias in spec.get("aliases", ()):
            names[alias] = name
    return names


CONNECTION_NAMES = _connection_names()


def _check_connection(given: dict) -> None:
    """The connection options are accepted (module_defaults of the action group set them) and never used; they
    are still refused where the other modules refuse them, so a task means the same whichever module it names."""
    seen = {}
    for key in given:
        name = CONNECTION_NAMES.get(key)
        if name is None:
            continue
        if name in seen:
            raise SpecError(key, given[key], f"is another name of {seen[name]}; give only one of them")
        seen[name] = key
    choices = connection_argspec()["type"]["choices"]
    if "type" in given and given["type"] not in choices:
        raise SpecError("type", given["type"], f"is not one of {', '.join(choices)}")
    for group in MUTUALLY_EXCLUSIVE:
        both = [name for name in group if name in seen]
        if len(both) > 1:
            raise SpecError(seen[both[1]], given[seen[both[1]]], f"cannot be given together with {seen[both[0]]}")
    for group in REQUIRED_TOGETHER:
        present = [name for name in group if name in seen]
        if present and len(present) < len(group):
            missing = [name for name in group if name not in seen]
            raise SpecError(missing[0], MISSING, f"is required together with {seen[present[0]]}")


def plan_options(args: object) -> dict:
    """The task's options checked and defaulted: hosts, requests (parsed), strategy, return_hosts."""
    if not isinstance(args, dict):
        raise SpecError("vm_plan", args, "takes a mapping of options (hosts, requests, strategy, return_hosts)")
    allowed = PLAN_OPTIONS + tuple(CONNECTION_NAMES)
    for key in args:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise SpecError(
                str(key), args[key], f"is not an option of vmfleet.hosts.vm_plan; use {', '.join(allowed)}{hint}"
            )
    # an option set to null is not given, as Ansible reads it (module_defaults and templates yield such nulls)
    given = {key: value for key, value in args.items() if value is not None}
    for name in ("hosts", "requests"):
        if name not in given:
            raise SpecError(name, MISSING, "is required")
    _check_connection(given)
    strategy = given.get("strategy", "pack")
    if strategy not in STRATEGIES:
        raise SpecError("strategy", strategy, f"is not a placement strategy; use one of {', '.join(STRATEGIES)}")
    check_records(given["hosts"], "hosts")
    return {
        "hosts": given["hosts"],
        "requests": parse_requests(given["requests"], option="requests"),
        "strategy": strategy,
        "return_hosts": parse_bool(given.get("return_hosts", False), "return_hosts"),
    }


def plan_result(hosts: list, requests: list, strategy: str, return_hosts: bool) -> dict:
    """The task result: placements, unplaced, remaining, and the whole host records when asked for."""
    result = plan(hosts, requests, strategy=strategy, host_records=return_hosts)
    return {"changed": False, **result}


def run_plan_task(args: object) -> dict:
    """vm_plan's result for the task's options (raises SpecError/PolicyError for bad input, naming the option)."""
    return plan_result(**plan_options(args))
