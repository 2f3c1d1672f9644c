#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: vm_host
short_description: Make a libvirt machine a VM host and keep its capacity policy
version_added: 0.1.0
description:
  - Registers a libvirt/KVM machine as a VM host, the way MAAS added a C(virsh) VM host, and keeps its policy,
    that is CPU and memory overcommit ratios, reserved cores and memory, resource pool, zone, tags, default storage
    pool and the networks (with VLANs, subnets and spaces) VMs may be put on.
  - The policy is stored on the host itself, in a small libvirt storage pool named C(vmfleet), and read through
    the libvirt connection, so every controller that reaches the host (also over C(qemu+ssh)) enforces the same
    policy. M(vmfleet.hosts.vm_compose) refuses to compose on a machine that is not a VM host.
  - Options left out keep what the host already stores; a new VM host starts from ratios of 1, nothing reserved,
    resource pool and zone C(default).
  - Returns the host record, as M(vmfleet.hosts.vm_host_info) does, under the new policy.
  - O(state=absent) removes the policy (the C(vmfleet) pool with its volumes); the VMs stay unless
    O(remove_vms=true).
author:
  - vmfleet.hosts contributors (@vmfleet)
extends_documentation_fragment:
  - vmfleet.hosts.connection
  - vmfleet.hosts.attributes
  - vmfleet.hosts.attributes.ACTIONGROUP_VMHOST
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details:
      - The diff shows the stored policy before and after.
  idempotent:
    support: full
