# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""vm_converge: one VM host's share of a fleet run, one task and one module run per host.

The module (plugins/modules/vm_converge.py) converges the host's list in one process; this plugin sends it only
the declarations of the VMs it is to act on (a fleet's whole declaration would be shipped to every host for
nothing) and adds the VM host's inventory name and a summary line to each VM's entry.
"""

from __future__ import annotations

from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = dict(self._task.args)
        named = set(_names(args.get("converge"))) | set(_names(args.get("remove")))
        if not named and isinstance(args.get("converge", []), list) and isinstance(args.get("remove", []), list):
            # nothing for this host: no module run, no connection (most hosts of a fleet, once it has converged)
            return {**result, "changed": False, "vms": [], "refused": []}
        vms = args.get("vms")
        if isinstance(vms, list):
            args["vms"] = [vm for vm in vms if not isinstance(vm, dict) or vm.get("name") in named]
        out = self._execute_module(module_name="vmfleet.hosts.vm_converge", module_args=args, task_vars=task_vars)
        host = (task_vars or {}).get("inventory_hostname")
        for entry in out.get("vms") or []:
            entry["vm_host"] = host
            entry["summary"] = _summary(entry)
        out.pop("invocation", None)  # the VMs' options, already masked, are of no use in a fleet's summary
        result.update(out)
        return result


def _names(value) -> list:
    return [name for name in value if isinstance(name, str)] if isinstance(value, list) else []


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
