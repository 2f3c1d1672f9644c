# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The facts of a capacity report: host records (and a vm_plan result) turned into plain data to render.

Every figure comes from the capacity core: records are parsed with ``parse_host`` and described with
``host_record``, and budgets come from ``policy``; nothing here recomputes a budget its own way, so the report
says what ``vm_plan`` and ``vm_compose`` enforce. The result is JSON-safe (the JSON output is this dict) and
keeps the record's units: memory MiB, storage bytes, page sizes bytes. The renderers only format it.
"""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity import policy
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.host import parse_host
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.summary import host_record
from ansible_collections.vmfleet.hosts.plugins.module_utils.report.findings import host_findings, plan_findings
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.cores import format_cpuset
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError

SCHEMA = 1
DEFAULT_POOL_FULL_PERCENT = 90
PERCENT_HELP = "use a percentage above 0 and at most 100"


def percent(used: int, of: int):
    """Whole percent of ``of`` that ``used`` is (None when there is nothing to be a share of)."""
    return None if of <= 0 else round(100 * used / of, 1)


def _resource(key, label, unit, used, allowed, physical, reserved=0, reserved_effect=0, ratio=None):
    """One row of a host's capacity: used against what the policy allows and what the machine has.

    ``reserved_effect`` is how much the reserve takes off the budget (in the budget's unit, after the ratio),
    so a bar can show the reserve as the stretch between ``allowed`` and ``allowed + reserved_effect``.
    """
    return {
        "key": key,
        "label": label,
        "unit": unit,
        "used": used,
        "allowed": allowed,
        "physical": physical,
        "free": allowed - used,
        "reserved": reserved,
        "reserved_effect": reserved_effect,
        "ratio": ratio,
        "percent": percent(used, allowed),
        "over": used > allowed,
    }


def _cpu_owners(state) -> dict:
    """cpu id -> every VM that pins it, in record order (the core keeps the first; a report shows them all)."""
    owners = {}
    for vm in state.vms:
        for cpu in vm["pinned_cores"]:
            owners.setdefault(cpu, []).append(vm["name"])
    return owners


def _node_facts(state, block, owners, interfaces):
    cpus = []
    for cpu in block["cpus"]:
        pinned_by = owners.get(cpu["id"], [])
        if not cpu["online"]:
            status = "offline"
        elif pinned_by:
            status = "pinned"
        elif cpu["isolated"]:
            status = "isolated"
        else:
            status = "free"
        cpus.append({"id": cpu["id"], "status": status, "pinned_by": pinned_by, "siblings": cpu["siblings"]})
    return {
        "node_id": block["node_id"],
        "cpus": cpus,
        "cores_free": len(block["cores"]["free"]),
        "cores_pinned": len(block["cores"]["allocated"]),
        "cores_online": len(block["cores"]["free"]) + len(block["cores"]["allocated"]),
        "memory_total": block["memory"]["total"],
        "general": block["memory"]["general"],
        "hugepages": block["memory"]["hugepages"],
        "vms": block["vms"],
        "interfaces": [i["name"] for i in interfaces if i["numa_node"] == block["node_id"]],
    }


def vm_facts(vm: dict, numa_of_interface: dict) -> dict:
    nics = []
    for nic in vm.get("interfaces") or []:
        if not isinstance(nic, dict):
            continue
        host_interface = nic.get("host_interface")
        nics.append(
            {
                "name": nic.get("name"),
                "host_interface": host_interface,
                "mode": nic.get("mode"),
                "vf": bool(nic.get("vf")),
                "numa_node": numa_of_interface.get(host_interface),
                "network": nic.get("network"),
                "ip": nic.get("ip"),
                "mac": nic.get("mac"),
            }
        )
    return {
        "name": vm["name"],
        "host": vm.get("host"),
        "planned": bool(vm.get("planned")),
        "cores": vm["cores"],
        "pinned_cores": vm["pinned_cores"],
        "pinned_cpuset": format_cpuset(vm["pinned_cores"]) if vm["pinned_cores"] else "",
        "memory": vm["memory"],
        "hugepages_backed": vm["hugepages_backed"],
        "hugepages": vm["hugepages"],
        "numanode_set": vm["numanode_set"],
        "spans_numa_nodes": vm["spans_numa_nodes"],
        "disks": [
            {"name": d.get("name"), "pool": d.get("pool"), "size": d.get("size") or 0}
            for d in vm["disks"]
            if isinstance(d, dict)
        ],
        "interfaces": nics,
        "power_state": vm.get("power_state"),
        "pool": vm.get("pool"),
        "tags": list(vm.get("tags") or []),
        "notes": list(vm.get("notes") or []),
    }


def _storage_facts(record):
    pools = []
    for pool in record["storage_pools"]:
        pools.append(
            {
                **pool,
                "percent": percent(pool["used"], pool["total"]),
                "over": pool["available"] < 0,
            }
        )
    return pools


def host_facts(state, pool_full_percent: int = DEFAULT_POOL_FULL_PERCENT) -> dict:
    """What the report shows of one host, from its parsed state and the record the core describes."""
    record = host_record(state)
    owners = _cpu_owners(state)
    interfaces = [
        {
            "name": i["name"],
            "type": i["type"],
            "numa_node": i["numa_node"],
            "default": i["default"],
            "sriov_max_vf": i["sriov_max_vf"],
            "sriov_used_vf": i["sriov_used_vf"],
            "networks": i["networks"],
            "spaces": i["spaces"],
            "vlans": i["vlans"],
            "active": i["active"],
        }
        for i in record["interfaces"]
    ]
    numa_of_interface = {i["name"]: i["numa_node"] for i in interfaces}
    vcpus_before_reserve = policy.vcpu_budget(state.online_cores, state.cpu_ratio, 0)
    general_before_reserve = policy.general_memory_budget(
        state.memory_total, state.hugepage_pool, 0, state.memory_ratio
    )
    resources = [
        _resource(
            "vcpus",
            "vCPUs",
            "count",
            state.vcpus_used,
            state.vcpu_budget,
            state.online_cores,
            reserved=state.reserved_cores,
            reserved_effect=vcpus_before_reserve - state.vcpu_budget,
            ratio=state.cpu_ratio,
        ),
        _resource(
            "memory",
            "General memory",
            "MiB",
            state.general_used,
            state.general_budget,
            max(0, state.memory_total - state.hugepage_pool),
            reserved=state.reserved_memory,
            reserved_effect=general_before_reserve - state.general_budget,
            ratio=state.memory_ratio,
        ),
    ]
    if state.hugepage_pool:
        resources.append(
            _resource(
                "hugepages",
                "Hugepages",
                "MiB",
                record["used"]["hugepages"],
                record["total"]["hugepages"],
                record["total"]["hugepages"],
            )
        )
    facts = {
        "name": state.name,
        "record_name": state.record.get("name"),
        "type": record["type"],
        "pool": state.pool,
        "zone": state.zone,
        "tags": list(state.tags),
        "cpu_over_commit_ratio": state.cpu_ratio,
        "memory_over_commit_ratio": state.memory_ratio,
        "reserved": record["reserved"],
        "default_storage_pool": record["default_storage_pool"],
        "total": record["total"],
        "used": record["used"],
        "available": record["available"],
        "resources": resources,
        "storage_pools": _storage_facts(record),
        "numa": [_node_facts(state, block, owners, interfaces) for block in record["numa"]],
        "interfaces": interfaces,
        "vms": [vm_facts(vm, numa_of_interface) for vm in sorted(record["vms"], key=lambda v: v["name"])],
    }
    # the core's parser reads every VM of a record as existing; a vm_plan result's records mark the planned ones
    planned = {v.get("name") for v in state.record.get("vms") or [] if isinstance(v, dict) and v.get("planned")}
    for vm in facts["vms"]:
        vm["planned"] = vm["name"] in planned
    facts["findings"] = host_findings(state, facts, owners, pool_full_percent)
    return facts


def _sum_hosts(hosts: list) -> dict:
    def total(key, field):
        return sum(r[field] for h in hosts for r in h["resources"] if r["key"] == key)

    return {
        "hosts": len(hosts),
        "vms": sum(len(h["vms"]) for h in hosts),
        "cores": sum(h["total"]["cores"] for h in hosts),
        "vcpus_used": total("vcpus", "used"),
        "vcpus_allowed": total("vcpus", "allowed"),
        "memory_used": total("memory", "used"),
        "memory_allowed": total("memory", "allowed"),
        "memory_physical": total("memory", "physical"),  # outside the hugepage pools, as each host's row
        "hugepages_used": sum(h["used"]["hugepages"] for h in hosts),
        "hugepages_total": sum(h["total"]["hugepages"] for h in hosts),
        "storage_used": sum(h["used"]["local_storage"] for h in hosts),
        "storage_total": sum(h["total"]["local_storage"] for h in hosts),
        "storage_available": sum(h["available"]["local_storage"] for h in hosts),
        "findings": sum(len(h["findings"]) for h in hosts),
    }


def _groups(hosts: list, key: str) -> list:
    names = sorted({h[key] for h in hosts})
    return [{"name": name, **_sum_hosts([h for h in hosts if h[key] == name])} for name in names]


def _parse_records(records, option, unique=True):
    if not isinstance(records, list):
        raise SpecError(option, records, "is not a list of host records (as vmfleet.hosts.vm_host_info returns them)")
    states, seen = [], set()
    for i, record in enumerate(records):
        state = parse_host(record, f"{option}[{i}]")
        if unique and state.name in seen:
            raise SpecError(f"{option}[{i}].name", state.name, "names another host of the list; host names are unique")
        seen.add(state.name)
        states.append(state)
    return states


def _labels(states) -> list:
    """A name per host that tells hosts apart: two LXD projects of one server (or one machine read as a libvirt
    and an LXD host) carry the same server name, and an inventory group may hold both."""
    counts = {}
    for state in states:
        counts[state.name] = counts.get(state.name, 0) + 1
    labels, used = [], set()
    for state in states:
        label = state.name
        if counts[state.name] > 1:
            label = f"{state.name} ({state.record.get('type') or 'manual'})"
            n = 2
            while label in used:
                label = f"{state.name} ({state.record.get('type') or 'manual'} {n})"
                n += 1
        used.add(label)
        labels.append(label)
    return labels


def _plan_facts(plan, pool_full_percent):
    if not isinstance(plan, dict):
        raise SpecError("plan", plan, "is not a vm_plan result (a dict with placements, unplaced and hosts)")
    states = _parse_records(plan.get("hosts") or [], "plan.hosts")
    after = [host_facts(state, pool_full_percent) for state in states]
    # the core's parser reads every VM of a record as existing; the plan's placements say which are new
    planned = {(p.get("host"), p.get("name")) for p in plan.get("placements") or [] if isinstance(p, dict)}
    for host in after:
        for vm in host["vms"]:
            vm["planned"] = vm["planned"] or (host["name"], vm["name"]) in planned
    numa_of = {(h["name"], i["name"]): i["numa_node"] for h in after for i in h["interfaces"]}
    placements = []
    for i, placed in enumerate(plan.get("placements") or []):
        if not isinstance(placed, dict) or not placed.get("name"):
            raise SpecError(f"plan.placements[{i}]", placed, "is not a placement of a vm_plan result")
        on_host = [v for h in after if h["name"] == placed.get("host") for v in h["vms"]]
        vm = next((v for v in on_host if v["name"] == placed["name"]), None)
        if vm is None:
            # a placement whose host is not in plan.hosts: show it as given, figures normalised by the core's parser
            host = placed.get("host")
            interfaces = {name: node for (h, name), node in numa_of.items() if h == host}
            vm = vm_facts(_normalised(placed), interfaces)
        placements.append(vm)
    unplaced = [
        {
            "name": u.get("name"),
            "reason": u.get("reason"),
            "resource": u.get("resource"),
            "closest_host": u.get("closest_host"),
        }
        for u in plan.get("unplaced") or []
        if isinstance(u, dict)
    ]
    left = [
        {
            "name": h["name"],
            "resources": h["resources"],
            "storage_pools": [
                {"name": p["name"], "available": p["available"], "total": p["total"], "default": p["default"]}
                for p in h["storage_pools"]
            ],
            "planned_vms": [v["name"] for v in h["vms"] if v["planned"]],
        }
        for h in after
    ]
    return {
        "placements": placements,
        "unplaced": unplaced,
        "hosts_after": left,
        "findings": plan_findings(after, unplaced),
    }


def _normalised(placed):
    from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.host import parse_vm  # noqa: PLC0415

    vm = parse_vm(placed, "plan.placements", placed.get("host"), {})
    vm["planned"] = True
    return vm


def build(records, plan=None, pool_full_percent=DEFAULT_POOL_FULL_PERCENT, title="VM fleet capacity", generated=None):
    """The report's facts: fleet totals, resource pools, zones, hosts, findings and (with a plan) placements."""
    if isinstance(pool_full_percent, bool) or not isinstance(pool_full_percent, (int, float)):
        raise SpecError("pool_full_percent", pool_full_percent, f"is not a number; {PERCENT_HELP}")
    if not 0 < pool_full_percent <= 100:
        raise SpecError("pool_full_percent", pool_full_percent, f"is out of range; {PERCENT_HELP}")
    states = _parse_records(records, "hosts", unique=False)
    for state, label in zip(states, _labels(states)):
        state.name = label  # the report's name for the host; the record's own stays in record_name
    hosts = [host_facts(state, pool_full_percent) for state in states]
    hosts.sort(key=lambda h: h["name"])
    findings = [f for h in hosts for f in h["findings"]]
    facts = {
        "schema": SCHEMA,
        "title": title,
        "generated": generated,
        "pool_full_percent": pool_full_percent,
        "fleet": _sum_hosts(hosts),
        "resource_pools": _groups(hosts, "pool"),
        "zones": _groups(hosts, "zone"),
        "hosts": hosts,
        "findings": findings,
        "plan": None,
    }
    if plan is not None:
        facts["plan"] = _plan_facts(plan, pool_full_percent)
    return facts
