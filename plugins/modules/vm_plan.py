#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

DOCUMENTATION = r"""
---
module: vm_plan
short_description: Plan where VMs would go on a fleet of VM hosts, without touching any host
version_added: 0.1.0
description:
  - Takes VM host records and VM requests and answers what-if questions about capacity, the way MAAS VM hosts
    (KVM pods) did, with the capacity rules of the collection's capacity core (C(docs/capacity.md)).
  - Returns where each request would be placed (host, vCPUs or pinned cores, memory, hugepages per NUMA node,
    storage pool per disk, host interface per NIC), every host's remaining capacity with the planned VMs
    included, and for each request that fits nowhere the reason, the resource that ran out and the host that
    came closest.
  - Pure computation on the controller; no hypervisor is contacted. The records are written by hand or taken
    from an earlier run's RV(hosts); M(vmfleet.hosts.vm_host_info) returns the same shape for libvirt and LXD
    hosts.
  - "Capacity rules: vCPUs are limited to floor(online cores x O(hosts[].cpu_over_commit_ratio)) minus reserved
    cores; a pinned core belongs to one VM and is never overcommitted; general memory is limited to (memory -
    hugepage pools - reserved memory) x O(hosts[].memory_over_commit_ratio); hugepages are whole free pages of
    one size on the VM's NUMA node(s) and never overcommitted; disks fit the free space of their pool; an
    C(sriov) NIC needs a free virtual function."
author:
  - vmfleet.hosts contributors (@vmfleet)
extends_documentation_fragment:
  - vmfleet.hosts.attributes
  - vmfleet.hosts.attributes.PURE
  - vmfleet.hosts.attributes.ACTIONGROUP_VMHOST
  - vmfleet.hosts.host_record
  - vmfleet.hosts.connection
options:
  requests:
    description:
      - The VMs to place, in order. Each request is placed after the ones before it, so the order matters when
        capacity is short; put the large or constrained VMs first.
      - The keys and the string forms follow MAAS's compose/allocate constraints (C(docs/input_language.md)).
      - Required unless O(requests_file) is given.
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - VM name. With O(requests[].count) above 1, the VMs are named C(<name>-1), C(<name>-2) and so on.
        type: str
        required: true
      count:
        description: How many identical VMs to place, 1 to 1000.
        type: int
        default: 1
      cores:
        description:
          - vCPUs of the VM, 1 to 8192.
          - With a list of O(requests[].pinned_cores), defaults to their number (and must equal it when given).
        type: int
        default: 1
      pinned_cores:
        description:
          - Host cores to pin the vCPUs to, one vCPU per core. Pinned cores are never overcommitted.
          - A list of core numbers (V([0, 1, 8])), a cpuset string (V(0-3,8)), or V(auto) to have
            O(requests[].cores) cores chosen on one NUMA node when one can hold them.
          - Not set (or empty) means not pinned.
        type: raw
      memory:
        description:
          - Memory of the VM. A bare number is MiB (as in MAAS); with a unit, V(K), V(M), V(G), V(T) are binary
            (V(4G) is 4096 MiB) and V(KB), V(MB), V(GB) decimal. It must come to whole MiB.
        type: raw
        default: 2048
      hugepages_backed:
        description:
          - Back the VM memory with hugepages. The memory must be a whole number of pages, which are taken from
            the free pages of the VM's NUMA node(s) and never overcommitted.
        type: bool
        default: false
      hugepage_size:
        description:
          - Page size for a O(requests[].hugepages_backed) VM. A bare number is KiB, as the kernel writes it
            (V(2048) is 2 MiB, V(1048576) is 1 GiB); V(2M) and V(1G) work too, and every unit is binary here
            (V(1GB) is 1 GiB, as the kernel means it).
          - O(requests[].memory) must be a whole number of pages.
          - When not set, the largest page size with enough free pages is used.
        type: raw
      numa_strict:
        description:
          - Fail rather than spread a pinned or hugepages-backed VM over several NUMA nodes.
          - When false, such a VM spans the fewest nodes that hold it and the placement says so.
        type: bool
        default: false
      disks:
        description:
          - Disks of the VM; the first one is the boot (root) disk.
          - A list of dicts with C(name) (default V(root) for the first disk, then V(disk1), V(disk2) ...), C(size)
            (required; a bare number is decimal GB, as in MAAS), C(pool) (a storage pool name) and C(tags) (the
            disk goes to a pool that has them all).
          - Or the MAAS storage string, comma-separated C(name:size(tag,tag\)) items, for example
            V(root:20(ssd\),data:100).
          - When neither this nor O(requests[].storage) is given, the VM has one 8 GB root disk.
        type: raw
      storage:
        description:
          - The MAAS name of O(requests[].disks) in its string form (V(root:20,data:100(ssd\))).
          - Give either O(requests[].disks) or this.
        type: str
      interfaces:
        description:
          - NICs of the VM.
          - A list of dicts with C(name) (default V(eth0), V(eth1) ... by position), C(mode) (V(bridge),
            V(macvlan) or V(sriov); default V(bridge)), C(network), C(bridge), C(space), C(subnet) (CIDR),
            C(vlan), C(ip), C(mac) and C(macvlan_mode) (V(bridge), V(vepa), V(private) or V(passthrough)); also
            C(ip_mode) (V(unconfigured)) and C(not_space), C(not_subnet), C(not_vlan) (exclusions); a list for
            C(space), C(subnet) or C(vlan) means any of them, as MAAS read a key given twice.
          - Or the MAAS interfaces string, semicolon-separated C(name:key=value,...) items, for example
            V(eth0:space=storage;eth1:subnet=10.0.0.0/24,mode=sriov).
          - A NIC goes to a host interface that has the network, bridge, space, subnet or VLAN asked for, or to
            the host's default interface when it asks for nothing.
        type: raw
      pool:
        description: Only place on hosts of this resource pool (O(hosts[].pool)).
        type: str
      zone:
        description: Only place on hosts of this zone (O(hosts[].zone)).
        type: str
      host_tags:
        description: Only place on hosts that have all these tags (O(hosts[].tags)). A comma-separated string works too.
        type: list
        elements: str
      tags:
        description: Tags of the VM itself, copied into its placement. A comma-separated string works too.
        type: list
        elements: str
      constraints:
        description:
          - Juju's constraint string, with Juju's grammar (C(docs/constraints.md)), for example
            V(cores=4 mem=8G root-disk=20G zones=az1,az2 tags=ssd,^spinning spaces=db,^dmz).
          - V(cores) (or V(cpu-cores)), V(mem) and V(root-disk) (MiB unless suffixed M, G, T or P; fractions round
            up) set O(requests[].cores), O(requests[].memory) and the root disk; V(root-disk-source) the root
            disk's storage pool.
          - V(tags) match the host's tags (O(hosts[].tags)), all the wanted ones and none of the V(^excluded).
          - V(zones) match the host's zone (O(hosts[].zone)), one of the wanted ones and none of the excluded.
          - V(spaces) match the spaces of the host's interfaces (O(hosts[].interfaces[].spaces)) through the NICs,
            a NIC for each wanted space that no NIC of O(requests[].interfaces) asks for, and every NIC kept out of
            the excluded spaces.
          - V(virt-type=container) only goes to LXD hosts (O(hosts[].type)).
          - A constraint and the key it sets are not given together (V(cores) with O(requests[].cores), V(mem) with
            O(requests[].memory), V(root-disk) or V(root-disk-source) with O(requests[].disks) or
            O(requests[].storage), V(tags) with O(requests[].host_tags), V(zones) with O(requests[].zone)).
          - An unknown or repeated key, a bad value, and Juju's keys that do not apply to a VM host (V(arch),
            V(cpu-power), V(instance-type), V(instance-role), V(allocate-public-ip), V(image-id),
            V(nested-virtualization), V(container) other than V(none)) fail the task naming the key and why.
        type: str
  strategy:
    description:
      - V(pack) puts each VM on the host that is already the most used and still holds it, keeping whole hosts
        free for large VMs (and to be switched off).
      - V(spread) puts each VM on the host with the most room left, spreading load and failure domains.
    type: str
    choices: [pack, spread]
    default: pack
  hosts_file:
    description:
      - A JSON or YAML file on the controller holding the host records, instead of O(hosts); either the list
        itself or a mapping with the list under C(hosts) (so one file can hold O(hosts) and O(requests)).
      - A relative path is looked up as the C(src) of M(ansible.builtin.copy) is (the role's or play's C(files/)
        directory, then next to the playbook). A vault-encrypted file is decrypted.
      - The file is data, never templated. vm_plan reads it itself, once, with no tagging of every value; for a
        fleet of thousands of hosts this is much cheaper than C(vars_files), which Ansible parses again for every
        task of the play, and than templating O(hosts) from a variable (see C(docs/vm_plan.md)).
      - Mutually exclusive with O(hosts).
    type: path
    version_added: 0.2.0
  requests_file:
    description:
      - A JSON or YAML file on the controller holding the requests, instead of O(requests); either the list itself
        or a mapping with the list under C(requests). Looked up and read as O(hosts_file) is, and may be the
        same file.
      - Mutually exclusive with O(requests).
    type: path
    version_added: 0.2.0
  placement_detail:
    description:
      - What each entry of RV(placements) holds.
      - V(full) is the whole allocation (cores, pinned cores, memory, hugepages, NUMA nodes, disks with their
        pools, NICs with their host interfaces), about 40 values per VM.
      - V(host) is only the VM's name and its host, for a task that only needs to know where each VM goes (a
        fleet that composes each VM with M(vmfleet.hosts.vm_compose), which chooses the rest again under the
        host's lock). At fleet scale Ansible handles a result value by value (copied for the register and for
        every callback), so a result of 10,000 full placements costs several seconds more than the plan itself.
    type: str
    choices: [full, host]
    default: full
    version_added: 0.3.0
  return_hosts:
    description:
      - Also return the whole host records after the plan in RV(hosts), the input to plan on again (a second wave
        of VMs on what the first left).
      - By default only the compact RV(remaining) figures are returned. At fleet scale the whole records are most
        of the result (every CPU, pool, interface and VM of every host, written out again) and registering and
        templating them is most of the cost of the task.
    type: bool
    default: false
    version_added: 0.2.0
attributes:
  action:
    description:
      - Indicates this has a corresponding action plugin so some parts of the options can be executed on the
        controller.
    support: full
    details:
      - The whole plan runs on the controller in the action plugin; no module is sent to the target.
notes:
  - O(address) and O(type) are accepted so that C(module_defaults) for the C(group/vmfleet.hosts.vmhost) action
    group can set them for every module of the collection; M(vmfleet.hosts.vm_plan) contacts no hypervisor and
    ignores them.
  - "Units: in requests, a bare O(requests[].memory) is MiB, a bare disk size is decimal GB (MAAS's C(root:20) is
    20 GB), a bare O(requests[].hugepage_size) is KiB; units V(K), V(M), V(G), V(T) are binary and V(KB), V(MB),
    V(GB), V(TB) decimal. In host records and in the results, memory is MiB, storage is bytes and page sizes are
    bytes, as in MAAS."
  - The module never changes anything, so it reports RV(ignore:changed=false) and behaves the same in check mode.
  - Requests that fit nowhere do not fail the task; they are listed in RV(unplaced). Malformed host records or
    requests, and ratios outside 0 to 10, fail the task with a message naming the option.
  - The plan runs in the action plugin on the controller, whatever the play's target and connection; the target
    is never contacted. The options are checked by the capacity core (unknown keys, and every figure it reads,
    fail the task naming the option) rather than by Ansible's argument spec.
  - No option is C(no_log) and the result is not scrubbed for secrets; it holds only names and figures from the
    given host records and requests (the connection options are ignored and never returned).
seealso:
  - name: Host record schema
    description: The host record in prose and tables, with units (C(docs/host_record.md) in the collection).
    link: https://example.invalid/vmfleet/hosts/docs/host_record.md
"""

