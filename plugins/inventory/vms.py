# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: vms
short_description: The VMs of libvirt and LXD VM hosts as inventory, with their addresses and resources
version_added: 0.1.0
description:
  - Reads each VM host of O(vm_hosts) (libvirt over its socket or C(qemu+ssh), LXD over its socket or HTTPS, with the
    connection options the modules take) and adds its VMs as inventory hosts, so the next play can configure them.
  - Only VMs this collection composed (those M(vmfleet.hosts.vm_compose) keeps its request on) are listed, unless
    O(include_unmanaged=true). On an LXD host only the instances of its own project are listed; the server's other
    projects are other VM hosts.
  - Each VM joins the groups C(<group_prefix>host_<VM host>), C(<group_prefix>pool_<resource pool>) (the VM's pool,
    else its host's), C(<group_prefix>zone_<zone>) (its host's, when set), C(<group_prefix>tag_<tag>) per VM tag,
    C(<group_prefix><power state>) (for example C(vmfleet_running)) and C(<group_prefix><instance type>)
    (C(vmfleet_virtual_machine) or C(vmfleet_container)); names are made safe the way Ansible makes group names
    safe.
  - "Host variables, under O(vars_prefix): C(name), C(managed), C(power_state), C(instance_type), C(pool), C(tags),
    C(cores), C(pinned_cores), C(memory) (MiB), C(hugepages_backed), C(disks) (C(name), C(pool), C(size) in
    bytes), C(interfaces) (C(name), C(mac), C(mode), C(network), C(bridge), C(vlan)), C(addresses) (C(interface),
    C(mac), C(family), C(address), as M(vmfleet.hosts.vm_compose) returns them), and of the VM host C(host) (its
    label), C(host_name), C(host_type), C(host_address) (without a query string), C(project), C(zone) and
    C(host_tags). Client certificates, keys and other secrets never become host variables."
  - C(ansible_host) is the VM's first IPv4 address, else its first IPv6 one; a VM without an address (stopped, or its
    guest has none yet) gets none. Loopback and link-local addresses are left out unless O(include_link_local=true).
  - A VM name already listed from an earlier VM host of the source is added as C(<VM host>/<VM name>), with a
    warning.
  - The configuration file's name must end in C(.vmfleet_vms.yml) or C(.vmfleet_vms.yaml).
author:
  - vmfleet.hosts contributors (@vmfleet)
extends_documentation_fragment:
  - constructed
  - inventory_cache
  - vmfleet.hosts.connection
  - vmfleet.hosts.connection.BINDINGS
options:
  plugin:
    description: Marks the file as a source of this plugin.
    type: str
    required: true
    choices: [vmfleet.hosts.vms]
  vm_hosts:
    description:
      - "The VM hosts to read, each a mapping of connection options (O(address), O(type), O(project), O(client_cert),
        O(client_key), O(server_cert), O(server_fingerprint), and their aliases C(uri), C(url), C(power_address),
        C(cert_file), C(key_file)) with the meaning they have for the modules, and optionally C(name), the VM host's
        label in groups and host variables (default: the host's name, with C(-<project>) for an LXD project other
        than C(default))."
      - The top-level connection options of this source apply to every entry that does not give its own, as
        C(module_defaults) do for tasks; with no O(vm_hosts), the top-level options describe the one VM host read.
      - An unknown key, or an option given twice (by its name and an alias), is refused with the entry named.
        A VM host that cannot be read fails the source with its error, rather than listing part of the fleet.
    type: list
    elements: dict
    default: []
  include_unmanaged:
    description: Also list VMs this collection did not compose (they have no requested resources to show).
    type: bool
    default: false
  include_link_local:
    description: Keep link-local addresses (169.254.0.0/16, fe80::/10) in the addresses.
    type: bool
    default: false
  vars_prefix:
    description: Prefix of the host variables this plugin sets (C(ansible_host) excepted).
    type: str
    default: vmfleet_
  group_prefix:
    description: Prefix of the groups this plugin makes.
    type: str
    default: vmfleet_
