#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: vm_compose
short_description: Compose, resize, power and remove one VM on a VM host, within the host's capacity policy
version_added: 0.1.0
description:
  - "Composes one VM on a libvirt or LXD VM host, as MAAS composed VMs on its VM hosts, with the capacity rules of the
    collection (C(docs/capacity.md)) checked before anything is touched. A request that does not fit fails with
    the capacity core's message, for example C(Host kvm-01: CPU overcommit ratio is 1.0 and there are 2 available
    resources; 4 requested.), and leaves the host as it was."
  - Creates a volume per disk in the storage pool the capacity core chose, then defines the domain. Pinned cores
    become C(vcpupin) (and C(emulatorpin)), the chosen NUMA node(s) a strict C(numatune), hugepages a
    C(memoryBacking) with the chosen page size; a VM that spans NUMA nodes gets guest NUMA cells bound to them.
    KVM is used where the host has it, TCG (C(domain type='qemu')) elsewhere; under KVM the CPU is
    C(host-passthrough).
  - NICs attach to a libvirt network, a bridge, a macvlan (C(direct)) or an SR-IOV VF (C(hostdev)), as the
    capacity core matched them; MAC addresses are derived from the host, VM and NIC names, so they stay the same
    across runs and recompositions.
  - The VM boots from the network, then from its first disk (PXE, as MAAS composed), or from an image; its boot
    disk is then a copy of an image volume of the host (grown to the asked size) and a cloud-init NoCloud seed
    (user-data, SSH keys, and a static address for NICs that ask for an C(ip)) is attached as a CD-ROM.
  - If any step fails half-way, what was made (volumes, domain) is removed and the first error is reported; a new
    VM whose first start fails is removed too.
  - Several jobs composing on one host at once take turns on the host's compose lock (a volume in the host's
    C(vmfleet) storage pool, so it works over C(qemu+ssh) too), so none pushes the host past its policy.
  - A job that dies half-way (its module process killed, or libvirtd or LXD restarted under it) leaves a compose
    record on the host naming what it was making; the next vm_compose on that host, from any controller, removes
    what the dead job made (or keeps its VM when it was already whole) before it reads capacity, and reports it
    in RV(recovered). A lock whose holder provably died (same machine, process gone) is broken at once, else when
    its lease runs out. A job whose daemon restarted under it reconnects to remove what it made
    (C(docs/troubleshooting.md)).
  - An existing VM is compared with what it was composed from. Unchanged, the task reports no change. Changed
    O(cores) and O(memory) are checked against the policy (the host without the VM must hold it as now asked),
    written to the definition and applied to a running VM where libvirt can, otherwise RV(restart_required) is
    set (or the VM is restarted when O(allow_restart=true)); a VM with pinned cores or hugepages is placed again
    (keeping its cores when they still fit) and gets the change at its next start. Disks grow (also live);
    O(tags) and O(pool) change. Anything else, and shrinking a disk, is refused with the option named.
  - On an LXD host the VM is an LXD instance, a virtual machine or (O(instance_type=container)) a system
    container, created with no profiles and everything it needs as its own config and devices
    (C(docs/lxd_compose.md)) - C(limits.cpu) as a count or the pinned cpuset, C(limits.memory), hugepages, the
    root disk on the chosen pool with its size, extra disks as custom volumes, NICs with C(hwaddr) and C(vlan),
    C(boot.priority), C(cloud-init.user-data) and C(cloud-init.network-config), and the request it was composed
    from in C(user.vmfleet.*) keys. A running container takes new cores and memory at once.
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
    details:
      - Predicts the change (including the capacity refusal) without creating anything; whether a running VM
        can take a resize without a restart is only known when it is tried.
  diff_mode:
    support: full
    details:
      - Shows what the VM was composed from and what it is asked to be.
  idempotent:
    support: full
    details:
      - O(state=restarted) restarts the VM on every run.
requirements:
  - jinja2 (python3-jinja2) on the host that runs the module, for libvirt hosts (the domain XML is rendered from a
    template); ansible-core brings it on the controller, a managed host may not have it
  - pycdlib (python3-pycdlib) on the host that runs the module, for O(boot=image) on libvirt hosts (the cloud-init
    seed is built in memory)
