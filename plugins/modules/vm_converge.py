#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

# The action plugin of the same name (plugins/action/vm_converge.py) sends this module only the VMs it is to act
# on and adds the VM host's name to each line of the summary.

DOCUMENTATION = r"""
---
module: vm_converge
short_description: Converge a list of VMs on one VM host
version_added: 0.3.0
description:
  - One VM host's share of a fleet run (C(playbooks/fleet.yml)). It converges the VMs named in O(converge) and
    removes those named in O(remove), on the host the connection options reach. Each VM means exactly what
    M(vmfleet.hosts.vm_compose) makes of the options its declaration in O(vms) gives (the same option checks,
    capacity checks, rollback, power changes and addresses).
  - The cost follows the host, not the VMs, in one module run. VMs already as asked are judged on one discovery
    of the host, with no lock (as an unchanged M(vmfleet.hosts.vm_compose) takes none). When anything is to be
    done, one compose lock is taken for the whole list, and the host is read again under it and after each VM
    that changed it, so each capacity check sees the VMs made before it. Removals come first, so the room they
    free is there for the VMs made after them. A lock held for more than a quarter of its lease is released and
    taken again between two VMs.
  - Only VMs the collection composed are removed; another VM of that name fails with kind V(not_managed).
  - A VM refused for capacity (another job took the room since the plan) does not fail the task; it is listed in
    RV(refused) so the fleet can plan it again on another host. Any other failure fails the task after every VM
    was tried.
author:
  - vmfleet.hosts contributors (@vmfleet)
extends_documentation_fragment:
  - vmfleet.hosts.attributes
  - vmfleet.hosts.attributes.ACTIONGROUP_VMHOST
  - vmfleet.hosts.connection
attributes:
  check_mode:
    support: full
    details: Each VM is checked as M(vmfleet.hosts.vm_compose) checks it in check mode, against the host as it is
      (a VM the run would create is not counted against the next one).
  diff_mode:
    support: none
  idempotent:
    support: full
options:
  vms:
    description:
      - The fleet's declared VMs (as M(vmfleet.hosts.fleet_plan)'s O(vmfleet.hosts.fleet_plan#module:vms)); only
        those named in O(converge) and O(remove) are used. Each is a dict of M(vmfleet.hosts.vm_compose)'s options,
        validated against that module's argument spec; the fleet keys C(host), C(zone) and C(host_tags) are left out.
      - A VM whose options are wrong fails alone, naming the option; the other VMs are still converged.
    type: list
    elements: dict
    required: true
  converge:
    description: Names of the VMs to converge (or create) on this host.
    type: list
    elements: str
    default: []
  remove:
    description: Names of the VMs to remove from this host (only VMs the collection composed are removed).
    type: list
    elements: str
    default: []
  lock_timeout:
    description:
      - Seconds to wait for the host's compose lock, taken once for the whole list (each VM's own
        C(lock_timeout) is not used).
    type: int
    default: 300
notes:
  - A VM refused for capacity at this point lost its room to another job since the plan was made;
    C(playbooks/fleet.yml) plans it again on another host.
requirements:
  - As M(vmfleet.hosts.vm_compose) for the host's type.
seealso:
  - module: vmfleet.hosts.fleet_plan
  - module: vmfleet.hosts.vm_compose
"""

EXAMPLES = r"""
- name: Converge this VM host's share of the fleet
  vmfleet.hosts.vm_converge:
    address: qemu:///system
    vms: "{{ vmfleet_vms }}"
    converge: "{{ hostvars.localhost.fleet.hosts[inventory_hostname].compose }}"
    remove: "{{ hostvars.localhost.fleet.hosts[inventory_hostname].remove }}"
  register: converged
"""