EXAMPLES = r"""
- name: Would four 2-core 4 GiB VMs fit on a 4-core 12 GiB host with overcommit?
  vmfleet.hosts.vm_plan:
    hosts:
      - name: kvm01
        cpu_over_commit_ratio: 2
        memory_over_commit_ratio: 1.5
        numa:
          - node_id: 0
            cpus: 4
            memory:
              total: 12288
        storage_pools:
          - name: default
            type: dir
            path: /var/lib/libvirt/images
            total: 500000000000
            default: true
    requests:
      - name: web
        count: 4
        cores: 2
        memory: 4G
        storage: root:20
  register: plan

- name: Fail early when something does not fit
  ansible.builtin.assert:
    that: plan.unplaced | length == 0
    fail_msg: "{{ plan.unplaced | map(attribute='reason') | join('; ') }}"

- name: MAAS-style constraints, disks on tagged pools, NICs by space and subnet
  vmfleet.hosts.vm_plan:
    hosts:
      - name: kvm02
        numa:
          - node_id: 0
            cpus: 32
            memory:
              total: 131072
        storage_pools:
          - name: nvme
            type: lvm
            total: 1920000000000
            tags: [ssd]
          - name: bulk
            type: dir
            path: /srv/images
            total: 8000000000000
            default: true
        interfaces:
          - name: br0
            type: bridge
            default: true
            spaces: [default]
          - name: br-storage
            type: bridge
            spaces: [storage]
            subnets: [10.20.0.0/24]
    requests:
      - name: db01
        cores: 8
        memory: 32G
        storage: root:40(ssd),data:500(ssd)
        interfaces: eth0:space=default;eth1:space=storage
      - name: backup01
        cores: 2
        memory: 4096
        storage: root:20,archive:2000
  register: plan

- name: Pinned cores and 1 GiB hugepages on one NUMA node of a two-node host
  vmfleet.hosts.vm_plan:
    hosts:
      - name: nfv01
        numa:
          - node_id: 0
            cpus: [0, 1, 2, 3, 4, 5, 6, 7]
            memory:
              total: 65536
              hugepages:
                - page_size: 1073741824
                  total: 32
          - node_id: 1
            cpus: [8, 9, 10, 11, 12, 13, 14, 15]
            memory:
              total: 65536
              hugepages:
                - page_size: 1073741824
                  total: 32
        interfaces:
          - name: enp94s0f0
            type: physical
            numa_node: 1
            sriov_max_vf: 16
            networks: [provider]
    requests:
      - name: vrouter
        cores: 6
        pinned_cores: auto
        memory: 16G
        hugepages_backed: true
        hugepage_size: 1G
        numa_strict: true
        interfaces:
          - name: eth0
            mode: sriov
            network: provider
  register: plan

- name: Spread VMs over the hosts of one zone and resource pool
  vmfleet.hosts.vm_plan:
    hosts: "{{ fleet_hosts }}"
    strategy: spread
    requests:
      - name: etcd
        count: 3
        cores: 2
        memory: 8G
        disks: [{name: root, size: 40}]
        zone: az1
        pool: control-plane
        host_tags: [ssd]
  register: plan

- name: The same kind of request in Juju's constraint language
  vmfleet.hosts.vm_plan:
    hosts: "{{ fleet_hosts }}"
    requests:
      - name: db
        count: 2
        constraints: "cores=4 mem=8G root-disk=40G zones=az1,az2 tags=ssd,^spinning spaces=db,^dmz"
  register: plan

- name: A big fleet from a file (as an earlier vm_host_info run dumped it), read by vm_plan itself
  vmfleet.hosts.vm_plan:
    hosts_file: fleet.json
    requests_file: fleet.json
  register: plan

- name: The first wave, with the whole host records returned to plan on again
  vmfleet.hosts.vm_plan:
    hosts: "{{ fleet_hosts }}"
    requests: "{{ first_vms }}"
    return_hosts: true
  register: plan

- name: Plan a second wave on what the first plan left
  vmfleet.hosts.vm_plan:
    hosts: "{{ plan.hosts }}"
    requests: "{{ new_vms }}"
  register: second_wave

- name: How many vCPUs each host has left
  ansible.builtin.debug:
    msg: "{{ second_wave.remaining | items2dict(key_name='name', value_name='available') }}"

- name: Show where each VM goes
  ansible.builtin.debug:
    msg: "{{ item.name }} -> {{ item.host }}"
  loop: "{{ second_wave.placements }}"
"""

