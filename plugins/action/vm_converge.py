# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""vm_converge: one VM host's share of a fleet run, one task per host instead of one task per VM.

Each VM is converged by vm_compose itself (the same checks, lock, rollback, check mode and no_log), run by this
plugin once per VM, so the fleet means exactly what the single-VM module means. A VM refused for capacity
(another job took the room since the plan) is reported in ``refused`` for the fleet to plan again elsewhere.
The cost is still one vm_compose run per VM; the task's interface is the per-host one, so a later one-process
converge of the host's whole list changes no playbook (issue 12, "cost per host").
"""

from __future__ import annotations

from ansible.plugins.action import ActionBase

from ansible_collections.vmfleet.hosts.plugins.module_utils.fleet.declaration import PLACEMENT_KEYS

OWN = ("vms", "converge", "remove")
# what a vm_compose result says about a VM, kept per VM (the rest, e.g. invocation, is left out)
KEPT = ("msg", "kind", "option", "resource", "created", "power_state", "restart_required", "addresses", "vm")


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = self._task.args
        declared = {vm.get("name"): vm for vm in args.get("vms") or [] if isinstance(vm, dict)}
        shared = {k: v for k, v in args.items() if k not in OWN}
        work = [(name, "converge") for name in args.get("converge") or []]
        work += [(name, "remove") for name in args.get("remove") or []]
        for name, _action in work:
            if name not in declared:
                return {**result, "failed": True, "msg": f"converge/remove: {name} is not declared in vms"}
        vms, refused = [], []
        for name, action in work:
            options = {k: v for k, v in declared[name].items() if k not in PLACEMENT_KEYS}
            if action == "remove":
                options = {"name": name, "state": "absent"}
            out = self._execute_module(
                module_name="vmfleet.hosts.vm_compose", module_args={**shared, **options}, task_vars=task_vars
            )
            entry = {"name": name, "action": action, **{k: out[k] for k in KEPT if k in out}}
            entry["changed"] = bool(out.get("changed"))
            entry["failed"] = bool(out.get("failed"))
            entry["vm_host"] = (task_vars or {}).get("inventory_hostname")
            entry["summary"] = _summary(entry)
            vms.append(entry)
            if entry["failed"] and out.get("resource"):
                refused.append(name)
        failed = [vm for vm in vms if vm["failed"] and vm["name"] not in refused]
        result.update(
            changed=any(vm["changed"] for vm in vms),
            vms=vms,
            refused=refused,
        )
        if failed:
            result.update(failed=True, msg="; ".join(f"{vm['name']}: {vm.get('msg')}" for vm in failed))
        return result


def _summary(entry: dict) -> str:
    """One line for the fleet's summary: what happened to the VM, where."""
    if entry["failed"]:
        what = "refused (to be planned again)" if entry.get("resource") else f"failed: {entry.get('msg')}"
    elif entry["action"] == "remove":
        what = "removed" if entry["changed"] else "absent"
    elif entry.get("created"):
        what = "created"
    else:
        what = "changed" if entry["changed"] else "unchanged"
    addresses = [a["address"] for a in entry.get("addresses") or [] if isinstance(a, dict) and a.get("address")]
    return f"{entry['name']} on {entry['vm_host']}: {what}" + (f" ({', '.join(addresses)})" if addresses else "")
