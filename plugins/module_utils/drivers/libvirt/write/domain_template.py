# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Jinja2 template of the libvirt domain XML of a composed VM.

A Python string rather than a ``.j2`` file because module_utils travel to the target host as Python modules only.
``domain.py`` renders it in a sandboxed, autoescaping environment with ``StrictUndefined``, ``trim_blocks`` and
``lstrip_blocks``: every ``{{ }}`` is XML-escaped (names and tags cannot inject elements) and a context key the
template expects but ``domain.py`` forgot is an error, not an empty attribute.

The context is the validated spec (see ``domain_validate.py``, which also fills the optional
``cpu_disabled_features``) plus values derived from it: ``memory_element_mib``,
``current_memory_mib``, ``request_json``, ``ns``/``ns_prefix``, each disk's ``bus`` and each hostdev NIC's ``pci``.
Element order follows libvirt's own output, so ``virsh dumpxml`` after a define reads like what we rendered.
"""

from __future__ import annotations

DOMAIN_TEMPLATE = """\
<domain type='{{ domain_type }}'>
  <name>{{ name }}</name>
{% if uuid is not none %}
  <uuid>{{ uuid }}</uuid>
{% endif %}
  <metadata>
    <{{ ns_prefix }}:vm xmlns:{{ ns_prefix }}='{{ ns }}'>
{% if metadata.pool is not none %}
      <{{ ns_prefix }}:pool>{{ metadata.pool }}</{{ ns_prefix }}:pool>
{% endif %}
      <{{ ns_prefix }}:tags>
{% for tag in metadata.tags %}
        <{{ ns_prefix }}:tag>{{ tag }}</{{ ns_prefix }}:tag>
{% endfor %}
      </{{ ns_prefix }}:tags>
      <{{ ns_prefix }}:volumes>
{% for volume in metadata.volumes %}
        <{{ ns_prefix }}:volume pool='{{ volume.pool }}' name='{{ volume.name }}'/>
{% endfor %}
      </{{ ns_prefix }}:volumes>
      <{{ ns_prefix }}:request>{{ request_json }}</{{ ns_prefix }}:request>
    </{{ ns_prefix }}:vm>
  </metadata>
  <memory unit='MiB'>{{ memory_element_mib }}</memory>
  <currentMemory unit='MiB'>{{ current_memory_mib }}</currentMemory>
{% if hugepages is not none %}
  <memoryBacking>
    <hugepages>
{% if hugepages.nodeset is not none %}
      <page size='{{ hugepages.page_size_kib }}' unit='KiB' nodeset='{{ hugepages.nodeset }}'/>
{% else %}
      <page size='{{ hugepages.page_size_kib }}' unit='KiB'/>
{% endif %}
    </hugepages>
  </memoryBacking>
{% endif %}
  <vcpu placement='static'>{{ vcpus }}</vcpu>
{% if vcpupin or emulatorpin is not none %}
  <cputune>
{% for pin in vcpupin %}
    <vcpupin vcpu='{{ pin[0] }}' cpuset='{{ pin[1] }}'/>
{% endfor %}
{% if emulatorpin is not none %}
    <emulatorpin cpuset='{{ emulatorpin }}'/>
{% endif %}
  </cputune>
{% endif %}
{% if numatune is not none or memnodes %}
  <numatune>
{% if numatune is not none %}
    <memory mode='{{ numatune.mode }}' nodeset='{{ numatune.nodeset }}'/>
{% endif %}
{% for memnode in memnodes %}
    <memnode cellid='{{ memnode.cellid }}' mode='{{ memnode.mode }}' nodeset='{{ memnode.nodeset }}'/>
{% endfor %}
  </numatune>
{% endif %}
  <os>
{% if machine is not none %}
    <type arch='{{ arch }}' machine='{{ machine }}'>hvm</type>
{% else %}
    <type arch='{{ arch }}'>hvm</type>
{% endif %}
{% for dev in boot %}
    <boot dev='{{ dev }}'/>
{% endfor %}
  </os>
  <features>
    <acpi/>
    <apic/>
  </features>
{% if guest_numa or cpu_disabled_features %}
  <cpu{% if cpu_mode is not none %} mode='{{ cpu_mode }}' check='none'{% endif %}>
{% for feature in cpu_disabled_features %}
    <feature policy='disable' name='{{ feature }}'/>
{% endfor %}
{% if guest_numa %}
    <numa>
{% for cell in guest_numa %}
      <cell id='{{ cell.id }}' cpus='{{ cell.cpus }}' memory='{{ cell.memory_mib }}' unit='MiB'/>
{% endfor %}
    </numa>
{% endif %}
  </cpu>
{% elif cpu_mode is not none %}
  <cpu mode='{{ cpu_mode }}' check='none'/>
{% endif %}
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
{% if emulator is not none %}
    <emulator>{{ emulator }}</emulator>
{% endif %}
{% for disk in disks %}
    <disk type='volume' device='{{ disk.device }}'>
      <driver name='qemu' type='{{ disk.format }}'/>
      <source pool='{{ disk.pool }}' volume='{{ disk.volume }}'/>
      <target dev='{{ disk.target }}' bus='{{ disk.bus }}'/>
{% if disk.readonly %}
      <readonly/>
{% endif %}
    </disk>
{% endfor %}
{% for nic in interfaces %}
{% if nic.type == 'hostdev' %}
    <interface type='hostdev' managed='yes'>
      <mac address='{{ nic.mac }}'/>
      <source>
        <address type='pci' domain='0x{{ nic.pci.domain }}' bus='0x{{ nic.pci.bus }}' slot='0x{{ nic.pci.slot }}' \
function='0x{{ nic.pci.function }}'/>
      </source>
{% else %}
    <interface type='{{ nic.type }}'>
      <mac address='{{ nic.mac }}'/>
{% if nic.type == 'network' %}
      <source network='{{ nic.source }}'/>
{% elif nic.type == 'bridge' %}
      <source bridge='{{ nic.source }}'/>
{% elif nic.macvlan_mode is not none %}
      <source dev='{{ nic.source }}' mode='{{ nic.macvlan_mode }}'/>
{% else %}
      <source dev='{{ nic.source }}'/>
{% endif %}
{% endif %}
{% if nic.vlan is not none %}
      <vlan>
        <tag id='{{ nic.vlan }}'/>
      </vlan>
{% endif %}
{% if nic.type != 'hostdev' and nic.model is not none %}
      <model type='{{ nic.model }}'/>
{% endif %}
    </interface>
{% endfor %}
{% if console %}
    <serial type='pty'>
      <target port='0'/>
    </serial>
    <console type='pty'>
      <target type='serial' port='0'/>
    </console>
{% endif %}
    <memballoon model='virtio'/>
    <rng model='virtio'>
      <backend model='random'>/dev/urandom</backend>
    </rng>
  </devices>
</domain>
"""
