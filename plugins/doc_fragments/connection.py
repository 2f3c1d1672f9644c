# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations


class ModuleDocFragment:
    """How a module reaches a VM host: shared by every module that talks to a hypervisor.

    Set these once for a play with C(module_defaults: {group/vmfleet.hosts.vmhost: {...}}).
    """

    DOCUMENTATION = r"""
options:
  address:
    description:
      - Where the VM host's hypervisor is reached.
      - For libvirt a libvirt URI, V(qemu:///system) for the machine the module runs on, or
        V(qemu+ssh://user@host/system) for a remote host (the SSH key and known_hosts entry of the user running the
        module are used; host key checking stays on).
      - The module can run on the VM host itself or on the controller (with C(delegate_to) set to V(localhost)) with
        a remote URI; the libvirt Python binding is needed where it runs.
    type: str
    default: qemu:///system
    aliases: [power_address]
  type:
    description:
      - The kind of VM host. When not given, it follows from O(address) (libvirt URIs give V(libvirt)).
      - V(lxd) is not supported in this release yet.
    type: str
    choices: [libvirt, lxd]
requirements:
  - libvirt-python (python3-libvirt) on the host that runs the module, for libvirt VM hosts
"""
