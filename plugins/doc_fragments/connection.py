# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations


class ModuleDocFragment:
    """How a module reaches a VM host: shared by every module that talks to a hypervisor.

    Set these once for a play with C(module_defaults: {group/vmfleet.hosts.vmhost: {...}}).
    """

    DOCUMENTATION = r"""
notes:
  - "Connection options not given in the task (nor by C(module_defaults)) are read from environment variables of
    the host that runs the module: E(VMFLEET_ADDRESS), E(VMFLEET_TYPE), E(VMFLEET_PROJECT), E(VMFLEET_CLIENT_CERT),
    E(VMFLEET_CLIENT_KEY), E(VMFLEET_SERVER_CERT), E(VMFLEET_SERVER_FINGERPRINT). The task always wins over the
    environment, and the environment over the defaults. O(client_cert) with O(client_key), and O(server_cert) with
    O(server_fingerprint), come from one place: when the task gives either of a pair, the environment is not read
    for the other. LXD settings from the environment are ignored for libvirt hosts (only a task's own are refused
    there)."
  - "Names other collections use are aliases here, so their tasks run unchanged: O(address) is also C(uri)
    (community.libvirt, libvirt hosts only), C(url) (community.general.lxd_container, LXD hosts only) and
    C(power_address) (MAAS, both); O(client_cert) and O(client_key) are also C(cert_file) and C(key_file)."
options:
  address:
    description:
      - Where the VM host's hypervisor is reached.
      - For libvirt a libvirt URI, V(qemu:///system) for the machine the module runs on, or
        V(qemu+ssh://user@host/system) for a remote host (the SSH key and known_hosts entry of the user running the
        module are used; host key checking stays on).
      - For LXD the path of the daemon's unix socket (a C(unix:) prefix is allowed), or V(https://host:8443) for a
        remote host reached with a client certificate (see O(client_cert)); the server's certificate is always
        verified.
      - "When not given: E(VMFLEET_ADDRESS); else, for libvirt, libvirt's own E(LIBVIRT_DEFAULT_URI), else
        V(qemu:///system); for LXD the local socket (the snap's C(/var/snap/lxd/common/lxd/unix.socket), else the
        distribution package's C(/var/lib/lxd/unix.socket), else C($LXD_DIR/unix.socket)); for Incus
        C($INCUS_DIR/unix.socket), else C(/var/lib/incus/unix.socket)."
      - The alias C(uri) is for libvirt URIs and C(url) for LXD addresses; one used for the other hypervisor's
        address (or with the other O(type)) is refused with the reason, rather than guessed.
      - The module can run on the VM host itself or on the controller (with C(delegate_to) set to V(localhost)) with
        a remote address; the hypervisor's Python client is needed where it runs.
    type: str
    aliases: [power_address, uri, url]
  type:
    description:
      - The kind of VM host. When not given, E(VMFLEET_TYPE); else it follows from O(address) (Incus's own socket
        path C(/var/lib/incus/unix.socket) gives V(incus), other V(https://...) and socket paths give V(lxd),
        anything else V(libvirt)). An Incus host reached over HTTPS or another socket needs V(incus) given, as its
        API cannot be told from LXD's by the address (docs/incus.md).
    type: str
    choices: [libvirt, lxd, incus]
  project:
    description:
      - The LXD project the VM host's instances, volumes and policy live in. Ignored by libvirt hosts.
      - When not given, E(VMFLEET_PROJECT), else V(default).
    type: str
  client_cert:
    description:
      - Path of the PEM client certificate presented to an LXD host over HTTPS (see M(vmfleet.hosts.lxd_trust) to
        make one and get it trusted). Needs O(client_key). LXD hosts only.
      - "When neither O(client_cert) nor O(client_key) is given, nor set by E(VMFLEET_CLIENT_CERT) and
        E(VMFLEET_CLIENT_KEY), and O(address) is V(https://...): the lxc client's own pair, C(client.crt) and
        C(client.key) in E(LXD_CONF) when that is set, else in C(~/.config/lxc) (community.general's default),
        else in the snap's C(~/snap/lxd/common/config); only a directory holding both files counts. Over the unix
        socket no certificate is used."
    type: path
    aliases: [cert_file]
  client_key:
    description:
      - Path of the PEM private key of O(client_cert); it must not be passphrase-protected. LXD hosts only.
      - From the environment and the lxc client's directories as O(client_cert).
    type: path
    aliases: [key_file]
  server_cert:
    description:
      - Path of the LXD server's PEM certificate; the connection is accepted only when the server presents exactly
        this certificate (pinning; host names do not matter). LXD hosts over HTTPS only.
      - Without O(server_cert) or O(server_fingerprint) (from the task or from E(VMFLEET_SERVER_CERT) and
        E(VMFLEET_SERVER_FINGERPRINT)) the server's certificate must be signed by a CA the system trusts.
        Verification is never turned off.
    type: path
  server_fingerprint:
    description:
      - The SHA-256 fingerprint of the LXD server's certificate (hex, colons allowed, as C(lxc info) or
        M(vmfleet.hosts.lxd_trust) print it); the connection is accepted only when the server presents a
        certificate with this fingerprint. Mutually exclusive with O(server_cert).
    type: str
"""

    # Only for the modules that open a driver: lxd_trust needs other libraries, vm_plan none. (A fragment must
    # have options, even none.)
    BINDINGS = r"""
options: {}
requirements:
  - libvirt-python (Debian's python3-libvirt) on the host that runs the module, for libvirt VM hosts
  - pylxd (python3-pylxd; it brings requests and cryptography) on the host that runs the module, for LXD VM hosts
"""
