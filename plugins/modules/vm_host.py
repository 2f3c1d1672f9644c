#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: vm_host
short_description: Make a libvirt machine or an LXD project a VM host and keep its capacity policy
version_added: 0.1.0
description:
  - Registers a libvirt/KVM machine or an LXD server's project as a VM host, the way MAAS added a C(virsh) or
    C(lxd) VM host, and keeps its policy, that is CPU and memory overcommit ratios, reserved cores and memory,
    resource pool, zone, tags, default storage pool and the networks (with VLANs, subnets and spaces) VMs may be
    put on.
  - The policy is stored on the host itself and read through the connection, so every controller that reaches
    the host enforces the same policy. On libvirt it lives in a small storage pool named C(vmfleet) (also over
    C(qemu+ssh)); on LXD in the C(user.vmfleet.policy) config key of the O(project), written with the project's
    ETag so two controllers cannot overwrite each other (see C(docs/lxd.md)). M(vmfleet.hosts.vm_compose) refuses
    to compose on a host that is not a VM host.
  - Options left out keep what the host already stores; a new VM host starts from ratios of 1, nothing reserved,
    resource pool and zone C(default).
  - Returns the host record, as M(vmfleet.hosts.vm_host_info) does, under the new policy.
  - O(state=absent) removes the policy (on libvirt the C(vmfleet) pool with its volumes, on LXD the config key;
    the LXD project stays, also when this module created it); the VMs stay unless O(remove_vms=true).
author:
  - vmfleet.hosts contributors (@vmfleet)
extends_documentation_fragment:
  - vmfleet.hosts.connection
  - vmfleet.hosts.connection.BINDINGS
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
        description:
          - vCPUs taken off the overcommitted budget, from 0 (no reserve) to 8192.
          - More than the host's online cores is refused once the host is read (nothing is written).
        type: int
      memory:
        description:
          - Memory taken off before the ratio; a bare number is MiB, units like V(4G) are accepted.
          - V(0) clears a reserve set before; at most 4 PiB, and no more than the host's memory (refused once the
            host is read, nothing written).
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
      - A stored default pool that later disappears from the host is not replaced by another pool;
        M(vmfleet.hosts.vm_compose) refuses disks that name no pool (C(kind=missing_default_pool)) and
        M(vmfleet.hosts.vm_host_info) warns, until the pool is back or this option names another one.
      - LXD storage pools belong to the server, not to a project.
    type: str
  create_default_storage_pool:
    description:
      - Create O(default_storage_pool) as a C(dir) pool when the host has no pool of that name.
      - On libvirt the pool is built, started and autostarted at O(default_storage_pool_path). On LXD it is a
        C(dir) storage pool of the server, in O(default_storage_pool_path) when given, else where LXD keeps its
        pools (C(/var/lib/lxd/storage-pools/NAME) or the snap's equivalent).
    type: bool
    default: false
  default_storage_pool_path:
    description:
      - Directory for a pool created by O(create_default_storage_pool); an absolute path (refused otherwise, before the
        host is contacted).
      - When not set, C(/var/lib/libvirt/images) on libvirt; LXD chooses on LXD.
    type: path
  create_project:
    description:
      - On LXD, create O(project) when it does not exist (it then shares the default project's images, with
        C(features.images=false), so image aliases work in it). Without it a missing project is an error naming
        O(project).
      - libvirt has no projects; V(true) is refused on a libvirt host.
      - O(state=absent) never deletes a project; remove it with C(lxc project delete) once it is empty.
    type: bool
    default: false
  networks:
    description:
      - Networks VMs may be put on, with what they carry. Each names a libvirt network or a host interface
        (bridge, NIC) that discovery finds, or on LXD a network C(lxc network list) shows (managed, such as
        C(lxdbr0), or a host interface); VM NICs asking for a space, subnet or VLAN go where it is declared.
    type: list
    elements: dict
    suboptions:
      name:
        description: The libvirt network or host interface, or the LXD network.
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
  force:
    description:
      - Replace a stored policy that cannot be read (not JSON, the wrong shape, a bad value inside; the error
        C(kind=corrupt_policy) names it) with the policy of this task, built from the defaults and the options
        given, as for a new VM host; with O(state=absent), remove it. The diff shows the text that was stored.
      - A stored policy that can be read is never affected by this option; options left out keep its values.
      - See C(docs/troubleshooting.md) (C(corrupt_policy)).
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

- name: Make an LXD project a VM host over HTTPS, creating the project and a dir pool
  vmfleet.hosts.vm_host:
    address: https://lxd-01.example.com:8443
    client_cert: /etc/vmfleet/client.crt
    client_key: /etc/vmfleet/client.key
    server_fingerprint: "{{ lxd_01_fingerprint }}"
    project: vmfleet
    create_project: true
    default_storage_pool: vms
    create_default_storage_pool: true
    cpu_over_commit_ratio: 2
    networks:
      - {name: lxdbr0, default: true}
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
project_created:
  description: Whether the task created the LXD O(project) (in check mode, whether it would); V(false) on libvirt.
  returned: when O(state=present)
  type: bool
  sample: false
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
from ansible_collections.vmfleet.hosts.plugins.module_utils.vm_host_service import absent, check_options, present

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
            "default_storage_pool_path": {"type": "path"},
            "create_project": {"type": "bool", "default": False},
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
            "force": {"type": "bool", "default": False},
        },
        supports_check_mode=True,
    )
    params = module.params
    policy_options = {key: params[key] for key in POLICY_OPTIONS}
    with module.core_errors():
        # a removal reads no policy options, so none of them can fail it
        check_options(params["default_storage_pool_path"], policy_options if params["state"] == "present" else {})
        with module.driver() as driver:
            if params["state"] == "absent":
                outcome = absent(driver, params["remove_vms"], module.check_mode, force=params["force"])
            else:
                outcome = present(
                    driver,
                    policy_options,
                    params["create_default_storage_pool"],
                    params["default_storage_pool_path"],
                    module.check_mode,
                    create_project=params["create_project"],
                    force=params["force"],
                )
                outcome["host"] = describe(outcome.pop("record"))
    for warning in outcome.pop("warnings", []):
        module.warn(warning)
    module.exit_json(**outcome)


if __name__ == "__main__":
    main()