notes:
  - The plugin runs on the controller, so the controller needs the hypervisors' Python clients and, for
    C(qemu+ssh), the SSH key and known_hosts entry of the user running Ansible.
  - With O(cache=true) the VM hosts are not asked again until the cache times out; a fresh C(ansible-inventory
    --flush-cache) (or O(cache=false)) reads them again.
"""

EXAMPLES = r"""
# fleet.vmfleet_vms.yml: the local libvirt host and two LXD projects of one server
plugin: vmfleet.hosts.vms
vm_hosts:
  - address: qemu:///system
    name: kvm-local
  - address: https://lxd-01.example.net:8443
    project: web
    client_cert: ~/.config/vmfleet/client.crt
    client_key: ~/.config/vmfleet/client.key
    server_fingerprint: 9f0c3d...e1
  - address: https://lxd-01.example.net:8443
    project: db
    client_cert: ~/.config/vmfleet/client.crt
    client_key: ~/.config/vmfleet/client.key
    server_fingerprint: 9f0c3d...e1

# lxd.vmfleet_vms.yml: one LXD host over its socket, containers reached over the lxd connection,
# grouped by the host they run on and by their first tag, cached for ten minutes
plugin: vmfleet.hosts.vms
address: /var/lib/lxd/unix.socket
include_unmanaged: true
compose:
  ansible_connection: "'community.general.lxd' if vmfleet_instance_type == 'container' else 'ssh'"
  ansible_lxd_remote: "'local'"
keyed_groups:
  - key: vmfleet_host_name
    prefix: server
  - key: vmfleet_tags | first | default('untagged')
    prefix: role
groups:
  big: vmfleet_memory >= 8192
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/vmfleet-inventory
cache_timeout: 600
"""

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.plugin_utils.vm_inventory import (
    CONNECTION_KEYS,
    InventoryConfigError,
    host_params,
    read_host,
    vm_entries,
)


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = "vmfleet.hosts.vms"

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith((".vmfleet_vms.yml", ".vmfleet_vms.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache=cache)
        self._read_config_data(path)
        key = self.get_cache_key(path)
        use_cache = self.get_option("cache") and cache
        refresh_cache = self.get_option("cache") and not cache
        hosts = None
        if use_cache:
            try:
                hosts = self._cache[key]
            except KeyError:
                refresh_cache = True  # nothing cached yet (or it timed out): read and keep it
        if hosts is None:
            hosts = self._read_hosts()
        if refresh_cache:
            self._cache[key] = hosts
        self._populate(hosts)

    def _read_hosts(self) -> list:
        defaults = {option: self.get_option(option) for option in CONNECTION_KEYS}
        entries = self.get_option("vm_hosts") or [{}]
        hosts = []
        for index, entry in enumerate(entries):
            try:
                params = host_params(defaults, entry, index)
                hosts.append(
                    read_host(
                        params,
                        entry.get("name"),
                        self.get_option("include_unmanaged"),
                        self.get_option("include_link_local"),
                    )
                )
            except InventoryConfigError as error:
                raise AnsibleParserError(str(error)) from None
            except DriverError as error:
                raise AnsibleParserError(f"vm_hosts[{index}]: {error.message} (kind: {error.kind})") from None
        return hosts

    def _populate(self, hosts: list) -> None:
        strict = self.get_option("strict")
        for name, variables, groups, note in vm_entries(
            hosts, self.get_option("vars_prefix"), self.get_option("group_prefix")
        ):
            if note:
                self.display.warning(note)
            self.inventory.add_host(name)
            for group in groups:
                group = self.inventory.add_group(self._sanitize_group_name(group))
                self.inventory.add_child(group, name)
            for key, value in variables.items():
                self.inventory.set_variable(name, key, value)
            self._set_composite_vars(self.get_option("compose"), variables, name, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), variables, name, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), variables, name, strict=strict)
