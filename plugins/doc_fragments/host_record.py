# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations


class ModuleDocFragment:
    """The VM host record: the one documented schema of what vm_plan takes and vm_host/vm_host_info return.

    The argument spec that accepts it is ``plugins/module_utils/record_spec.py``; ansible-test validate-modules
    compares the two (types, defaults, choices, elements, suboptions), so change both together.
    """

    DOCUMENTATION = r"""
options:
  hosts:
    description:
      - VM host records, one per host (MAAS-shaped, see C(docs/host_record.md) in the collection).
        M(vmfleet.hosts.vm_host_info) returns this same shape for libvirt and LXD hosts.
      - A registered result can be passed back as is. The computed blocks (O(hosts[].total), O(hosts[].used),
        O(hosts[].available), O(hosts[].numa[].memory.general), the C(allocated)/C(free) figures of
        O(hosts[].numa[].memory.hugepages), O(hosts[].numa[].cores), O(hosts[].numa[].vms)) are accepted,
        ignored and recomputed from the rest of the record and its O(hosts[].vms).
      - "Units are the MAAS ones: memory in MiB, storage in bytes, hugepage sizes in bytes, all as whole numbers."
      - M(vmfleet.hosts.vm_report) always needs it; M(vmfleet.hosts.vm_plan) needs it unless
        O(vmfleet.hosts.vm_plan#module:hosts_file) is given.
    type: list
    elements: dict
    suboptions:
      name:
        description: Host name, unique among O(hosts).
        type: str
        required: true
      type:
        description:
          - What runs the VMs. V(manual) is a host described by hand, as for planning.
        type: str
        choices: [libvirt, lxd, incus, manual]
        default: manual
      hardware_id:
        description:
          - The machine behind the host, when discovery can tell it (V(libvirt:<host UUID>) or
            V(lxd:<server certificate fingerprint>)).
          - Hosts with the same value share hardware (projects of one LXD server, one libvirtd reached locally and
            over C(qemu+ssh)). M(vmfleet.hosts.vm_plan) plans them as one pool of capacity, so what it places on one
            is also taken from the others.
        type: str
      pool:
        description:
          - Resource pool the host belongs to (MAAS C(pool)); requests with a C(pool) only go to hosts of that pool.
        type: str
        default: default
      zone:
        description:
          - Availability zone of the host (MAAS C(zone)); requests with a C(zone) only go to hosts of that zone.
        type: str
        default: default
      tags:
        description: Host tags; a request's C(host_tags) must all be present here.
        type: list
        elements: str
      cpu_over_commit_ratio:
        description:
          - vCPUs the host may give out per online core, a float from 0 to 10 inclusive.
          - "Capacity rule: the vCPUs of all VMs plus the request must not exceed floor(online cores x ratio) minus
            O(hosts[].reserved.cores). Pinned cores are never overcommitted."
        type: float
        default: 1.0
      memory_over_commit_ratio:
        description:
          - General (non-hugepage) memory the host may give out per MiB, a float from 0 to 10 inclusive.
          - "Capacity rule: (host memory - hugepage pool - O(hosts[].reserved.memory)) x ratio. Hugepages are never
            overcommitted."
        type: float
        default: 1.0
      reserved:
        description: Resources kept for the host itself and never given to VMs.
        type: dict
        suboptions:
          cores:
            description: Cores (vCPUs, before the ratio is applied) kept back; a count.
            type: int
            default: 0
          memory:
            description: Memory kept back, in MiB (a bare number is MiB).
            type: int
            default: 0
      default_storage_pool:
        description:
          - Name of the storage pool a disk goes to when neither the disk's C(pool) nor its C(tags) choose one
            (MAAS C(default_storage_pool)).
          - When not set, the pool with O(hosts[].storage_pools[].default=true) is the default, else the pool with
            the most room.
        type: str
      numa:
        description:
          - NUMA nodes of the host, with their CPUs, memory and hugepage pools.
          - At least one node is needed; a host without NUMA is described as one node holding all its CPUs and
            memory.
        type: list
        elements: dict
        required: true
        suboptions:
          node_id:
            description: NUMA node number (as in C(/sys/devices/system/node/nodeN)).
            type: int
            required: true
          cpus:
            description:
              - CPUs (host cores, as the hypervisor numbers them) of the node, in one of three forms.
              - A count, as shorthand; ids are then given consecutively across the nodes in O(hosts[].numa) order.
              - When not given, the node has no CPUs (a memory-only node).
              - A list of CPU ids.
              - "A list of dicts with C(id) (int, required), C(core) (int), C(socket) (int), C(siblings) (list of CPU
                ids sharing the physical core), C(online) (bool, default V(true)) and C(isolated) (bool, default
                V(false)). Offline CPUs are never counted nor pinned."
            type: raw
          memory:
            description: Memory of the node.
            type: dict
            required: true
            suboptions:
              total:
                description: Memory of the node in MiB, hugepage pools included.
                type: int
                required: true
              general:
                description:
                  - Computed; ignored on input. Non-hugepage memory of the node in MiB.
                type: dict
                suboptions:
                  total:
                    description:
                      - General memory VMs bound to this node (pinned ones) may take, in MiB; the node's memory
                        outside its hugepage pools, times O(hosts[].memory_over_commit_ratio).
                    type: int
                  allocated:
                    description: General memory given to VMs bound to this node, in MiB.
                    type: int
                  free:
                    description: O(hosts[].numa[].memory.general.total) minus allocated, in MiB.
                    type: int
              hugepages:
                description: Hugepage pools of the node, one per page size.
                type: list
                elements: dict
                suboptions:
                  page_size:
                    description: Page size in bytes (C(2097152) for 2 MiB pages, C(1073741824) for 1 GiB pages).
                    type: int
                    required: true
                  total:
                    description: Number of pages of this size reserved on the node.
                    type: int
                    required: true
                  allocated:
                    description: Computed; ignored on input. Pages given to VMs.
                    type: int
                  free:
                    description: Computed; ignored on input. Pages still free.
                    type: int
          cores:
            description: Computed; ignored on input. Pinned cores of the node.
            type: dict
            suboptions:
              free:
                description: Online CPU ids of the node that no VM has pinned.
                type: list
                elements: int
              allocated:
                description: CPU ids of the node pinned by a VM.
                type: list
                elements: int
          vms:
            description: Computed; ignored on input. Names of the VMs bound to this node.
            type: list
            elements: str
      storage_pools:
        description: Storage pools of the host (MAAS C(storage_pools)). Storage is never overcommitted.
        type: list
        elements: dict
        suboptions:
          name:
            description: Pool name, unique on the host.
            type: str
            required: true
          type:
            description: Pool type as the hypervisor names it, for example V(dir), V(lvm), V(zfs) or V(btrfs).
            type: str
            default: dir
          path:
            description: Where the pool lives (directory, volume group, dataset).
            type: str
          total:
            description: Size of the pool in bytes.
            type: int
            required: true
          used:
            description:
              - Bytes already used, by the volumes of the VMs in O(hosts[].vms) and anything else (as the hypervisor
                reports it; planned disks are added on top).
              - Discovery also counts here what drifted volumes still claim (O(hosts[].vms[].drift)), so it may
                exceed O(hosts[].storage_pools[].total).
            type: int
            default: 0
          available:
            description:
              - Free bytes. When not given, O(hosts[].storage_pools[].total) minus O(hosts[].storage_pools[].used).
              - Give it when the hypervisor reports free space that differs from that (filesystem reserve, thin pools).
            type: int
          default:
            description: Whether this is the host's default pool (MAAS C(default)).
            type: bool
            default: false
          tags:
            description: Pool tags; a disk with C(tags) goes to a pool that has them all.
            type: list
            elements: str
          active:
            description: Whether the pool is started; discovery reports inactive pools with no free space.
            type: bool
            default: true
      interfaces:
        description: Network interfaces of the host that VM NICs attach to.
        type: list
        elements: dict
        suboptions:
          name:
            description: Interface name on the host (C(br0), C(enp5s0f0), a libvirt network name).
            type: str
            required: true
          type:
            description: Kind of interface, for example V(physical), V(bridge), V(bond), V(network) or V(macvlan).
            type: str
            default: physical
          numa_node:
            description: NUMA node the device is attached to; SR-IOV VFs are preferably taken on the VM's node.
            type: int
          default:
            description: Whether NICs with no constraint attach here.
            type: bool
            default: false
          sriov_max_vf:
            description: SR-IOV virtual functions the device offers; V(0) when it has none.
            type: int
            default: 0
          sriov_used_vf:
            description:
              - Virtual functions already in use. On output, VFs of planned VMs are added.
            type: int
            default: 0
          networks:
            description: Networks reachable through the interface (libvirt or LXD network names).
            type: list
            elements: str
          vlans:
            description: VLAN ids reachable through the interface.
            type: list
            elements: int
          subnets:
            description: Subnets reachable through the interface, in CIDR form.
            type: list
            elements: str
          spaces:
            description: Spaces (MAAS C(spaces)) the interface belongs to.
            type: list
            elements: str
          forward_mode:
            description:
              - For a libvirt network, its forward mode (V(nat), V(route), V(bridge), V(open), V(hostdev)); none
                for an isolated network or a host interface.
            type: str
          bridge:
            description: For a libvirt network, the host bridge it uses.
            type: str
          dhcp:
            description: Whether libvirt runs DHCP on this network (MAAS wants it off where MAAS serves DHCP).
            type: bool
            default: false
          dhcp_ranges:
            description: DHCP address ranges libvirt serves, as C(start-end).
            type: list
            elements: str
          active:
            description: Whether the network or interface is up.
            type: bool
            default: true
      vms:
        description:
          - VMs on the host with their allocation; the same shape as the C(placements) of C(vmfleet.hosts.vm_plan).
          - On output of a plan, planned VMs are included with C(planned=true).
        type: list
        elements: dict
        suboptions:
          name:
            description: VM name.
            type: str
            required: true
          host:
            description: Host the VM is on.
            type: str
          planned:
            description: Whether the VM is only planned (added by C(vmfleet.hosts.vm_plan)), not existing.
            type: bool
          cores:
            description: vCPUs of the VM.
            type: int
          pinned_cores:
            description: Host CPU ids the VM is pinned to; empty when not pinned.
            type: list
            elements: int
          memory:
            description: Memory of the VM in MiB.
            type: int
          hugepages_backed:
            description: Whether the VM memory comes from hugepages.
            type: bool
          hugepages:
            description: Hugepages the VM takes, per NUMA node.
            type: list
            elements: dict
            suboptions:
              node_id:
                description: NUMA node the pages come from.
                type: int
              page_size:
                description: Page size in bytes.
                type: int
              count:
                description: Number of pages.
                type: int
          numanode_set:
            description: NUMA nodes the VM is bound to (MAAS C(numanode_set)).
            type: list
            elements: int
          spans_numa_nodes:
            description: Whether the VM spans more than one NUMA node.
            type: bool
          disks:
            description: Disks of the VM.
            type: list
            elements: dict
            suboptions:
              name:
                description: Disk name.
                type: str
              pool:
                description: Storage pool the disk is in.
                type: str
              size:
                description: Disk size in bytes.
                type: int
          interfaces:
            description: NICs of the VM.
            type: list
            elements: dict
            suboptions:
              name:
                description: NIC name inside the VM.
                type: str
              host_interface:
                description: Host interface (O(hosts[].interfaces[].name)) the NIC is attached to.
                type: str
              mode:
                description: Attachment mode, V(bridge), V(macvlan) or V(sriov).
                type: str
              network:
                description: Network the NIC is on.
                type: str
              bridge:
                description: Bridge the NIC is on.
                type: str
              space:
                description: Space the NIC was asked to be in.
                type: str
              subnet:
                description: Subnet (CIDR) the NIC was asked to be on.
                type: str
              vlan:
                description: VLAN id of the NIC.
                type: int
              ip:
                description: Fixed IP address of the NIC.
                type: str
              mac:
                description: MAC address of the NIC.
                type: str
              macvlan_mode:
                description: Macvlan mode (V(bridge), V(vepa), V(private), V(passthrough)) of a V(macvlan) NIC.
                type: str
              vf:
                description: Whether the NIC takes an SR-IOV virtual function.
                type: bool
          power_state:
            description: Power state as the hypervisor reports it (V(running), V(stopped) ...).
            type: str
          pool:
            description: Resource pool of the VM.
            type: str
          tags:
            description: VM tags.
            type: list
            elements: str
          notes:
            description: Remarks of the placement (for example why the VM spans NUMA nodes).
            type: list
            elements: str
          drift:
            description:
              - What of a VM the collection composed was changed outside it, as discovery found it (empty when the
                VM is as composed); accepted on input and kept, the capacity core does not judge it.
              - A missing or shrunk volume is counted in its pool's O(hosts[].storage_pools[].used) and in
                O(hosts[].vms[].disks[].size) at the size the VM was composed with.
            type: list
            elements: dict
            suboptions:
              kind:
                description:
                  - V(volume_missing), V(volume_changed) (smaller than composed), V(volume_detached),
                    V(volume_unreachable) (its pool is not active), V(network_missing) or V(core_missing).
                type: str
              what:
                description: What drifted, C(pool/volume), a network name or a core id.
                type: str
              detail:
                description: What happened and what to do about it, in a sentence.
                type: str
              repairable:
                description: Whether C(vmfleet.hosts.vm_compose) with C(repair_drift=true) repairs it.
                type: bool
      total:
        description: Computed; ignored on input. What the host has (MAAS C(total)).
        type: dict
        suboptions: &capacity_block  # the same figures in total, used and available
          cores:
            description:
              - Online CPUs in O(hosts[].total); vCPUs in O(hosts[].used) and O(hosts[].available), as MAAS counts
                them.
            type: int
          vcpus:
            description:
              - vCPUs. In O(hosts[].total), floor(online cores x O(hosts[].cpu_over_commit_ratio)) minus
                O(hosts[].reserved.cores).
            type: int
          memory:
            description:
              - Memory in MiB. In O(hosts[].total), all the memory of the nodes; in O(hosts[].used) and
                O(hosts[].available), general (non-hugepage) memory, the latter after ratio and reserve.
            type: int
          hugepages:
            description: Hugepage memory in MiB.
            type: int
          local_storage:
            description: Storage of all pools in bytes.
            type: int
      used:
        description: Computed; ignored on input. What the VMs take (MAAS C(used)), planned VMs included.
        type: dict
        suboptions: *capacity_block
      available:
        description: Computed; ignored on input. What is left for new VMs (MAAS C(available)), after the policy.
        type: dict
        suboptions: *capacity_block
"""
