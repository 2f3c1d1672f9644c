# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""fleet_plan on the controller: like vm_plan, pure computation that needs no module round trip.

The logic is module_utils/fleet/converge_plan.py; this is the Ansible shell around it. The module file of the
same name holds the documentation and a main for direct runs.
"""

from __future__ import annotations

from ansible.plugins.action import ActionBase

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.errors import PolicyError
from ansible_collections.vmfleet.hosts.plugins.module_utils.fleet.converge_plan import fleet_plan
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError

OPTIONS = ("hosts", "vms", "strategy")


def task_result(args: dict) -> dict:
    """The plan, or a failure naming the option; a VM that fits nowhere fails the task with every host's reason."""
    unknown = sorted(set(args) - set(OPTIONS))
    if unknown:
        return {"failed": True, "changed": False, "msg": f"{unknown[0]}: is not an option of fleet_plan"}
    try:
        result = fleet_plan(args.get("hosts"), args.get("vms") or [], args.get("strategy") or "pack")
    except (SpecError, PolicyError) as error:
        return {"failed": True, "changed": False, "msg": str(error), "option": error.option, "reason": error.reason}
    result["changed"] = False
    if result["unplaced"]:
        lines = [
            f"{miss['name']}: " + "; ".join(f"{host}: {why}" for host, why in sorted(miss["reasons"].items()))
            for miss in result["unplaced"]
        ]
        # the reasons are what the operator reads: the work lists and figures of a refused plan are left out
        return {
            "failed": True,
            "changed": False,
            "msg": "no VM host can take " + " | ".join(lines),
            "unplaced": result["unplaced"],
            "placements": result["placements"],
        }
    return result


class ActionModule(ActionBase):
    """Plans in the worker; the target host is never contacted (nor connected to)."""

    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        # The result names VMs and hosts only: declarations may hold cloud-init user data, which stays in the
        # declaration and reaches vm_compose (where it is no_log) through vm_converge, never through this result.
        result.update(task_result(self._task.args))
        return result