options:
  state:
    description:
      - V(present) stores the policy; V(absent) removes it (and, with O(remove_vms), the VMs).
    type: str
    choices: [present, absent]
    default: present
  cpu_over_commit_ratio:
    description:
      - vCPUs the host may give out per online core, a float from 0 to 10 inclusive (MAAS's ratio).
      - A new VM host gets V(1).
    type: float
  memory_over_commit_ratio:
    description:
      - General (non-hugepage) memory the host may give out per MiB it has after the hugepage pool and the
        reserve, a float from 0 to 10 inclusive. Hugepages are never overcommitted.
      - A new VM host gets V(1).
    type: float
  reserved:
    description: Resources kept for the host itself, out of what VMs may take.
    type: dict
    suboptions:
      cores:
        description: vCPUs taken off the overcommitted budget.
        type: int
      memory:
        description: Memory taken off before the ratio; a bare number is MiB, units like V(4G) are accepted.
        type: str
  pool:
    description: Resource pool of the host (MAAS C(pool)); VM requests can ask for it.
    type: str
  zone:
    description: Zone of the host (MAAS C(zone)); VM requests can ask for it.
    type: str
  tags:
    description: Host tags; VM requests can require them with C(host_tags).
    type: list
    elements: str
  default_storage_pool:
    description:
      - The storage pool disks go to when they name no pool or tag (MAAS C(default_storage_pool)).
      - It must exist, unless O(create_default_storage_pool=true).
    type: str
  create_default_storage_pool:
    description:
      - Create O(default_storage_pool) as a C(dir) pool at O(default_storage_pool_path) (built, started and
        autostarted) when the host has no pool of that name.
    type: bool
    default: false
  default_storage_pool_path:
    description: Directory for a pool created by O(create_default_storage_pool).
    type: path
    default: /var/lib/libvirt/images
  networks:
    description:
      - Networks VMs may be put on, with what they carry. Each names a libvirt network or a host interface
        (bridge, NIC) that discovery finds; VM NICs asking for a space, subnet or VLAN go where it is declared.
    type: list
    elements: dict
    suboptions:
      name:
        description: The libvirt network or host interface.
        type: str
        required: true
      vlans:
        description: VLAN ids reachable through it.
        type: list
        elements: int
      subnets:
        description: Subnets reachable through it, in CIDR form.
        type: list
        elements: str
      spaces:
        description: Spaces (MAAS) it belongs to.
        type: list
        elements: str
      default:
        description: NICs with no constraint attach here (at most one network).
        type: bool
        default: false
  remove_vms:
    description:
      - With O(state=absent), also stop, undefine and delete the VMs composed by this collection on the host, with
        the volumes they own. Domains the collection did not compose are never touched.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Make the local machine a VM host with overcommit
  vmfleet.hosts.vm_host:
    cpu_over_commit_ratio: 4
    memory_over_commit_ratio: 1.5
    reserved: {cores: 2, memory: 4G}
    zone: az1
    tags: [ssd]
    default_storage_pool: vms
    create_default_storage_pool: true
    default_storage_pool_path: /srv/vms
    networks:
      - {name: default, default: true}
      - {name: br0, vlans: [10, 20], subnets: [10.0.10.0/24], spaces: [storage]}
  register: kvm

- name: Lower the CPU ratio of a remote host, keeping the rest of its policy
  vmfleet.hosts.vm_host:
    address: qemu+ssh://root@kvm-02.example.com/system
    cpu_over_commit_ratio: 2
  delegate_to: localhost

- name: Stop treating a host as a VM host (its VMs stay)
  vmfleet.hosts.vm_host:
    state: absent
"""

RETURN = r"""
host:
  description:
    - The host record under the new policy (in check mode, the policy it would get); see C(docs/host_record.md).
    - Empty after O(state=absent).
  returned: always
  type: dict
  sample: {name: kvm-01, type: libvirt, cpu_over_commit_ratio: 4.0, total: {cores: 8}, available: {cores: 28}}
policy:
  description: The policy stored on the host after the task; in check mode, the policy it would store.
  returned: success
  type: dict
  sample:
    cpu_over_commit_ratio: 4.0
    memory_over_commit_ratio: 1.5
    reserved: {cores: 2, memory: 4096}
    pool: default
    zone: az1
    tags: [ssd]
    default_storage_pool: vms
    networks: []
removed_vms:
  description: VMs removed with O(remove_vms=true).
  returned: when O(state=absent)
  type: list
  elements: str
  sample: [web-1]
"""

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.summary import describe
from ansible_collections.vmfleet.hosts.plugins.module_utils.connection_spec import connection_argspec
from ansible_collections.vmfleet.hosts.plugins.module_utils.module_base import VmFleetModule
from ansible_collections.vmfleet.hosts.plugins.module_utils.vm_host_service import absent, present

POLICY_OPTIONS = (
    "cpu_over_commit_ratio",
    "memory_over_commit_ratio",
    "reserved",
    "pool",
    "zone",
    "tags",
    "default_storage_pool",
    "networks",
)


def main():
    module = VmFleetModule(
        argument_spec={
            **connection_argspec(),
            "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
            "cpu_over_commit_ratio": {"type": "float"},
            "memory_over_commit_ratio": {"type": "float"},
            "reserved": {"type": "dict", "options": {"cores": {"type": "int"}, "memory": {"type": "str"}}},
            "pool": {"type": "str"},
            "zone": {"type": "str"},
            "tags": {"type": "list", "elements": "str"},
            "default_storage_pool": {"type": "str"},
            "create_default_storage_pool": {"type": "bool", "default": False},
            "default_storage_pool_path": {"type": "path", "default": "/var/lib/libvirt/images"},
            "networks": {
                "type": "list",
                "elements": "dict",
                "options": {
                    "name": {"type": "str", "required": True},
                    "vlans": {"type": "list", "elements": "int"},
                    "subnets": {"type": "list", "elements": "str"},
                    "spaces": {"type": "list", "elements": "str"},
                    "default": {"type": "bool", "default": False},
                },
            },
            "remove_vms": {"type": "bool", "default": False},
        },
        supports_check_mode=True,
    )
    params = module.params
    with module.core_errors(), module.driver() as driver:
        if params["state"] == "absent":
            outcome = absent(driver, params["remove_vms"], module.check_mode)
        else:
            outcome = present(
                driver,
                {key: params[key] for key in POLICY_OPTIONS},
                params["create_default_storage_pool"],
                params["default_storage_pool_path"],
                module.check_mode,
            )
            outcome["host"] = describe(outcome.pop("record"))
    for warning in outcome.pop("warnings", []):
        module.warn(warning)
    module.exit_json(**outcome)


if __name__ == "__main__":
    main()
