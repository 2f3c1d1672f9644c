# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report as plain-text tables, for terminals, job logs and AWX output (ASCII only, no colour codes)."""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.report import formats as fmt

BAR = 20


def ascii_bar(used: int, allowed: int) -> str:
    """``[#####...........]``: used against what the policy allows; ``!`` marks use past the policy."""
    if allowed <= 0:
        return "[" + ("!" * BAR if used > 0 else " " * BAR) + "]"
    filled = min(BAR, round(BAR * used / allowed))
    if used > 0 and filled == 0:
        filled = 1  # something used is never drawn as nothing
    mark = "!" if used > allowed else "#"
    return "[" + mark * filled + "." * (BAR - filled) + "]"


def table(headers, rows, right=()) -> list:
    """Columns as wide as their widest cell; columns named in ``right`` align right (figures)."""
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for row in cells:
        parts = [cell.rjust(widths[i]) if headers[i] in right else cell.ljust(widths[i]) for i, cell in enumerate(row)]
        lines.append("  ".join(parts).rstrip())
    return lines


def _totals(name, t):
    return [
        name,
        t["hosts"],
        t["vms"],
        f"{t['vcpus_used']}/{t['vcpus_allowed']}",
        f"{fmt.mib(t['memory_used'])}/{fmt.mib(t['memory_allowed'])}",
        f"{fmt.mib(t['hugepages_used'])}/{fmt.mib(t['hugepages_total'])}",
        f"{fmt.size(t['storage_used'])}/{fmt.size(t['storage_total'])}",
        t["findings"],
    ]


GROUP_HEADERS = ["NAME", "HOSTS", "VMS", "VCPUS", "MEMORY", "HUGEPAGES", "STORAGE", "FINDINGS"]
GROUP_RIGHT = {"HOSTS", "VMS", "VCPUS", "MEMORY", "HUGEPAGES", "STORAGE", "FINDINGS"}


def _findings(findings) -> list:
    if not findings:
        return ["(none)"]
    rows = [[f["severity"].upper(), f["host"] or "-", f["subject"], f["message"]] for f in findings]
    return table(["SEVERITY", "HOST", "SUBJECT", "WHAT"], rows)


def _host(host) -> list:
    lines = [
        f"HOST {host['name']} ({host['type']}): zone {host['zone']}, resource pool {host['pool']}, "
        f"tags {', '.join(host['tags']) or '-'}",
        f"policy: cpu_over_commit_ratio {fmt.ratio(host['cpu_over_commit_ratio'])}, memory_over_commit_ratio "
        f"{fmt.ratio(host['memory_over_commit_ratio'])}, reserved {host['reserved']['cores']} vCPU(s) + "
        f"{fmt.mib(host['reserved']['memory'])}, default storage pool {host['default_storage_pool'] or '-'}",
        "",
    ]
    rows = [
        [
            r["label"],
            fmt.amount(r, r["used"]),
            fmt.amount(r, r["allowed"]),
            fmt.amount(r, r["physical"]),
            fmt.amount(r, r["free"]),
            fmt.ratio(r["ratio"]),
            fmt.pct(r["percent"]),
            ascii_bar(r["used"], r["allowed"]),
        ]
        for r in host["resources"]
    ]
    rows += [
        [
            f"pool {p['name']}" + (" (default)" if p["default"] else ""),
            fmt.size(p["used"]),
            fmt.size(p["total"]),
            fmt.size(p["total"]),
            fmt.size(p["available"]),
            "-",
            fmt.pct(p["percent"]),
            ascii_bar(p["used"], p["total"]) + ("" if p["active"] else " inactive"),
        ]
        for p in host["storage_pools"]
    ]
    right = {"USED", "ALLOWED", "PHYSICAL", "FREE", "RATIO", "USE"}
    lines += table(["RESOURCE", "USED", "ALLOWED", "PHYSICAL", "FREE", "RATIO", "USE", ""], rows, right)
    lines.append("")
    rows = []
    for node in host["numa"]:
        pages = [f"{fmt.page(p['page_size'])} {p['allocated']}/{p['total']}" for p in node["hugepages"] if p["total"]]
        rows.append(
            [
                node["node_id"],
                fmt.cpuset(c["id"] for c in node["cpus"]),
                fmt.cpuset(c["id"] for c in node["cpus"] if c["status"] == "free"),
                fmt.cpuset(c["id"] for c in node["cpus"] if c["status"] == "pinned"),
                f"{fmt.mib(node['general']['allocated'])}/{fmt.mib(node['general']['total'])}",
                ", ".join(pages) or "-",
                ", ".join(node["vms"]) or "-",
                ", ".join(node["interfaces"]) or "-",
            ]
        )
    lines += table(
        ["NODE", "CPUS", "FREE", "PINNED", "BOUND MEMORY", "HUGEPAGES used/total", "VMS", "NICS"], rows, {"NODE"}
    )
    for node in host["numa"]:
        owners = {}
        for cpu in node["cpus"]:
            key = ", ".join(cpu["pinned_by"]) if cpu["pinned_by"] else cpu["status"]
            owners.setdefault(key, []).append(cpu["id"])
        shown = "; ".join(f"{fmt.cpuset(ids)} {who}" for who, ids in owners.items())
        lines.append(f"  node {node['node_id']} cores: {shown or '-'}")
    lines.append("")
    lines.append(f"VMS ({len(host['vms'])})")
    if host["vms"]:
        rows = [
            [
                vm["name"] + (" (planned)" if vm["planned"] else ""),
                vm["cores"],
                vm["pinned_cpuset"] or "-",
                fmt.mib(vm["memory"]),
                fmt.hugepages(vm["hugepages"]),
                fmt.nodes(vm["numanode_set"]),
                fmt.disks(vm["disks"]),
                fmt.nics(vm["interfaces"]),
                vm["power_state"] or "-",
                vm["pool"] or "-",
                ", ".join(vm["tags"]) or "-",
            ]
            for vm in host["vms"]
        ]
        lines += table(
            ["NAME", "CORES", "PINNED", "MEMORY", "HUGEPAGES", "NUMA", "DISKS", "NICS", "POWER", "POOL", "TAGS"],
            rows,
            {"CORES", "MEMORY"},
        )
    else:
        lines.append("(none)")
    if host["interfaces"]:
        lines.append("")
        rows = [
            [
                i["name"] + (" (default)" if i["default"] else ""),
                i["type"],
                "-" if i["numa_node"] is None else i["numa_node"],
                f"{i['sriov_used_vf']}/{i['sriov_max_vf']}" if i["sriov_max_vf"] else "-",
                ", ".join(i["networks"] + i["spaces"]) or "-",
            ]
            for i in host["interfaces"]
        ]
        lines += table(["INTERFACE", "TYPE", "NUMA", "VFS used/max", "NETWORKS/SPACES"], rows)
    return lines


