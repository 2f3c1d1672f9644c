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
      - For LXD the path of the daemon's unix socket, or V(https://host:8443) for a remote host reached with a
        client certificate (see O(client_cert)); the server's certificate is always verified.
      - When not given, V(qemu:///system) for libvirt, and for LXD the local socket (the snap's
        C(/var/snap/lxd/common/lxd/unix.socket), else the distribution package's C(/var/lib/lxd/unix.socket),
        else C($LXD_DIR/unix.socket)).
      - The module can run on the VM host itself or on the controller (with C(delegate_to) set to V(localhost)) with
        a remote address; the hypervisor's Python client is needed where it runs.
    type: str
    aliases: [power_address]
  type:
    description:
      - The kind of VM host. When not given, it follows from O(address) (V(https://...) and socket paths give
        V(lxd), anything else V(libvirt)).
    type: str
    choices: [libvirt, lxd]
  project:
    description:
      - The LXD project the VM host's instances, volumes and policy live in. Ignored by libvirt hosts.
    type: str
    default: default
  client_cert:
    description:
      - Path of the PEM client certificate presented to an LXD host over HTTPS (see M(vmfleet.hosts.lxd_trust) to
        make one and get it trusted). Needs O(client_key). LXD hosts only.
    type: path
  client_key:
    description:
      - Path of the PEM private key of O(client_cert); it must not be passphrase-protected. LXD hosts only.
    type: path
  server_cert:
    description:
      - Path of the LXD server's PEM certificate; the connection is accepted only when the server presents exactly
        this certificate (pinning; host names do not matter). LXD hosts over HTTPS only.
      - Without O(server_cert) or O(server_fingerprint) the server's certificate must be signed by a CA the system
        trusts. Verification is never turned off.
    type: path
  server_fingerprint:
    description:
      - The SHA-256 fingerprint of the LXD server's certificate (hex, colons allowed, as C(lxc info) or
        M(vmfleet.hosts.lxd_trust) print it); the connection is accepted only when the server presents a
        certificate with this fingerprint. Mutually exclusive with O(server_cert).
    type: str
requirements:
  - libvirt-python (python3-libvirt) on the host that runs the module, for libvirt VM hosts
  - pylxd on the host that runs the module, for LXD VM hosts
"""
