# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What one fleet run does on each VM host: converge the VMs it has, compose the new ones the plan puts there,
remove the ones declared absent. Pure: host records and declarations in, per-host work lists out.

A VM that exists stays on its host (vm_compose converges it there). New VMs are planned together with the
capacity core's ``plan`` (hosts on the same hardware as one pool of capacity), a VM naming its ``host`` only
there. When a new VM fits nowhere the whole run is refused before anything is touched, with every host's own
reason (MAAS only ever said that the last host refused).
"""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.errors import CapacityError
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.fit import fit
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.host import parse_host
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.placement import plan
from ansible_collections.vmfleet.hosts.plugins.module_utils.fleet.declaration import host_tag, parse_declaration
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.constraints import host_mismatch
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError


def fleet_plan(records: dict, vms: list, strategy: str = "pack") -> dict:
    """``records``: VM host (inventory name) -> its host record (vm_host_info's ``host``); ``vms``: declarations.

    Returns ``hosts`` (VM host -> ``compose``: names of the VMs to converge or create there, ``remove``: to remove;
    names only, so that no cloud-init user data of a declaration gets into a result),
    ``placements`` (name, host, action: create / converge / remove), ``unplaced`` (name, reasons per host) and
    ``remaining`` (each host's figures after the plan, as vm_plan's).
    """
    if not isinstance(records, dict) or not records:
        raise SpecError("hosts", records, "is not a dict of VM host name -> host record (vm_host_info's host)")
    names = sorted(records)
    declared = parse_declaration(vms, names)
    labelled = [_labelled(name, records[name]) for name in names]
    hardware = {r["name"]: r.get("hardware_id") or r["name"] for r in labelled}
    found = _where_vms_are(labelled)
    work = {name: {"compose": [], "remove": []} for name in names}
    placements, new = [], []
    for i, vm in enumerate(declared):
        hosts = found.get(vm.name, [])
        if vm.state == "absent":
            for host in _one_per_hardware(hosts, hardware):
                work[host]["remove"].append(vm.name)
                placements.append(_placement(vm.name, host, "remove"))
        elif hosts:
            host = _home(vm, hosts, hardware, f"vms[{i}]")
            work[host]["compose"].append(vm.name)
            placements.append(_placement(vm.name, host, "converge"))
        else:
            new.append(vm)
    result = plan(labelled, [vm.request for vm in new], strategy)
    by_name = {vm.name: vm for vm in new}
    for placed in result["placements"]:
        work[placed["host"]]["compose"].append(placed["name"])
        placements.append(_placement(placed["name"], placed["host"], "create"))
    unplaced = []
    if result["unplaced"]:
        # each host's reason is asked of the host as the plan left it (with the VMs it did place)
        states = [parse_host(record, f"hosts[{record['name']}]") for record in result["hosts"]]
        for miss in result["unplaced"]:
            vm = by_name[miss["name"]]
            unplaced.append({"name": vm.name, "reasons": {s.name: _why_not(s, vm) for s in states}})
    return {"hosts": work, "placements": placements, "unplaced": unplaced, "remaining": result["remaining"]}


def _placement(name: str, host: str, action: str) -> dict:
    return {"name": name, "host": host, "action": action, "summary": f"{name}: {action} on {host}"}


def _labelled(name: str, record: object) -> dict:
    """The record under its VM host's name (projects of one LXD server share the server's), tagged with it."""
    if not isinstance(record, dict):
        raise SpecError(f"hosts[{name}]", record, "is not a host record (vm_host_info's host)")
    labelled = dict(record)
    labelled["server_name"] = record.get("name")
    labelled["name"] = name
    labelled["tags"] = [*(record.get("tags") or []), host_tag(name)]
    return labelled


def _where_vms_are(records: list) -> dict:
    found = {}
    for record in records:
        for vm in record.get("vms") or []:
            if isinstance(vm, dict) and vm.get("name"):
                found.setdefault(vm["name"], []).append(record["name"])
    return found


def _one_per_hardware(hosts: list, hardware: dict) -> list:
    """One VM host per machine: a VM seen through two hosts on one machine is one VM, removed once."""
    seen, chosen = set(), []
    for host in hosts:
        if hardware[host] not in seen:
            seen.add(hardware[host])
            chosen.append(host)
    return chosen


def _home(vm, hosts: list, hardware: dict, where: str) -> str:
    if vm.host is not None:
        if vm.host in hosts:
            return vm.host
        if hardware[vm.host] in {hardware[h] for h in hosts}:
            return vm.host  # the same VM, seen through another host on that machine
        raise SpecError(
            f"{where}.host", vm.host, f"is not where VM {vm.name} is: it exists on {', '.join(hosts)} (VMs do not move)"
        )
    machines = _one_per_hardware(hosts, hardware)
    if len(machines) > 1:
        raise SpecError(
            f"{where}.name", vm.name, f"names VMs on several hosts ({', '.join(hosts)}); say which one with host"
        )
    return hosts[0]


def _why_not(state, vm) -> str:
    """This host's own reason for not taking the VM, after the rest of the plan is placed."""
    request = vm.request
    if vm.host is not None and state.name != vm.host:
        return f"the VM is declared for host {vm.host}"
    if request.get("pool") is not None and state.pool != request["pool"]:
        return f"the host is in resource pool {state.pool}, not {request['pool']}"
    if request.get("zone") is not None and state.zone != request["zone"]:
        return f"the host is in zone {state.zone}, not {request['zone']}"
    mismatch = host_mismatch(request, state.zone, state.tags, state.record.get("type") or "manual")
    if mismatch:
        return f"the host does not match: {mismatch}"
    try:
        fit(state, request)
    except CapacityError as error:
        return str(error)
    return "it fits now, but not together with the rest of the plan"