RETURN = r"""
placements:
  description:
    - One allocation per placed VM, in request order (a request with C(count) gives one per VM).
    - The same shape as the entries of RV(hosts[].vms); with O(placement_detail=host) only RV(placements[].name)
      and RV(placements[].host).
  returned: always
  type: list
  elements: dict
  sample:
    - name: web-1
      host: kvm01
      planned: true
      cores: 2
      pinned_cores: []
      memory: 4096
      hugepages_backed: false
      hugepages: []
      numanode_set: []
      spans_numa_nodes: false
      disks:
        - name: root
          pool: default
          size: 20000000000
      interfaces: []
      pool: default
      tags: []
      notes: []
  contains:
    name:
      description: VM name.
      type: str
      returned: always
      sample: web-1
    host:
      description: Host the VM is placed on.
      type: str
      returned: always
      sample: kvm01
    planned:
      description: Always V(true) for a placement; marks the VM as planned in RV(hosts[].vms).
      type: bool
      returned: unless O(placement_detail=host)
      sample: true
    cores:
      description: vCPUs of the VM.
      type: int
      returned: unless O(placement_detail=host)
      sample: 2
    pinned_cores:
      description: Host CPU ids the vCPUs are pinned to; empty when not pinned.
      type: list
      elements: int
      returned: unless O(placement_detail=host)
      sample: [2, 3]
    memory:
      description: Memory in MiB.
      type: int
      returned: unless O(placement_detail=host)
      sample: 4096
    hugepages_backed:
      description: Whether the memory comes from hugepages.
      type: bool
      returned: unless O(placement_detail=host)
      sample: false
    hugepages:
      description: Hugepages taken, per NUMA node and page size; empty when not hugepages-backed.
      type: list
      elements: dict
      returned: unless O(placement_detail=host)
      sample:
        - node_id: 0
          page_size: 1073741824
          count: 16
      contains:
        node_id:
          description: NUMA node the pages come from.
          type: int
          returned: always
          sample: 0
        page_size:
          description: Page size in bytes.
          type: int
          returned: always
          sample: 1073741824
        count:
          description: Number of pages.
          type: int
          returned: always
          sample: 16
    numanode_set:
      description: NUMA nodes the VM is bound to; empty when it is not bound (no pinning, no hugepages).
      type: list
      elements: int
      returned: unless O(placement_detail=host)
      sample: [0]
    spans_numa_nodes:
      description: Whether the VM spans more than one NUMA node (then RV(placements[].notes) says why).
      type: bool
      returned: unless O(placement_detail=host)
      sample: false
    disks:
      description: Disks with the storage pool chosen for each.
      type: list
      elements: dict
      returned: unless O(placement_detail=host)
      sample:
        - name: root
          pool: default
          size: 20000000000
      contains:
        name:
          description: Disk name.
          type: str
          returned: always
          sample: root
        pool:
          description: Storage pool the disk goes to.
          type: str
          returned: always
          sample: default
        size:
          description: Disk size in bytes.
          type: int
          returned: always
          sample: 20000000000
    interfaces:
      description: NICs with the host interface chosen for each.
      type: list
      elements: dict
      returned: unless O(placement_detail=host)
      sample:
        - name: eth0
          host_interface: br0
          mode: bridge
          network: null
          bridge: br0
          space: default
          subnet: null
          vlan: null
          ip: null
          mac: null
          macvlan_mode: null
          vf: false
      contains:
        name:
          description: NIC name inside the VM.
          type: str
          returned: always
          sample: eth0
        host_interface:
          description: Host interface the NIC attaches to.
          type: str
          returned: always
          sample: br0
        mode:
          description: Attachment mode, V(bridge), V(macvlan) or V(sriov).
          type: str
          returned: always
          sample: bridge
        network:
          description: Network asked for, if any.
          type: str
          returned: always
          sample: provider
        bridge:
          description: Bridge the NIC is on, if any.
          type: str
          returned: always
          sample: br0
        space:
          description: Space asked for, if any.
          type: str
          returned: always
          sample: storage
        subnet:
          description: Subnet asked for (CIDR), if any.
          type: str
          returned: always
          sample: 10.20.0.0/24
        vlan:
          description: VLAN id, if any.
          type: int
          returned: always
          sample: 20
        ip:
          description: Fixed IP address asked for, if any.
          type: str
          returned: always
          sample: 10.20.0.15
        mac:
          description: MAC address asked for, if any.
          type: str
          returned: always
          sample: 52:54:00:12:34:56
        macvlan_mode:
          description: Macvlan mode of a V(macvlan) NIC, else null.
          type: str
          returned: always
          sample: bridge
        vf:
          description: Whether the NIC takes an SR-IOV virtual function of RV(placements[].interfaces[].host_interface).
          type: bool
          returned: always
          sample: false
    power_state:
      description: Power state; always null for a planned VM (existing VMs in RV(hosts[].vms) have theirs).
      type: str
      returned: unless O(placement_detail=host)
      sample: null
    pool:
      description: Resource pool the VM goes to (the request's, else the host's).
      type: str
      returned: unless O(placement_detail=host)
      sample: default
    tags:
      description: Tags of the VM, from the request.
      type: list
      elements: str
      returned: unless O(placement_detail=host)
      sample: [web]
    notes:
      description: Remarks about the placement, for example why the VM spans NUMA nodes.
      type: list
      elements: str
      returned: unless O(placement_detail=host)
      sample: []
unplaced:
  description: One entry per requested VM that fits on no host, in request order.
  returned: always
  type: list
  elements: dict
  sample:
    - name: web-3
      reason: "Host kvm01: CPU overcommit ratio is 1.0 and there are 0 available resources; 2 requested."
      closest_host: kvm01
      resource: cpu
  contains:
    name:
      description: Name of the VM that was not placed.
      type: str
      returned: always
      sample: web-3
    reason:
      description:
        - Why it fits nowhere, with the figures of the host that came closest (what the policy allows, what is
          free, what was asked), or why no host qualified at all (pool, zone or tags).
      type: str
      returned: always
      sample: "Host kvm01: CPU overcommit ratio is 1.0 and there are 0 available resources; 2 requested."
    closest_host:
      description:
        - Host that came closest to holding the VM (it passed the most checks, and among those missed by the
          least); null when no host matches the request's pool, zone or host tags.
      type: str
      returned: always
      sample: kvm01
    resource:
      description:
        - Resource that ran out on the closest host, one of V(cpu) (vCPUs under the CPU ratio), V(memory)
          (general memory under the memory ratio), V(pinned_cores), V(hugepages), V(numa) (no node or set of
          nodes holds the pinned cores, pages or bound memory), V(storage), V(network) (no host interface
          offers what a NIC asks for) or V(sriov) (no free virtual function).
        - V(filter) when no host matches the request's pool, zone or host tags.
      type: str
      returned: always
      sample: cpu
remaining:
  description:
    - What each host has left after the plan, in input order, in a few figures per host (the planned VMs
      included).
    - Returned instead of the whole records of RV(hosts) unless O(return_hosts=true).
  returned: always
  type: list
  elements: dict
  version_added: 0.2.0
  sample:
    - name: kvm01
      pool: default
      zone: default
      total:
        cores: 4
        vcpus: 8
        memory: 12288
        hugepages: 0
        local_storage: 500000000000
      used:
        cores: 8
        vcpus: 8
        memory: 16384
        hugepages: 0
        local_storage: 80000000000
      available:
        cores: 0
        vcpus: 0
        memory: 2048
        hugepages: 0
        local_storage: 420000000000
      vms: 4
      planned_vms: 4
      numa:
        - node_id: 0
          free_cores: 4
          free_memory: 12288
          hugepages: []
      storage_pools:
        - name: default
          available: 420000000000
      interfaces: []
  contains:
    name:
      description: Host name.
      type: str
      returned: always
      sample: kvm01
    pool:
      description: Resource pool of the host.
      type: str
      returned: always
      sample: default
    zone:
      description: Zone of the host.
      type: str
      returned: always
      sample: default
    total:
      description: What the host has; the same block as RV(hosts[].total).
      type: dict
      returned: always
      sample:
        cores: 4
        vcpus: 8
        memory: 12288
        hugepages: 0
        local_storage: 500000000000
    used:
      description: What the VMs take, planned ones included; the same block as RV(hosts[].used).
      type: dict
      returned: always
      sample:
        cores: 8
        vcpus: 8
        memory: 16384
        hugepages: 0
        local_storage: 80000000000
    available:
      description: What is left for more VMs under the policy; the same block as RV(hosts[].available).
      type: dict
      returned: always
      sample:
        cores: 0
        vcpus: 0
        memory: 2048
        hugepages: 0
        local_storage: 420000000000
    vms:
      description: Number of VMs on the host, planned ones included.
      type: int
      returned: always
      sample: 4
    planned_vms:
      description: Number of VMs this plan put on the host.
      type: int
      returned: always
      sample: 4
    numa:
      description: What is left on each NUMA node for pinned or hugepages-backed VMs.
      type: list
      elements: dict
      returned: always
      sample:
        - node_id: 0
          free_cores: 4
          free_memory: 12288
          hugepages: []
      contains:
        node_id:
          description: NUMA node number.
          type: int
          returned: always
          sample: 0
        free_cores:
          description: Online cores of the node no VM pins.
          type: int
          returned: always
          sample: 4
        free_memory:
          description:
            - General memory (MiB) a VM bound to the node may still take (RV(hosts[].numa[].memory.general.free)).
          type: int
          returned: always
          sample: 12288
        hugepages:
          description: Hugepage pools of the node, one entry per page size.
          type: list
          elements: dict
          returned: always
          sample:
            - page_size: 1073741824
              total: 32
              free: 16
          contains:
            page_size:
              description: Page size in bytes.
              type: int
              returned: always
              sample: 1073741824
            total:
              description: Pages reserved on the node.
              type: int
              returned: always
              sample: 32
            free:
              description: Pages still free.
              type: int
              returned: always
              sample: 16
    storage_pools:
      description: Bytes still free in each storage pool, planned disks included.
      type: list
      elements: dict
      returned: always
      sample:
        - name: default
          available: 420000000000
      contains:
        name:
          description: Pool name.
          type: str
          returned: always
          sample: default
        available:
          description: Bytes free after the plan.
          type: int
          returned: always
          sample: 420000000000
    interfaces:
      description: Free SR-IOV virtual functions of each host interface that has any.
      type: list
      elements: dict
      returned: always
      sample:
        - name: enp94s0f0
          sriov_free_vf: 15
      contains:
        name:
          description: Interface name.
          type: str
          returned: always
          sample: enp94s0f0
        sriov_free_vf:
          description: Virtual functions still free, planned ones counted as used.
          type: int
          returned: always
          sample: 15
hosts:
  description:
    - The host records after the plan, in input order, with the computed blocks filled in and the planned VMs
      added to RV(hosts[].vms) with C(planned=true).
    - The same shape as O(hosts), so the result can be planned on again.
    - Only with O(return_hosts=true) (before version 0.2.0 always); RV(remaining) has the figures without the
      records.
  returned: when O(return_hosts=true)
  type: list
  elements: dict
  sample:
    - name: kvm01
      type: manual
      pool: default
      zone: default
      tags: []
      cpu_over_commit_ratio: 2.0
      memory_over_commit_ratio: 1.5
      reserved:
        cores: 0
        memory: 0
      total:
        cores: 4
        vcpus: 8
        memory: 12288
        hugepages: 0
        local_storage: 500000000000
      used:
        cores: 8
        vcpus: 8
        memory: 16384
        hugepages: 0
        local_storage: 80000000000
      available:
        cores: 0
        vcpus: 0
        memory: 2048
        hugepages: 0
        local_storage: 420000000000
  contains:
    name:
      description: Host name.
      type: str
      returned: always
      sample: kvm01
    type:
      description: V(libvirt), V(lxd) or V(manual).
      type: str
      returned: always
      sample: manual
    pool:
      description: Resource pool of the host.
      type: str
      returned: always
      sample: default
    zone:
      description: Zone of the host.
      type: str
      returned: always
      sample: default
    tags:
      description: Host tags.
      type: list
      elements: str
      returned: always
      sample: [ssd]
    cpu_over_commit_ratio:
      description: CPU overcommit ratio.
      type: float
      returned: always
      sample: 2.0
    memory_over_commit_ratio:
      description: Memory overcommit ratio.
      type: float
      returned: always
      sample: 1.5
    reserved:
      description: Resources kept for the host.
      type: dict
      returned: always
      sample:
        cores: 0
        memory: 0
      contains:
        cores:
          description: Reserved cores.
          type: int
          returned: always
          sample: 0
        memory:
          description: Reserved memory in MiB.
          type: int
          returned: always
          sample: 0
    default_storage_pool:
      description: Name of the default storage pool, if set.
      type: str
      returned: always
      sample: default
    numa:
      description: NUMA nodes with their computed use.
      type: list
      elements: dict
      returned: always
      sample:
        - node_id: 0
          cpus:
            - id: 0
              core: 0
              socket: 0
              siblings: [0]
              online: true
              isolated: false
          memory:
            total: 12288
            general:
              total: 12288
              allocated: 0
              free: 12288
            hugepages: []
          cores:
            free: [0, 1, 2, 3]
            allocated: []
          vms: []
      contains:
        node_id:
          description: NUMA node number.
          type: int
          returned: always
          sample: 0
        cpus:
          description:
            - CPUs of the node as a list of dicts with C(id), C(core), C(socket), C(siblings), C(online) and
              C(isolated), whatever form O(hosts[].numa[].cpus) had on input.
          type: list
          elements: dict
          returned: always
          sample:
            - id: 0
              core: 0
              socket: 0
              siblings: [0]
              online: true
              isolated: false
        memory:
          description: Memory of the node.
          type: dict
          returned: always
          sample:
            total: 12288
            general:
              total: 12288
              allocated: 0
              free: 12288
            hugepages: []
          contains:
            total:
              description: Memory of the node in MiB, hugepage pools included.
              type: int
              returned: always
              sample: 12288
            general:
              description: Non-hugepage memory of the node, in MiB.
              type: dict
              returned: always
              sample:
                total: 12288
                allocated: 0
                free: 12288
              contains:
                total:
                  description: Memory outside the hugepage pools.
                  type: int
                  returned: always
                  sample: 12288
                allocated:
                  description: Given to VMs bound to the node.
                  type: int
                  returned: always
                  sample: 0
                free:
                  description: Still free for VMs bound to the node.
                  type: int
                  returned: always
                  sample: 12288
            hugepages:
              description: Hugepage pools of the node, one per page size.
              type: list
              elements: dict
              returned: always
              sample:
                - page_size: 1073741824
                  total: 32
                  allocated: 16
                  free: 16
              contains:
                page_size:
                  description: Page size in bytes.
                  type: int
                  returned: always
                  sample: 1073741824
                total:
                  description: Pages reserved on the node.
                  type: int
                  returned: always
                  sample: 32
                allocated:
                  description: Pages given to VMs, planned ones included.
                  type: int
                  returned: always
                  sample: 16
                free:
                  description: Pages still free.
                  type: int
                  returned: always
                  sample: 16
        cores:
          description: Pinned cores of the node.
          type: dict
          returned: always
          sample:
            free: [2, 3]
            allocated: [0, 1]
          contains:
            free:
              description: Online CPU ids that no VM has pinned.
              type: list
              elements: int
              returned: always
              sample: [2, 3]
            allocated:
              description: CPU ids pinned by a VM.
              type: list
              elements: int
              returned: always
              sample: [0, 1]
        vms:
          description: Names of the VMs bound to the node.
          type: list
          elements: str
          returned: always
          sample: [vrouter]
    storage_pools:
      description: Storage pools with their use, planned disks included.
      type: list
      elements: dict
      returned: always
      sample:
        - name: default
          type: dir
          path: /var/lib/libvirt/images
          total: 500000000000
          used: 80000000000
          available: 420000000000
          default: true
          tags: []
      contains:
        name:
          description: Pool name.
          type: str
          returned: always
          sample: default
        type:
          description: Pool type.
          type: str
          returned: always
          sample: dir
        path:
          description: Where the pool lives.
          type: str
          returned: always
          sample: /var/lib/libvirt/images
        total:
          description: Size in bytes.
          type: int
          returned: always
          sample: 500000000000
        used:
          description: Bytes used, planned disks included.
          type: int
          returned: always
          sample: 80000000000
        available:
          description: Bytes free after the plan.
          type: int
          returned: always
          sample: 420000000000
        default:
          description: Whether this is the default pool.
          type: bool
          returned: always
          sample: true
        tags:
          description: Pool tags.
          type: list
          elements: str
          returned: always
          sample: [ssd]
    interfaces:
      description: Host interfaces, with the VFs of planned VMs counted as used.
      type: list
      elements: dict
      returned: always
      sample:
        - name: enp94s0f0
          type: physical
          numa_node: 1
          default: false
          sriov_max_vf: 16
          sriov_used_vf: 1
          networks: [provider]
          vlans: []
          subnets: []
          spaces: []
      contains:
        name:
          description: Interface name.
          type: str
          returned: always
          sample: br0
        type:
          description: Interface kind.
          type: str
          returned: always
          sample: bridge
        numa_node:
          description: NUMA node of the device, if known.
          type: int
          returned: always
          sample: 1
        default:
          description: Whether NICs with no constraint attach here.
          type: bool
          returned: always
          sample: false
        sriov_max_vf:
          description: SR-IOV virtual functions the device offers.
          type: int
          returned: always
          sample: 16
        sriov_used_vf:
          description: Virtual functions in use, planned ones included.
          type: int
          returned: always
          sample: 1
        networks:
          description: Networks reachable through the interface.
          type: list
          elements: str
          returned: always
          sample: [provider]
        vlans:
          description: VLAN ids reachable through the interface.
          type: list
          elements: int
          returned: always
          sample: [20]
        subnets:
          description: Subnets reachable through the interface (CIDR).
          type: list
          elements: str
          returned: always
          sample: [10.20.0.0/24]
        spaces:
          description: Spaces of the interface.
          type: list
          elements: str
          returned: always
          sample: [storage]
    vms:
      description:
        - VMs on the host, existing ones and planned ones (C(planned=true)).
        - Each entry has the keys of RV(placements).
      type: list
      elements: dict
      returned: always
      sample:
        - name: web-1
          host: kvm01
          planned: true
          cores: 2
          pinned_cores: []
          memory: 4096
          hugepages_backed: false
          hugepages: []
          numanode_set: []
          spans_numa_nodes: false
          disks: []
          interfaces: []
          pool: default
          tags: []
          notes: []
    total:
      description: What the host has (MAAS C(total)).
      type: dict
      returned: always
      sample:
        cores: 4
        vcpus: 8
        memory: 12288
        hugepages: 0
        local_storage: 500000000000
      contains:
        cores:
          description: Online cores.
          type: int
          returned: always
          sample: 4
        vcpus:
          description: vCPUs the policy allows (cores x ratio - reserved).
          type: int
          returned: always
          sample: 8
        memory:
          description: Memory in MiB.
          type: int
          returned: always
          sample: 12288
        hugepages:
          description: Hugepage memory in MiB.
          type: int
          returned: always
          sample: 0
        local_storage:
          description: Storage of all pools in bytes.
          type: int
          returned: always
          sample: 500000000000
    used:
      description: What the VMs take, planned ones included (MAAS C(used)); same keys as RV(hosts[].total).
      type: dict
      returned: always
      sample:
        cores: 8
        vcpus: 8
        memory: 16384
        hugepages: 0
        local_storage: 80000000000
    available:
      description: What is left for more VMs under the policy (MAAS C(available)); same keys as RV(hosts[].total).
      type: dict
      returned: always
      sample:
        cores: 0
        vcpus: 0
        memory: 2048
        hugepages: 0
        local_storage: 420000000000
"""