RETURN = r"""
vms:
  description: One entry per VM, in the order converged then removed.
  returned: always
  type: list
  elements: dict
  sample: [{name: web-1, action: converge, changed: true, failed: false, created: true, power_state: stopped}]
  contains:
    name:
      description: VM name.
      type: str
      returned: always
    action:
      description: V(converge) or V(remove).
      type: str
      returned: always
    changed:
      description: Whether vm_compose changed the VM.
      type: bool
      returned: always
    failed:
      description: Whether vm_compose failed for it.
      type: bool
      returned: always
    msg:
      description: Why the VM failed.
      type: str
      returned: when failed
    kind:
      description: The failure's kind, as M(vmfleet.hosts.vm_compose) returns it (V(lock_timeout), V(drift), ...).
      type: str
      returned: when the hypervisor or the host refused
    option:
      description: The option at fault.
      type: str
      returned: when an option was refused
    resource:
      description: The resource a capacity refusal ran out of (the VM is then in RV(refused)).
      type: str
      returned: when refused for capacity
    created:
      description: Whether the VM was created.
      type: bool
      returned: for a converged VM
    power_state:
      description: V(running) or V(stopped) after the task.
      type: str
      returned: for a converged VM
    restart_required:
      description: As M(vmfleet.hosts.vm_compose)'s.
      type: bool
      returned: for a converged VM
    addresses:
      description: The VM's addresses, as M(vmfleet.hosts.vm_compose) returns them.
      type: list
      elements: dict
      returned: for a converged VM
    vm:
      description: The VM's entry, as M(vmfleet.hosts.vm_compose)'s RV(vmfleet.hosts.vm_compose#module:vm).
      type: dict
      returned: for a converged VM
    removed_volumes:
      description: The volumes removed with the VM (C(pool/volume)).
      type: list
      elements: str
      returned: for a removed VM
    vm_host:
      description: The VM host (inventory name) the task ran for.
      type: str
      returned: always
    summary:
      description: One line saying what happened to the VM and where (and its addresses, when it has any).
      type: str
      returned: always
      sample: "web-1 on lxd-a: created"
refused:
  description: VMs refused for capacity, to be planned again elsewhere.
  returned: always
  type: list
  elements: str
  sample: [web-3]
"""

from ansible_collections.vmfleet.hosts.plugins.module_utils.compose_options import COMPOSE_OPTIONS
from ansible_collections.vmfleet.hosts.plugins.module_utils.connection_spec import connection_argspec
from ansible_collections.vmfleet.hosts.plugins.module_utils.fleet.host_jobs import host_jobs
from ansible_collections.vmfleet.hosts.plugins.module_utils.host_converge_service import converge
from ansible_collections.vmfleet.hosts.plugins.module_utils.module_base import VmFleetModule
from ansible_collections.vmfleet.hosts.plugins.module_utils.option_shapes import secret_values
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.scalars import parse_int
from ansible_collections.vmfleet.hosts.plugins.module_utils.vm_compose_service import MAX_WAIT


def main():
    module = VmFleetModule(
        argument_spec={
            **connection_argspec(),
            "vms": {"type": "list", "elements": "dict", "required": True},
            "converge": {"type": "list", "elements": "str", "default": []},
            "remove": {"type": "list", "elements": "str", "default": []},
            "lock_timeout": {"type": "int", "default": 300},
        },
        supports_check_mode=True,
    )
    params = module.params
    for vm in params["vms"]:
        # the VMs' options are validated per VM, not by ansible-core: their secrets are masked from here on
        module.no_log_values.update(secret_values(COMPOSE_OPTIONS, vm))
    try:
        jobs = host_jobs(params["vms"], params["converge"], params["remove"])
    except ValueError as error:
        module.fail_json(msg=str(error), option="vms")
    with module.core_errors():
        parse_int(params["lock_timeout"], "lock_timeout", 0, MAX_WAIT)
        with module.driver() as driver:
            done = converge(driver, jobs, module.check_mode, params["lock_timeout"])
    for line in done["recovered"]:
        module.warn(f"a compose that died half-way on this host was settled first: {line}")
    vms = done["vms"]
    refused = [vm["name"] for vm in vms if vm["failed"] and vm.get("resource")]
    result = {"changed": any(vm["changed"] for vm in vms), "vms": vms, "refused": refused}
    failed = [vm for vm in vms if vm["failed"] and vm["name"] not in refused]
    if failed:
        module.fail_json(msg="; ".join(f"{vm['name']}: {vm['msg']}" for vm in failed), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