options:
  name:
    description: VM (domain) name; 1 to 63 letters, digits and hyphens.
    type: str
    required: true
  state:
    description:
      - V(present) makes sure the VM exists (a new VM is left shut off); V(started) and V(stopped) also set its power
        state; V(restarted) restarts it; V(absent) stops it, undefines it (with its NVRAM) and deletes the volumes
        it owns, nothing else.
    type: str
    choices: [present, started, stopped, restarted, absent]
    default: present
  cores:
    description: vCPUs, 1 to 8192; defaults to 1, or to the number of O(pinned_cores) when they are listed.
    type: int
  pinned_cores:
    description:
      - Host cores to pin the vCPUs to, as a list or a cpuset string (V(0-3,8)), or V(auto) to let the capacity core
        choose O(cores) of them (isolated cores first, whole cores before loose threads, on one NUMA node when one
        can hold the VM).
    type: raw
  memory:
    description: Memory; a bare number is MiB, units like V(4G) are accepted, at most 4 PiB. Defaults to 2048 MiB.
    type: str
  hugepages_backed:
    description: Back the memory with hugepages (never overcommitted; the memory must be a whole number of pages).
    type: bool
  hugepage_size:
    description: Page size (V(2M), V(1G)); a bare number is KiB. Defaults to the largest reserved size that fits.
    type: str
  numa_strict:
    description: Fail rather than spread a pinned or hugepage-backed VM over several NUMA nodes.
    type: bool
  disks:
    description:
      - Disks, the first is the boot disk. Each has C(size) (a bare number is GB, as MAAS), and optionally C(name),
        C(pool) (a storage pool) and C(tags) (pools carrying them). Defaults to one 8 GB root disk.
      - Mutually exclusive with O(storage).
    type: list
    elements: dict
  storage:
    description: MAAS's storage string, for example V(root:20(ssd\),data:100). Mutually exclusive with O(disks).
    type: str
  interfaces:
    description:
      - NICs as a list of dicts or MAAS's interfaces string (V(eth0:space=storage;eth1:subnet=10.0.0.0/24,mode=sriov)).
      - Keys C(name), C(network), C(bridge), C(space), C(subnet), C(vlan), C(ip), C(mac), C(mode) (V(bridge),
        V(macvlan), V(sriov)), C(macvlan_mode), C(ip_mode) (V(unconfigured)), C(not_space), C(not_subnet),
        C(not_vlan); a list for C(space), C(subnet) or C(vlan) means any of them. MAAS's keys and what they mean
        here are in C(docs/input_language.md).
    type: raw
  pool:
    description: Resource pool the VM belongs to (MAAS C(pool)); defaults to the host's.
    type: str
  tags:
    description: The VM's tags.
    type: list
    elements: str
  constraints:
    description:
      - Juju's constraint string, with Juju's grammar (C(docs/constraints.md)), for example
        V(cores=4 mem=8G root-disk=20G tags=ssd spaces=db,^dmz).
      - V(cores) (or V(cpu-cores)), V(mem) and V(root-disk) (MiB unless suffixed M, G, T or P; fractions round up)
        set O(cores), O(memory) and the root disk; V(root-disk-source) the root disk's storage pool;
        V(virt-type) sets O(instance_type); V(spaces) adds a NIC for each wanted space no NIC of O(interfaces)
        asks for, and keeps every NIC out of the V(^excluded) spaces.
      - V(zones), V(tags) and V(virt-type) must hold for this VM host (its zone, its tags, its type); a new VM is
        refused before anything is made when they do not. A VM that exists already stays where it is.
      - A constraint and the option it sets are not given together (V(cores=4) with O(cores), V(mem) with
        O(memory), V(root-disk) or V(root-disk-source) with O(disks) or O(storage), V(virt-type) with
        O(instance_type)); an unknown or repeated key, a bad value, and Juju's keys that do not apply to a VM
        host (V(arch), V(cpu-power), V(instance-type), V(instance-role), V(allocate-public-ip), V(image-id),
        V(nested-virtualization), V(container) other than V(none)) fail the task naming the key and why.
    type: str
  boot:
    description:
      - V(network) boots from the network, then the first disk (PXE).
      - V(image) boots the first disk, made as a copy of O(image), with a cloud-init seed.
    type: str
    choices: [network, image]
    default: network
  image:
    description:
      - With O(boot=image), what the boot disk starts from.
      - On libvirt, C(pool) and C(volume) of a volume on the host to copy as the boot disk (for example a cloud
        image uploaded with C(virsh vol-upload)). The boot disk may not be smaller than it.
      - On LXD, C(alias) of an image on the host (C(lxc image alias list)), of the O(instance_type) asked.
    type: dict
    suboptions:
      pool:
        description: Storage pool of the image (libvirt).
        type: str
      volume:
        description: Volume name of the image (libvirt).
        type: str
      alias:
        description: Image alias (LXD).
        type: str
  instance_type:
    description:
      - LXD only. V(virtual-machine) (the default, as MAAS composed) or V(container), a system container as a light
        node; a container cannot boot from the network, so it needs O(boot=image).
      - A libvirt host refuses V(container).
    type: str
    choices: [virtual-machine, container]
  cloud_init:
    description:
      - With O(boot=image), what the cloud-init NoCloud seed tells the guest. The VM's metadata keeps only a digest
        of it, since user-data may hold secrets; O(cloud_init.user_data) is not logged.
      - NICs with an C(ip) (and a C(subnet) for its prefix) get that address statically, matched by MAC; other NICs
        use DHCP. A static NIC gets no gateway or DNS servers from the seed; give them in O(cloud_init.user_data)
        (or use DHCP) when the guest must reach beyond its subnet.
    type: dict
    suboptions:
      user_data:
        description:
          - A cloud-config mapping (written as C(#cloud-config)), or a text passed on as it is (a script, or
            cloud-config you wrote).
        type: raw
      ssh_authorized_keys:
        description: Public keys for the default user; only with a mapping O(cloud_init.user_data) (or none).
        type: list
        elements: str
      hostname:
        description: The guest's host name; defaults to O(name).
        type: str
  accelerator:
    description:
      - libvirt only; an LXD host refuses any value but V(auto).
      - V(auto) uses KVM where the host's libvirt offers it and TCG (software emulation) elsewhere; V(kvm) fails
        where KVM is not offered; V(tcg) always emulates (slow, but it runs any guest, for example on hosts whose
        KVM cannot run a stock kernel).
    type: str
    choices: [auto, kvm, tcg]
    default: auto
  cpu_disabled_features:
    description:
      - libvirt only; an LXD host refuses a non-empty list.
      - CPU features to hide from a C(host-passthrough) guest under KVM.
      - Nested KVM on some hosts cannot set the MSR behind V(arch-capabilities) and QEMU then refuses to start the
        VM ("failed to set MSR 0x10a"); list V(arch-capabilities) here on such hosts.
      - Names follow libvirt's grammar (letters, digits, C(-), C(_), C(.)), at most 64 characters, each once; others
        are refused with their index before the host is contacted.
    type: list
    elements: str
    default: []
  allow_restart:
    description: Restart a running VM when a change needs it, rather than reporting RV(restart_required).
    type: bool
    default: false
  repair_drift:
    description:
      - What to do with an existing VM that changed outside the collection (C(vm.drift), the same as
        C(vms[].drift) of M(vmfleet.hosts.vm_host_info)). Without it such a VM is never reported unchanged; the
        task fails with C(kind=drift) naming what drifted, before anything is touched.
      - With V(true), missing empty data volumes (any disk but the first) are recreated with the size the VM was
        composed or last grown with, in the same pool and format, and RV(repaired) lists them; on LXD the volume
        is also attached again as the same device. Nothing else changes for the repair; the rest of the task (a
        resize, a power state) then goes on as usual. In check mode RV(repaired) says what would be recreated and
        nothing is made.
      - Drift that cannot be repaired this way is refused even with V(true), with the reason; that is a missing boot
        volume (it held the operating system) or cloud-init seed, a volume detached from the VM or smaller than
        it was composed with, a storage pool gone, a network or a pinned core gone. See C(docs/troubleshooting.md).
    type: bool
    default: false
  shutdown_timeout:
    description: Seconds to wait for a guest to shut down (ACPI) before powering it off, from 0 to 86400.
    type: int
    default: 120
  lock_timeout:
    description: Seconds to wait for the host's compose lock while other jobs compose on it, from 0 to 86400.
    type: int
    default: 300
  wait_for_address:
    description:
      - Wait until the VM has an address (RV(addresses) not empty), at most O(address_timeout) seconds, so the next
        task can reach it. Off by default; the addresses known when the task ends are returned either way.
      - When the wait ends without an address the task fails, naming this option, after the VM is composed (a rerun
        finds it as composed). A VM that is not running fails at once, since it gets no address (a new VM from
        O(state=present) is left shut off; use O(state=started)).
      - Check mode never waits.
    type: bool
    default: false
  address_timeout:
    description: Seconds O(wait_for_address) waits for an address, from 0 to 86400.
    type: int
    default: 120
notes:
  - The host must be a VM host (M(vmfleet.hosts.vm_host)); its stored policy decides what fits.
  - The boot mode, image and cloud-init settings of an existing VM do not change in place; compose it again.
  - The seed volume (a few KiB) is not counted against the pool's capacity.
"""

EXAMPLES = r"""
- name: A PXE-booted VM, as MAAS composed them
  vmfleet.hosts.vm_compose:
    name: web-1
    cores: 2
    memory: 4G
    storage: "root:20"
    interfaces: "eth0:network=default"
    state: started

- name: Pinned and hugepage-backed on one NUMA node, or fail
  vmfleet.hosts.vm_compose:
    name: dpdk-1
    cores: 4
    pinned_cores: auto
    memory: 8G
    hugepages_backed: true
    hugepage_size: 1G
    numa_strict: true
    interfaces:
      - {name: eth0, network: default}
      - {name: eth1, mode: sriov, space: fabric}

- name: Grow it; apply to the running VM where libvirt can, restart where it cannot
  vmfleet.hosts.vm_compose:
    name: web-1
    cores: 4
    memory: 8G
    storage: "root:40"
    interfaces: "eth0:network=default"
    allow_restart: true

- name: From a cloud image, with an SSH key and a static address
  vmfleet.hosts.vm_compose:
    name: app-1
    boot: image
    image: {pool: images, volume: debian-12-genericcloud-amd64.qcow2}
    storage: "root:20"
    interfaces:
      - {name: eth0, network: default, ip: 192.168.122.50, subnet: 192.168.122.0/24}
    cloud_init:
      ssh_authorized_keys: ["{{ lookup('ansible.builtin.file', '~/.ssh/id_ed25519.pub') }}"]
      user_data:
        packages: [nginx]
    state: started

- name: A system container on an LXD host, from an image alias, with cloud-init
  vmfleet.hosts.vm_compose:
    address: https://lxd-01.example.com:8443
    client_cert: ~/.config/vmfleet/client.crt
    client_key: ~/.config/vmfleet/client.key
    server_fingerprint: "{{ lxd_01_fingerprint }}"
    name: light-1
    instance_type: container
    boot: image
    image: {alias: debian/12/cloud}
    cores: 2
    memory: 1G
    storage: "root:10,data:20"
    interfaces:
      - {name: eth0, network: lxdbr0}
    cloud_init:
      user_data:
        packages: [nginx]
    state: started

- name: Sized and placed the way a Juju user says it (Juju's constraint string); the host must be in zone az1
  vmfleet.hosts.vm_compose:
    name: db-1
    boot: image
    image: {pool: images, volume: debian-12-genericcloud-amd64.qcow2}
    constraints: "cores=4 mem=8G root-disk=20G zones=az1 spaces=db,^dmz"
    state: started

- name: Recreate a data volume someone deleted (empty, at its stored size); other drift is still refused
  vmfleet.hosts.vm_compose:
    name: web-1
    cores: 4
    memory: 8G
    storage: "root:40,data:100"
    interfaces: "eth0:network=default"
    repair_drift: true
  register: repaired

- name: A container started and reachable; the next play reaches it at its first address
  vmfleet.hosts.vm_compose:
    address: /var/lib/lxd/unix.socket
    name: light-2
    instance_type: container
    boot: image
    image: {alias: debian/12/cloud}
    state: started
    wait_for_address: true
    address_timeout: 60
  register: light_2

- name: Remove it with its volumes
  vmfleet.hosts.vm_compose:
    name: web-1
    state: absent
"""

RETURN = r"""
vm:
  description: The VM's allocation, in the shape of a host record's C(vms[]) (see C(docs/host_record.md)).
  returned: when O(state) is not V(absent)
  type: dict
  sample:
    name: web-1
    host: kvm-01
    cores: 2
    pinned_cores: []
    memory: 4096
    hugepages_backed: false
    hugepages: []
    numanode_set: []
    disks: [{name: root, pool: default, size: 20000000000}]
    interfaces: [{name: eth0, host_interface: default, mode: bridge, mac: "52:54:00:3b:1f:9a"}]
    drift: []
created:
  description: Whether the VM was created by this task.
  returned: when O(state) is not V(absent)
  type: bool
restart_required:
  description: A change was written to the definition but the running VM only gets it at its next start.
  returned: when O(state) is not V(absent)
  type: bool
power_state:
  description: V(running) or V(stopped) after the task.
  returned: when O(state) is not V(absent)
  type: str
forced_off:
  description: The guest did not shut down within O(shutdown_timeout) and was powered off.
  returned: when the VM was stopped or restarted
  type: bool
volumes:
  description: Volumes created for a new VM, as C(pool) and C(name).
  returned: when the VM was created
  type: list
  elements: dict
recovered:
  description:
    - What this task settled, under the compose lock and before reading capacity, of composes on the host that
      died half-way (the module process was killed, or its daemon restarted under it), one line each, saying
      which volumes it removed, or that the dead job's VM was whole and kept. Each line is also a warning.
    - Empty when there was nothing to settle, and in check mode (which takes no lock).
  returned: when O(state) is not V(absent)
  type: list
  elements: str
  sample: ["removed what vm_compose web-2 (pid 4242 on ctl-1) made for VM 'web-2' before it died: default/web-2-root"]
repaired:
  description:
    - Volumes recreated empty because they had gone missing (O(repair_drift=true)), as C(pool/name); in check
      mode, the ones that would be.
  returned: when a drifted VM was repaired
  type: list
  elements: str
  sample: [default/web-1-data]
addresses:
  description:
    - The VM's IP addresses as known when the task ends, also when nothing changed; empty for a stopped VM, a VM
      whose guest has none yet, and a VM check mode would create.
    - libvirt reads the DHCP leases of the VM's libvirt networks, then the guest agent (when qemu-guest-agent runs
      in the guest), then the host's ARP table, each address once; LXD reads the instance state. Loopback and
      link-local addresses are left out. See C(docs/inventory_plugin.md).
  returned: when O(state) is not V(absent)
  type: list
  elements: dict
  contains:
    interface:
      description:
        - The interface name; the guest's own (C(eth0)) where the guest agent or LXD says it, else the host side
          device (C(vnet0)).
      type: str
    mac:
      description: The NIC's MAC address, lower case.
      type: str
    family:
      description: V(inet) (IPv4) or V(inet6) (IPv6).
      type: str
    address:
      description: The address, without a prefix length.
      type: str
  sample: [{interface: vnet0, mac: "52:54:00:3b:1f:9a", family: inet, address: 192.168.122.57}]
removed_volumes:
  description: The volumes O(state=absent) deleted, as C(pool/name).
  returned: when O(state=absent)
  type: list
  elements: str
"""

from ansible_collections.vmfleet.hosts.plugins.module_utils.compose_options import COMPOSE_EXCLUSIVE, COMPOSE_OPTIONS
from ansible_collections.vmfleet.hosts.plugins.module_utils.connection_spec import connection_argspec
from ansible_collections.vmfleet.hosts.plugins.module_utils.module_base import VmFleetModule
from ansible_collections.vmfleet.hosts.plugins.module_utils.vm_addresses import wait_failure
from ansible_collections.vmfleet.hosts.plugins.module_utils.vm_compose_service import check_options, compose


def main():
    module = VmFleetModule(
        argument_spec={**connection_argspec(), **COMPOSE_OPTIONS},
        mutually_exclusive=COMPOSE_EXCLUSIVE,
        supports_check_mode=True,
    )
    with module.core_errors():
        check_options(module.params)
        with module.driver() as driver:
            result = compose(driver, module.params, module.check_mode)
    for line in result.get("recovered", []):
        module.warn(f"a compose that died half-way on this host was settled first: {line}")
    failure = wait_failure(module.params["name"], module.params, result, module.check_mode)
    if failure:
        module.fail_json(msg=failure, option="wait_for_address", **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