from ansible_collections.vmfleet.hosts.plugins.module_utils.connection_spec import connection_argspec
from ansible_collections.vmfleet.hosts.plugins.module_utils.module_base import VmFleetModule
from ansible_collections.vmfleet.hosts.plugins.module_utils.plan_task import load_list, plan_result, read_text_file
from ansible_collections.vmfleet.hosts.plugins.module_utils.record_spec import check_records, hosts_argspec, strip_unset
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.request import parse_requests


def main():
    # Playbooks run the action plugin of the same name (plugins/action/vm_plan.py), which plans on the controller
    # without this module; this main serves direct runs (python -m ... args.json) and holds the argument spec
    # that validate-modules checks these docs against.
    module = VmFleetModule(
        argument_spec={
            "hosts": hosts_argspec(required=False),
            "hosts_file": {"type": "path"},
            "requests": {"type": "list", "elements": "dict"},
            "requests_file": {"type": "path"},
            "strategy": {"type": "str", "choices": ["pack", "spread"], "default": "pack"},
            "return_hosts": {"type": "bool", "default": False},
            "placement_detail": {"type": "str", "choices": ["full", "host"], "default": "full"},
            **connection_argspec(),  # accepted for the action group's module_defaults, never used
        },
        mutually_exclusive=[["hosts", "hosts_file"], ["requests", "requests_file"]],
        required_one_of=[["hosts", "hosts_file"], ["requests", "requests_file"]],
        supports_check_mode=True,
    )
    params = module.params
    with module.core_errors():
        if params["hosts_file"]:
            hosts = load_list(read_text_file(params["hosts_file"], "hosts_file"), "hosts_file", "hosts")
            check_records(hosts, "hosts")
        else:
            hosts = strip_unset(params["hosts"])
        if params["requests_file"]:
            raw = load_list(read_text_file(params["requests_file"], "requests_file"), "requests_file", "requests")
        else:
            raw = params["requests"]
        requests = parse_requests(raw, option="requests")
        result = plan_result(
            hosts, requests, params["strategy"], params["return_hosts"], detail=params["placement_detail"]
        )
    module.exit_json(**result)


if __name__ == "__main__":
    main()
