# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A fleet's declared VMs: each a vm_compose request, optionally naming its VM host, or ``state: absent``.

The fleet keys (``host``, ``zone``, ``host_tags``) say where a VM may go and are not vm_compose options; every
other key is passed to vm_compose as given (and vm_compose validates it). The request half that placement reads
(cores, memory, disks, interfaces, pool, tags, ...) is parsed here with the same parser as vm_plan, so a VM that
cannot be planned is refused before any host is touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import MISSING, SpecError
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.request import REQUEST_KEYS, parse_request

STATES = ("present", "started", "stopped", "restarted", "absent")
# where the VM may go: read by the fleet plan, never given to vm_compose
PLACEMENT_KEYS = ("host", "zone", "host_tags")
# vm_compose options that are no part of the plan's request (count is a plan option vm_compose does not take)
_NOT_COMPOSE = ("count",)


@dataclass
class DeclaredVM:
    name: str
    state: str
    host: object  # the VM host (inventory name) it must go on, or None
    compose: dict  # vm_compose options, name and state included
    request: dict = field(default_factory=dict)  # the normalised request placement reads (empty when absent)


def parse_declaration(vms: object, host_names: list, option: str = "vms") -> list:
    """The declared VMs, each checked; a SpecError names the entry and key of anything wrong."""
    if not isinstance(vms, list):
        raise SpecError(option, vms, "is not a list of VM declarations")
    declared, seen = [], {}
    for i, entry in enumerate(vms):
        where = f"{option}[{i}]"
        if not isinstance(entry, dict):
            raise SpecError(where, entry, "is not a VM declaration (a dict with at least name)")
        name = entry.get("name")
        if not isinstance(name, str) or not name:
            raise SpecError(f"{where}.name", name if name is not None else MISSING, "is required: a VM name")
        if name in seen:
            raise SpecError(
                f"{where}.name", name, f"is declared twice (also {option}[{seen[name]}]); VM names are unique"
            )
        seen[name] = i
        for key in _NOT_COMPOSE:
            if key in entry:
                raise SpecError(f"{where}.{key}", entry[key], "is no fleet key: declare each VM by its own name")
        state = entry.get("state", "present")
        if state not in STATES:
            raise SpecError(f"{where}.state", state, f"is not one of {', '.join(STATES)}")
        host = entry.get("host")
        if host is not None and host not in host_names:
            raise SpecError(
                f"{where}.host", host, f"is not one of the fleet's VM hosts ({', '.join(sorted(host_names)) or 'none'})"
            )
        compose = {k: v for k, v in entry.items() if k not in PLACEMENT_KEYS}
        compose["state"] = state
        request = {}
        if state != "absent":
            asked = {k: v for k, v in entry.items() if k in REQUEST_KEYS and k != "count"}
            if host is not None:
                asked["host_tags"] = [*(asked.get("host_tags") or []), host_tag(host)]
            request = parse_request(asked, where)
            if entry.get("instance_type") == "container":
                # only LXD-like hosts run system containers: the plan filters hosts as for virt-type=container
                request["instance_type"] = "container"
        declared.append(DeclaredVM(name=name, state=state, host=host, compose=compose, request=request))
    return declared


def host_tag(host: str) -> str:
    """The tag the fleet plan gives each host record so that a VM naming its host can go only there."""
    return f"vmfleet-fleet-host:{host}"