def _plan(plan) -> list:
    lines = [f"PLAN: {len(plan['placements'])} placed, {len(plan['unplaced'])} unplaced"]
    if plan["placements"]:
        rows = [
            [
                vm["name"],
                vm["host"] or "-",
                vm["cores"],
                vm["pinned_cpuset"] or "-",
                fmt.mib(vm["memory"]),
                fmt.hugepages(vm["hugepages"]),
                fmt.nodes(vm["numanode_set"]),
                fmt.disks(vm["disks"]),
                fmt.nics(vm["interfaces"]),
            ]
            for vm in plan["placements"]
        ]
        lines += table(
            ["REQUEST", "HOST", "CORES", "PINNED", "MEMORY", "HUGEPAGES", "NUMA", "DISKS", "NICS"], rows, {"CORES"}
        )
    lines += ["", "LEFT AFTER THE PLAN (free / allowed)"]
    rows = []
    for host in plan["hosts_after"]:
        by_key = {r["key"]: r for r in host["resources"]}
        figures = [
            f"{fmt.amount(by_key[k], by_key[k]['free'])}/{fmt.amount(by_key[k], by_key[k]['allowed'])}"
            if k in by_key
            else "-"
            for k in ("vcpus", "memory", "hugepages")
        ]
        pools = ", ".join(f"{p['name']} {fmt.size(p['available'])}" for p in host["storage_pools"]) or "-"
        rows.append([host["name"], *figures, pools, ", ".join(host["planned_vms"]) or "-"])
    lines += table(["HOST", "VCPUS", "MEMORY", "HUGEPAGES", "STORAGE FREE", "PLANNED"], rows)
    if plan["unplaced"]:
        lines += ["", "UNPLACED"]
        rows = [[u["name"], u["resource"] or "-", u["reason"]] for u in plan["unplaced"]]
        lines += table(["REQUEST", "RESOURCE", "REASON"], rows)
    return lines


def render(facts: dict) -> str:
    fleet = facts["fleet"]
    # the header counts what the report lists, as the module's `findings` result does: the hosts' and the plan's
    plan_count = len(facts["plan"]["findings"]) if facts.get("plan") else 0
    lines = [
        f"{facts['title'].upper()}: {fleet['hosts']} host(s), {fleet['vms']} VM(s), {len(facts['findings'])} finding(s)"
        + (f" and {plan_count} plan finding(s)" if plan_count else "")
        + (f", {facts['generated']}" if facts.get("generated") else ""),
        "figures are used/allowed by each host's overcommit policy; memory in GiB/MiB, storage as reported",
        "",
        f"FINDINGS ({len(facts['findings'])})",
    ]
    lines += _findings(facts["findings"])
    lines += ["", "FLEET"]
    lines += table(GROUP_HEADERS, [_totals("all hosts", fleet)], GROUP_RIGHT)
    lines += ["", "RESOURCE POOLS"]
    lines += table(GROUP_HEADERS, [_totals(g["name"], g) for g in facts["resource_pools"]], GROUP_RIGHT)
    lines += ["", "ZONES"]
    lines += table(GROUP_HEADERS, [_totals(g["name"], g) for g in facts["zones"]], GROUP_RIGHT)
    for host in facts["hosts"]:
        lines += ["", "=" * 72]
        lines += _host(host)
    if facts.get("plan"):
        lines += ["", "=" * 72]
        lines += _plan(facts["plan"])
        if facts["plan"]["findings"]:
            lines += ["", "PLAN FINDINGS"]
            lines += _findings(facts["plan"]["findings"])
    return "\n".join(lines) + "\n"
