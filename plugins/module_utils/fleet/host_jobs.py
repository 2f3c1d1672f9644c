# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A VM host's share of a fleet run as jobs: each VM to converge or remove, with its vm_compose options checked
against vm_compose's own argument spec (compose_options), so a VM in a fleet means what it means to vm_compose.

ansible-core validates vm_converge's ``vms`` only as a list of dicts; each VM is validated here instead, and a
VM with bad options becomes a failed job that names the VM and the option, while the other VMs go on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.errors import UnsupportedError

from ansible_collections.vmfleet.hosts.plugins.module_utils.compose_options import COMPOSE_EXCLUSIVE, COMPOSE_OPTIONS
from ansible_collections.vmfleet.hosts.plugins.module_utils.fleet.declaration import PLACEMENT_KEYS
from ansible_collections.vmfleet.hosts.plugins.module_utils.option_shapes import shape_problem


@dataclass
class HostJob:
    name: str
    remove: bool
    params: dict = field(default_factory=dict)  # vm_compose's options, validated, defaults filled in
    error: object = None  # the failure (fail_json keys) once the VM failed
    result: object = None  # the vm_compose result once the VM is done
    request: object = None  # what vm_compose_service.parse made of params (converged VMs)
    options: object = None

    @property
    def pending(self) -> bool:
        return self.result is None and self.error is None


def host_jobs(vms: list, converge: list, remove: list) -> list:
    """The jobs for the VMs named in ``converge`` (from their declarations in ``vms``) and ``remove``, in that
    order. Raises ValueError naming the option when a name is not declared or is given twice."""
    declared = {}
    for index, vm in enumerate(vms):
        name = vm.get("name")
        if not isinstance(name, str) or not name:
            raise ValueError(f"vms[{index}].name is required: a VM name")
        if name in declared:
            raise ValueError(f"vms[{index}].name: {name} is declared twice")
        declared[name] = vm
    jobs, seen = [], set()
    for option, names in (("converge", converge), ("remove", remove)):
        for name in names:
            if name not in declared:
                raise ValueError(f"{option}: {name} is not declared in vms")
            if name in seen:
                raise ValueError(f"{option}: {name} is named twice in converge and remove")
            seen.add(name)
            if option == "remove":
                given = {"name": name, "state": "absent"}
            else:
                given = {key: value for key, value in declared[name].items() if key not in PLACEMENT_KEYS}
            jobs.append(_validated(name, option == "remove", given))
    return jobs


def _validated(name: str, remove: bool, given: dict) -> HostJob:
    job = HostJob(name=name, remove=remove)
    problem = shape_problem(COMPOSE_OPTIONS, given)
    if problem:
        problem.pop("secrets")  # masked by the module, which collects every VM's secrets
        job.error = problem
        return job
    checked = ArgumentSpecValidator(COMPOSE_OPTIONS, mutually_exclusive=COMPOSE_EXCLUSIVE).validate(given)
    if checked.errors.errors:  # (the container itself is always true)
        first = checked.errors.errors[0]
        text = f"unsupported option {first.msg}" if isinstance(first, UnsupportedError) else first.msg
        job.error = {"msg": text, "option": "vms"}
        return job
    job.params = checked.validated_parameters
    return job
