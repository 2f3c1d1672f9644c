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
import gc
import json

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

PLAN_OPTIONS = ("hosts", "hosts_file", "requests", "requests_file", "strategy", "return_hosts", "placement_detail")
DETAILS = ("full", "host")  # what a placement holds: the whole allocation, or the VM's name and host


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


def read_text_file(path: str, option: str) -> str:
    """The text of a file named by ``option`` (hosts_file, requests_file); a SpecError when it cannot be read."""
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as error:
        raise SpecError(option, path, f"cannot be read: {error}") from None


def parse_data(text: str, option: str) -> object:
    """The data of a hosts_file or requests_file: JSON first, then YAML; never templated.

    JSON is what a dumped vm_host_info or vm_plan result is, and by far the quickest to read; YAML is read with
    PyYAML's safe loader (its C one when PyYAML has it).
    """
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        import yaml  # pylint: disable=import-outside-toplevel  # only for YAML files; JSON needs no PyYAML
    except ImportError:
        raise SpecError(option, MISSING, "is not JSON, and PyYAML is not installed to read it as YAML") from None
    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 (safe loaders)
    except yaml.YAMLError as error:
        raise SpecError(option, MISSING, f"is neither JSON nor YAML: {error}") from None


def pick_list(data: object, option: str, key: str) -> list:
    """The list a file holds: the file is the list, or a mapping with the list under ``key``."""
    if isinstance(data, dict):
        if key not in data:
            raise SpecError(
                option, sorted(data), f"is a mapping without the key {key!r}; give the list, or {key}: [...]"
            )
        data = data[key]
    if not isinstance(data, list):
        raise SpecError(option, data, f"does not hold a list of {key}")
    return data


def load_list(text: str, option: str, key: str) -> list:
    return pick_list(parse_data(text, option), option, key)


def plan_options(args: object, read_file=read_text_file) -> dict:
    """The task's options checked and defaulted: hosts, requests (parsed), strategy, return_hosts.

    ``read_file(path, option)`` gives the text of hosts_file and requests_file (the action plugin finds them
    as Ansible finds a file on the controller and decrypts a vaulted one).
    """
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
    files, files_given = {}, set()
    for name in ("hosts", "requests"):
        option = f"{name}_file"
        if name in given and option in given:
            raise SpecError(option, given[option], f"cannot be given together with {name}; give one of them")
        if option in given:
            path = given.pop(option)
            if path not in files:  # one file may hold both lists: read and parse it once
                files[path] = parse_data(read_file(path, option), option)
            given[name] = pick_list(files[path], option, name)
            files_given.add(name)
        elif name not in given:
            raise SpecError(name, MISSING, f"is required (or {option})")
    _check_connection(given)
    strategy = given.get("strategy", "pack")
    if strategy not in STRATEGIES:
        raise SpecError("strategy", strategy, f"is not a placement strategy; use one of {', '.join(STRATEGIES)}")
    detail = given.get("placement_detail", "full")
    if detail not in DETAILS:
        raise SpecError("placement_detail", detail, f"is not one of {', '.join(DETAILS)}")
    check_records(given["hosts"], "hosts")
    return {
        "hosts": given["hosts"],
        "requests": parse_requests(given["requests"], option="requests"),
        "strategy": strategy,
        "return_hosts": parse_bool(given.get("return_hosts", False), "return_hosts"),
        "detail": detail,
        # what was read from files here is plain already; only task arguments come tagged by Ansible
        "plain_copy": files_given != {"hosts", "requests"},
    }


def plain(value):
    """The result as exact built-in types (dict, list, str, int, ...), whatever str or int subclasses it holds.

    Names in the result come from the input, and Ansible hands the input over as tagged str subclasses (each
    value carries where it was read from); such values cost some 70 times more to pickle from the worker to the
    main process and to copy when the result is registered. Here they become plain copies, once.
    """
    kind = type(value)
    if kind is dict:
        return {plain(key): plain(item) for key, item in value.items()}
    if kind is list or kind is tuple:
        return [plain(item) for item in value]
    if kind in (str, int, float, bool) or value is None:
        return value
    for base in (bool, str, int, float):
        if isinstance(value, base):
            return base(value) if base is not str else str.__str__(value)
    if isinstance(value, dict):
        return {plain(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


def plan_result(
    hosts: list, requests: list, strategy: str, return_hosts: bool, plain_copy: bool = True, detail: str = "full"
) -> dict:
    """The task result: placements (whole, or only name and host with ``detail`` host), unplaced, remaining, and
    the whole host records when asked for.

    Strings of the result come from the host records (host, pool and zone names; whole records with
    return_hosts) and from the parsed requests, which are new strings; ``plain_copy`` may be false when the host
    records and the requests hold plain built-in values only (both read from files here), which saves a walk
    over the result.
    """
    result = {"changed": False, **plan(hosts, requests, strategy=strategy, host_records=return_hosts)}
    if detail == "host":
        result["placements"] = [{"name": one["name"], "host": one["host"]} for one in result["placements"]]
    return plain(result) if plain_copy else result


def run_plan_task(args: object, read_file=read_text_file) -> dict:
    """vm_plan's result for the task's options (raises SpecError/PolicyError for bad input, naming the option).

    The cyclic garbage collector is paused for the whole task, as plan() pauses it for itself: reading, checking
    and copying a fleet's data builds millions of small objects and no cycles, and each collection would scan
    the growing heap again.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return plan_result(**plan_options(args, read_file))
    finally:
        if enabled:
            gc.enable()
