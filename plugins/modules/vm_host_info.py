#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: vm_host_info
short_description: Read a VM host's record (cores, memory, NUMA, hugepages, storage pools, networks, VMs)
version_added: 0.1.0
description:
  - Discovers what a libvirt VM host or an LXD project has and what its VMs take, and returns it as the
    collection's host record
    (MAAS-shaped C(total), C(used) and C(available) blocks, storage pools, per-NUMA-node cores, memory and
    hugepages, networks and interfaces, and every VM (on LXD, every instance of O(project)) with its allocation).
  - The capacity figures follow the policy stored on the host by M(vmfleet.hosts.vm_host); a host that was never
    registered is read with the default policy (ratios 1, nothing reserved) and RV(registered=false).
  - Read-only; it changes nothing on the host.
author:
  - vmfleet.hosts contributors (@vmfleet)
extends_documentation_fragment:
  - vmfleet.hosts.connection
  - vmfleet.hosts.connection.BINDINGS
  - vmfleet.hosts.attributes
  - vmfleet.hosts.attributes.PURE
  - vmfleet.hosts.attributes.ACTIONGROUP_VMHOST
notes:
  - The schema of RV(host) is documented once, in C(docs/host_record.md) of the collection and in the
    O(vmfleet.hosts.vm_plan#module:hosts) option of M(vmfleet.hosts.vm_plan), which takes this record as it is.
  - A VM's memory counts at its maximum (the domain's C(<memory>)), the most its balloon can give it.
  - libvirt does not report isolated cores (C(isolcpus)); every discovered core has C(isolated=false).
  - The pages of a hugepage-backed VM are counted on the NUMA nodes of its C(numatune), split evenly; a VM without
    C(numatune) is counted on the first node.
  - A VM the collection composed that was changed outside it (a volume it owns deleted, detached or shrunk, its
    pool inactive, the network of a NIC or a pinned core gone) has its findings in C(host.vms[].drift) and a
    warning names it and what drifted. A missing or shrunk volume still counts against its pool at the size the
    VM was composed with (storage is never overcommitted; the VM still claims it, and a repair recreates it), so
    a pool's C(used) may then exceed its C(total). M(vmfleet.hosts.vm_compose) refuses such a VM, or repairs what
    it can with O(vmfleet.hosts.vm_compose#module:repair_drift=true). See C(docs/troubleshooting.md).
  - The C(vmfleet) storage pool, where M(vmfleet.hosts.vm_host) keeps the policy and the compose lock, is not
    listed in RV(host.storage_pools).
  - On LXD, cores with their NUMA node and C(isolated) flag, memory and hugepages per node come from
    C(/1.0/resources) (LXD 5.0 reports the default hugepage size only); storage pools are the server's, and what
    every project's sized volumes may still grow to counts as used; interfaces are the networks the project sees
    (managed ones as type C(network)) with their addresses, and SR-IOV cards; the default interface is the one
    the project's C(default) profile attaches its first NIC to. A O(project) that does not exist is an error.
    Instances of the server's other projects share its cores and memory, so they count against the host too and
    appear in RV(host.vms) as C(<project>/<name>); a client whose certificate is restricted to O(project) cannot
    see them, and the module warns that their use is not counted. See C(docs/lxd.md).
"""

EXAMPLES = r"""
- name: Read the local libvirt host
  vmfleet.hosts.vm_host_info:
  register: kvm

- name: Show its storage pools the way MAAS did
  ansible.builtin.debug:
    msg: "{{ kvm.host.storage_pools | map(attribute='name') | list }}"

- name: Read an LXD project over HTTPS, pinning the server's certificate
  vmfleet.hosts.vm_host_info:
    address: https://lxd-01.example.com:8443
    client_cert: /etc/vmfleet/client.crt
    client_key: /etc/vmfleet/client.key
    server_cert: /etc/vmfleet/lxd-01.crt
    project: vmfleet
  delegate_to: localhost
  register: lxd

- name: Read a remote host over SSH from the controller
  vmfleet.hosts.vm_host_info:
    address: qemu+ssh://root@kvm-01.example.com/system
  delegate_to: localhost
  register: remote
"""

RETURN = r"""
registered:
  description: Whether the host stores a vmfleet policy (was made a VM host with M(vmfleet.hosts.vm_host)).
  returned: always
  type: bool
  sample: true
host:
  description:
    - The host record; see C(docs/host_record.md) of the collection for every key.
    - Memory is in MiB, storage in bytes, hugepage sizes in bytes.
  returned: always
  type: dict
  contains:
    name:
      description: Host name as libvirt reports it; on LXD the server's name (C(server_name) of C(/1.0)).
      type: str
      returned: always
      sample: kvm-01
    type:
      description: V(libvirt) or V(lxd).
      type: str
      returned: always
      sample: libvirt
    hardware_id:
      description:
        - The machine behind the host, V(libvirt:<host UUID>) or V(lxd:<server certificate fingerprint>); null when
          the hypervisor does not say. Hosts with the same value share hardware (projects of one LXD server).
      type: str
      returned: always
      sample: libvirt:4c4c4544-0042-3510-8052-b4c04f4d3732
    total:
      description: What the host has (cores, memory, local_storage, vcpus after the policy, hugepages).
      type: dict
      returned: always
      sample: {cores: 8, memory: 32768, local_storage: 500000000000, vcpus: 16, hugepages: 0}
    used:
      description: What its VMs take.
      type: dict
      returned: always
      sample: {cores: 4, memory: 8192, local_storage: 40000000000, vcpus: 4, hugepages: 0}
    available:
      description: What the policy still allows.
      type: dict
      returned: always
      sample: {cores: 12, memory: 24576, local_storage: 460000000000, vcpus: 12, hugepages: 0}
    numa:
      description: Per NUMA node, cpus, free and pinned cores, memory and hugepages, and the VMs bound there.
      type: list
      elements: dict
      returned: always
    storage_pools:
      description: Storage pools with name, type, path, total, used, available, default, tags, active.
      type: list
      elements: dict
      returned: always
    interfaces:
      description:
        - libvirt networks, host bridges and SR-IOV NICs, with what the policy declares on them.
        - On LXD, managed networks (type V(network)), host interfaces and SR-IOV NICs.
      type: list
      elements: dict
      returned: always
    vms:
      description:
        - Every domain (on LXD, instance) with its allocation, power state, resource pool and tags.
        - C(drift) lists what of a VM the collection composed was changed outside it, one finding per thing, each
          with C(kind) (V(volume_missing), V(volume_changed), V(volume_detached), V(volume_unreachable),
          V(network_missing), V(core_missing)), C(what) (C(pool/volume), a network name or a core id),
          C(detail) (a sentence saying what happened and what to do) and C(repairable) (whether
          O(vmfleet.hosts.vm_compose#module:repair_drift=true) repairs it); empty when the VM is as composed.
      type: list
      elements: dict
      returned: always
"""

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.summary import describe
from ansible_collections.vmfleet.hosts.plugins.module_utils.connection_spec import connection_argspec
from ansible_collections.vmfleet.hosts.plugins.module_utils.drift import warnings as drift_warnings
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.stored_policy import missing_default_pool_warnings
from ansible_collections.vmfleet.hosts.plugins.module_utils.module_base import VmFleetModule


def main():
    module = VmFleetModule(argument_spec=connection_argspec(), supports_check_mode=True)
    with module.core_errors(), module.driver() as driver:
        stored = driver.stored_policy()
        inventory = driver.inventory()
        host = describe(inventory.record)
    for warning in inventory.warnings:  # what discovery could not see (LXD: other projects)
        module.warn(warning)
    for warning in drift_warnings(host):  # VMs changed outside the collection (host.vms[].drift)
        module.warn(warning)
    for warning in missing_default_pool_warnings(stored, inventory.record):
        module.warn(warning)
    registered = stored is not None
    module.exit_json(changed=False, registered=registered, host=host)


if __name__ == "__main__":
    main()
