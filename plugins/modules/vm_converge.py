#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

# The task runs in the action plugin of the same name (plugins/action/vm_converge.py), which runs
# vmfleet.hosts.vm_compose for each VM; this file holds its documentation.

DOCUMENTATION = r"""
---
module: vm_converge
short_description: Converge a list of VMs on one VM host
version_added: 0.3.0
description:
  - One VM host's share of a fleet run (C(playbooks/fleet.yml)). It converges the VMs named in O(converge) and
    removes those named in O(remove), each with M(vmfleet.hosts.vm_compose) and the options its declaration in
    O(vms) gives, on the host the connection options reach.
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
    details: Each VM's M(vmfleet.hosts.vm_compose) runs in check mode.
  diff_mode:
    support: none
  idempotent:
    support: full
options:
  vms:
    description:
      - The fleet's declared VMs (as M(vmfleet.hosts.fleet_plan)'s O(vmfleet.hosts.fleet_plan#module:vms)); only
        those named in O(converge) and O(remove) are used. The fleet keys C(host), C(zone) and C(host_tags) are not
        passed to M(vmfleet.hosts.vm_compose).
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
    description: As M(vmfleet.hosts.vm_compose)'s O(vmfleet.hosts.vm_compose#module:lock_timeout).
    type: int
    default: 300
notes:
  - The cost is one M(vmfleet.hosts.vm_compose) run per VM (a Python start, a connection, a discovery each).
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
  sample: [{name: web-1, action: converge, changed: true, failed: false, created: true, power_state: shut off}]
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
      description: vm_compose's message, when it gave one (why it failed).
      type: str
      returned: when vm_compose gave one
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
