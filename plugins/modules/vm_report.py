#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

DOCUMENTATION = r"""
---
module: vm_report
short_description: Write a capacity report of VM hosts as one self-contained HTML page, text tables and JSON
version_added: 0.2.0
description:
  - Takes the host records of any number of VM hosts (as M(vmfleet.hosts.vm_host_info) returns them) and,
    optionally, a M(vmfleet.hosts.vm_plan) result, and writes the fleet's capacity as
    C(<name>.html), C(<name>.txt) and C(<name>.json) in O(dest).
  - "It shows fleet totals; totals per resource pool and per zone; per host the vCPUs, general memory, hugepages
    and each storage pool as used, allowed by the overcommit policy and physical, with the ratios and the reserve
    (in the page, a bar per resource: its track is what the policy allows, a line marks where the physical amount
    ends, a hatched stretch is the reserve); the default storage pool marked; per NUMA node the cores as a grid
    (free, pinned by which VM, offline, isolated), general memory bound to the node, hugepages per page size, the
    VMs and the host NICs on the node with their SR-IOV VFs; every VM with its vCPUs or pinned cores, memory,
    hugepages, NUMA nodes, disks per pool, NICs, power state, pool and tags."
  - "Findings: a host past its policy (VMs made outside the collection can do that: vCPUs, general memory,
    hugepages of a node, a core pinned by two VMs, a storage pool holding more than its size), a storage pool
    nearly full (O(pool_full_percent)), an SR-IOV NIC with no free VF, a VM whose NIC is on another NUMA node than
    its cores, a VM spanning NUMA nodes; with O(plan), its requests that fit nowhere and the NUMA remarks of its
    placements."
  - With O(plan), the page and the tables also show what would be placed where and what is left on each host.
  - The HTML page is self-contained (inline CSS and SVG, no script, a Content-Security-Policy that forbids any
    fetch), works on narrow screens, prints, and has real tables with headers and a text for every graphic. Every
    value from the records is escaped.
  - Every figure comes from the collection's capacity core, the same arithmetic M(vmfleet.hosts.vm_plan) and
    M(vmfleet.hosts.vm_compose) enforce.
  - This is an action plugin; it renders on the controller. The files are written by M(ansible.builtin.copy)'s
    action where the task runs (the controller with C(delegate_to=localhost), or any host).
author:
  - vmfleet.hosts contributors (@vmfleet)
extends_documentation_fragment:
  - vmfleet.hosts.attributes
  - vmfleet.hosts.host_record
attributes:
  check_mode:
    support: full
    details:
      - Says which files would change, writing none.
  diff_mode:
    support: full
    details:
      - Shows the changes to each file, as M(ansible.builtin.copy) does.
  idempotent:
    support: full
    details:
      - The same records give the same bytes, so a second run changes nothing; an O(generated) that changes
        (a time stamp) changes the files.
notes:
  - Not in the C(group/vmfleet.hosts.vmhost) action group, since it contacts no hypervisor and takes no connection
    options.
  - Memory is shown in binary units (GiB, as the record's MiB), storage in decimal units (GB, as the record's
    bytes and as disk sizes are written in requests).
  - See C(docs/report.md) in the collection for the page, the tables and the JSON.
seealso:
  - module: vmfleet.hosts.vm_host_info
  - module: vmfleet.hosts.vm_plan
options:
  plan:
    description:
      - A registered M(vmfleet.hosts.vm_plan) result (its C(placements), C(unplaced) and C(hosts) are read).
      - Its C(hosts) are the records after the plan, so the report's plan section shows what is left.
    type: dict
  dest:
    description:
      - Directory the files are written to; made when missing.
    type: path
    required: true
  name:
    description: Base name of the files, without a directory; the formats add C(.html), C(.txt) and C(.json).
    type: str
    default: capacity-report
  formats:
    description: Which files to write.
    type: list
    elements: str
    choices: [html, text, json]
    default: [html, text, json]
  title:
    description: Title of the report.
    type: str
    default: VM fleet capacity
  pool_full_percent:
    description:
      - A storage pool counts as nearly full (a finding) from this share of its size used, in percent (more than 0,
        at most 100).
    type: float
    default: 90
  generated:
    description:
      - A line saying when or by what the report was made (for instance C("{{ now(utc=true) }} UTC by AWX job
        42")), shown under the title. Not set, the report holds no time stamp, so the same records give the same
        files.
    type: str
  mode:
    description: Permissions of the files, as M(ansible.builtin.copy) takes them.
    type: raw
    default: "0644"
"""

EXAMPLES = r"""
- name: Read the VM hosts
  vmfleet.hosts.vm_host_info:
  register: kvm

- name: Write the capacity report on the controller
  vmfleet.hosts.vm_report:
    hosts: ["{{ kvm.host }}"]
    dest: /var/www/html/capacity
  delegate_to: localhost
  register: report

- name: Show the tables in the job output
  ansible.builtin.debug:
    var: report.lines

- name: Fail the job on a critical finding
  ansible.builtin.assert:
    that: report.findings | selectattr('severity', 'equalto', 'critical') | list | length == 0
    fail_msg: "{{ report.findings | map(attribute='message') | join('; ') }}"

- name: Report a plan, with pools counted full from 80 %, HTML only
  vmfleet.hosts.vm_report:
    hosts: "{{ fleet.results | map(attribute='host') | list }}"
    plan: "{{ plan }}"
    dest: "{{ playbook_dir }}/reports"
    name: plan-{{ ansible_date_time.date }}
    formats: [html]
    pool_full_percent: 80
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
files:
  description: Path of each file written, by format.
  returned: success
  type: dict
  sample: {html: /var/www/html/capacity/capacity-report.html, text: /var/www/html/capacity/capacity-report.txt,
           json: /var/www/html/capacity/capacity-report.json}
findings:
  description:
    - The findings, most severe first (the hosts' own, then the plan's).
    - C(kind) is one of V(over_policy), V(pool_nearly_full), V(vfs_exhausted), V(nic_numa_mismatch),
      V(vm_spans_numa_nodes), V(unplaced); C(severity) is V(critical), V(warning) or V(notice); C(figures) holds
      the numbers the message gives.
  returned: success
  type: list
  elements: dict
  sample:
    - kind: nic_numa_mismatch
      severity: warning
      host: kvm-a
      vm: vrouter
      subject: VM vrouter NIC eth0
      message: "VM vrouter's NIC eth0 uses a VF of enp94s0f0 on NUMA node 1, but its cores are on node 0 (0-3)."
      figures: {nic: eth0, interface: enp94s0f0, nic_node: 1, vm_nodes: [0]}
fleet:
  description: Fleet totals (hosts, VMs, vCPUs used and allowed, memory MiB, hugepages MiB, storage bytes, findings).
  returned: success
  type: dict
  sample: {hosts: 2, vms: 5, cores: 32, vcpus_used: 14, vcpus_allowed: 62, memory_used: 40960,
           memory_allowed: 184320, memory_physical: 196608, hugepages_used: 8192, hugepages_total: 32768,
           storage_used: 790000000000, storage_total: 7920000000000, storage_available: 7130000000000, findings: 1}
lines:
  description: The text report, one line per element, for M(ansible.builtin.debug) in job output.
  returned: success
  type: list
  elements: str
"""
