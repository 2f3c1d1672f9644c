#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

# The task runs in the action plugin of the same name (plugins/action/fleet_plan.py) on the controller;
# this file holds its documentation.

DOCUMENTATION = r"""
---
module: fleet_plan
short_description: Decide what one fleet run does on each VM host
version_added: 0.3.0
description:
  - Takes the host records of a fleet's VM hosts (from M(vmfleet.hosts.vm_host_info)) and the fleet's declared
    VMs, and says for each VM host which VMs to converge or create there and which to remove.
  - A declared VM that exists stays on its host. New VMs are placed with the capacity core's plan
    (M(vmfleet.hosts.vm_plan)'s rules), VM hosts on the same hardware (RV(ignore:hosts[].hardware_id)) planned
    as one pool of capacity, and a VM that names its O(vms[].host) only there.
  - When a new VM fits on no host the task fails before anything is touched, with every host's own reason.
  - Pure computation on the controller; nothing is contacted. C(playbooks/fleet.yml) is the entry point that
    uses it (C(docs/fleet.md)).
author:
  - vmfleet.hosts contributors (@vmfleet)
extends_documentation_fragment:
  - vmfleet.hosts.attributes
  - vmfleet.hosts.attributes.PURE
options:
  hosts:
    description:
      - VM host name (as the fleet's inventory names it) -> that host's record
        (RV(vmfleet.hosts.vm_host_info#module:host)).
      - Each record is planned under its VM host's name (LXD projects of one server report the server's name).
    type: dict
    required: true
  vms:
    description:
      - The declared VMs. Each is a M(vmfleet.hosts.vm_compose) request (its options, O(vms[].name) required,
        O(vms[].state) defaulting to V(present)), plus the fleet keys O(vms[].host), O(vms[].zone) and
        O(vms[].host_tags), which say where it may go and are not passed to M(vmfleet.hosts.vm_compose).
      - C(state=absent) removes the VM wherever it is (once per machine).
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: VM name, unique in the fleet.
        type: str
        required: true
      state:
        description: As M(vmfleet.hosts.vm_compose)'s O(vmfleet.hosts.vm_compose#module:state).
        type: str
        choices: [present, started, stopped, restarted, absent]
        default: present
      host:
        description: The VM host (inventory name) the VM must go on; a VM that exists elsewhere is refused.
        type: str
      zone:
        description: Only place the VM on hosts of this zone.
        type: str
      host_tags:
        description: Only place the VM on hosts with all these tags.
        type: list
        elements: str
  strategy:
    description: How new VMs are spread, as M(vmfleet.hosts.vm_plan)'s O(vmfleet.hosts.vm_plan#module:strategy).
    type: str
    choices: [pack, spread]
    default: pack
notes:
  - The result names VMs and hosts only; a declaration's cloud-init user data never gets into it.
  - The task never changes anything, so it reports RV(ignore:changed=false) and behaves the same in check mode.
seealso:
  - module: vmfleet.hosts.vm_converge
  - module: vmfleet.hosts.vm_plan
"""

EXAMPLES = r"""
- name: Plan the fleet's VMs across its VM hosts
  vmfleet.hosts.fleet_plan:
    # VM host name -> its record, e.g. from vm_host_info registered on each VM host (playbooks/fleet.yml)
    hosts: "{{ fleet_records }}"
    vms:
      - name: web-1
        cores: 1
        memory: 1G
        zone: az1
      - name: db-1
        cores: 2
        memory: 4G
        host: kvm-01
      - name: old-1
        state: absent
  register: plan
"""

RETURN = r"""
hosts:
  description: VM host -> the VMs to converge (or create) there and the VMs to remove there, by name.
  returned: when every VM is placed
  type: dict
  sample: {kvm-01: {compose: [db-1], remove: []}, lxd-a: {compose: [web-1], remove: [old-1]}}
placements:
  description: One entry per declared VM that something is done with.
  returned: success
  type: list
  elements: dict
  sample: [{name: web-1, host: lxd-a, action: create, summary: "web-1: create on lxd-a"}]
  contains:
    name:
      description: VM name.
      type: str
      returned: always
    host:
      description: VM host.
      type: str
      returned: always
    action:
      description: V(create) (a new VM placed by the plan), V(converge) (a VM that exists) or V(remove).
      type: str
      returned: always
    summary:
      description: The placement as one line, for a run's output.
      type: str
      returned: always
      sample: "web-1: create on lxd-a"
unplaced:
  description: New VMs no host can take, each with every host's reason; when not empty the task fails.
  returned: always
  type: list
  elements: dict
  sample:
    - name: big-1
      reasons:
        kvm-01: "Host kvm-01: CPU overcommit ratio is 1.0 and there are 0 available resources; 8 requested."
        lxd-a: the host is in zone az2, not az1
remaining:
  description:
    - Each host's figures after the plan, as M(vmfleet.hosts.vm_plan)'s RV(vmfleet.hosts.vm_plan#module:remaining).
  returned: when every VM is placed
  type: list
  elements: dict
"""
