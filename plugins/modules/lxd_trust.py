#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: lxd_trust
short_description: Get a client certificate trusted by an LXD host (by token or password), or untrusted again
version_added: 0.1.0
description:
  - Makes sure the client key and certificate at O(client_cert) and O(client_key) exist and are in the trust store
    of an LXD server, so the other modules of the collection can reach it over HTTPS with them.
  - When neither file exists a new pair is generated (ECDSA P-384 by default, as LXD's own client does) and
    written with mode 0600 for the key and 0644 for the certificate, the parent directory created 0700. When both
    exist they are checked and never rewritten; a passphrase-protected key, a file that is not PEM (or holds the
    wrong PEM block), a key that does not match its certificate and an expired certificate are each refused with
    their own message, before anything is sent.
  - Over V(https://host:8443) the client joins with O(trust_token) (what C(lxc config trust add --name NAME)
    prints on the host) or O(trust_password) (the server's C(core.trust_password), LXD 5.0 and older). The
    server's certificate is checked first, with O(server_cert), O(server_fingerprint), the fingerprint the token
    carries, or a CA of the system; an unverified server is never sent a secret.
  - Over the local unix socket (no O(address), or a socket path, with the module running on the LXD host) the
    certificate is added or removed directly as an administrator; no secret is needed.
  - An Incus host (O(type=incus)) is served the same way, with a token (C(incus config trust add NAME)) or a
    certificate it already trusts (bring your own O(client_cert) and O(client_key)); without O(address) its own
    socket C(/var/lib/incus/unix.socket) is used. Incus has no trust password, so O(trust_password) is refused.
  - O(state=absent) removes the certificate from the trust store; the files stay unless O(remove_files=true).
author:
  - vmfleet.hosts contributors (@vmfleet)
extends_documentation_fragment:
  - vmfleet.hosts.connection
  - vmfleet.hosts.attributes
  - vmfleet.hosts.attributes.ACTIONGROUP_VMHOST
attributes:
  check_mode:
    support: full
    details:
      - Nothing is written or sent; the server is still contacted to check its certificate and the current trust.
  diff_mode:
    support: full
    details:
      - The diff shows whether the certificate is trusted and whether the key and certificate files exist, before
        and after.
  idempotent:
    support: full
    details:
      - A certificate that is already trusted gives C(changed=false) without any secret (a used token may be given
        again).
requirements:
  - cryptography (python3-cryptography) on the host that runs the module, for keys, certificates and fingerprints
  - pylxd (python3-pylxd) on the host that runs the module, to reach the LXD API
options:
  state:
    description:
      - V(present) makes sure the certificate is trusted; V(absent) makes sure it is not.
    type: str
    choices: [present, absent]
    default: present
  trust_token:
    description:
      - A trust token made on the LXD host with C(lxc config trust add --name NAME). Single use; a re-run of an
        already trusted client does not need it.
      - The token carries the server's certificate fingerprint; it pins the server when neither O(server_cert)
        nor O(server_fingerprint) is given, and when one is, both must agree or nothing is sent.
      - Without O(address), the client connects to the first address in the token.
      - The certificate's name on the server and its project restriction come from the token (LXD ignores what
        the client asks for), so O(projects) cannot be given with it.
    type: str
  trust_password:
    description:
      - The server's C(core.trust_password) (LXD 5.0 and older; LXD 6 only takes tokens). Refused for an Incus
        host (O(type=incus)), which has none.
      - The server must be verified by O(server_cert), O(server_fingerprint) or a CA the system trusts.
      - Never logged or returned.
    type: str
  name:
    description:
      - The certificate's name in the server's trust store. Defaults to the certificate's common name.
      - With O(trust_token) the server names it after the token instead.
    type: str
  projects:
    description:
      - Restrict the certificate to these LXD projects (C(restricted=true) on the server). Honoured when joining
        with O(trust_password) and over the local socket.
      - An already trusted certificate keeps the restriction it has (a warning says when it differs).
    type: list
    elements: str
  key_type:
    description:
      - The kind of key to generate when the files do not exist. LXD 5.0 accepts all three.
    type: str
    choices: [ec, rsa, ed25519]
    default: ec
  curve:
    description: The curve of a generated V(ec) key. Defaults to V(secp384r1).
    type: str
    choices: [secp256r1, secp384r1, secp521r1]
  key_size:
    description: The size in bits of a generated V(rsa) key, 2048 to 16384. Defaults to V(4096).
    type: int
  common_name:
    description:
      - The common name of a generated certificate. Defaults to C(vmfleet@) and the host name of the machine the
        module runs on.
    type: str
  validity_days:
    description: How long a generated certificate is valid, in days (LXD refuses expired ones).
    type: int
    default: 3650
  remove_files:
    description:
      - With O(state=absent), also delete the key and certificate files.
      - Refused when they are lxc's own pair, found because no O(client_cert) was given; name them to delete them.
    type: bool
    default: false
notes:
  - O(address), O(client_cert), O(client_key), O(server_cert), O(server_fingerprint) and O(project) are the
    collection's connection options; O(client_cert) and O(client_key) are required here, except with an
    V(https://...) O(address) (or a O(trust_token) and no O(address)) where the lxc client's own pair is found
    (see O(client_cert)).
  - The key is never returned, logged or sent; only the certificate is.
  - LXD does not let a certificate restricted to projects remove itself; remove it over the host's unix socket
    (this module with O(state=absent) on the host, without O(address)) or with C(lxc config trust remove).
  - See C(docs/lxd_trust.md) of the collection for a walk-through.
seealso:
  - module: vmfleet.hosts.vm_host
  - module: vmfleet.hosts.vm_host_info
"""

EXAMPLES = r"""
# On the LXD host, once: lxc config trust add --name controller-1   (prints the token)
- name: Trust this controller by the token the host printed
  vmfleet.hosts.lxd_trust:
    client_cert: ~/.config/vmfleet/lxd-01.crt
    client_key: ~/.config/vmfleet/lxd-01.key
    trust_token: "{{ lxd01_token }}"
  delegate_to: localhost
  register: trust

- name: Use the trusted pair and the pinned server from then on
  vmfleet.hosts.vm_host_info:
    address: "{{ trust.address }}"
    client_cert: ~/.config/vmfleet/lxd-01.crt
    client_key: ~/.config/vmfleet/lxd-01.key
    server_fingerprint: "{{ trust.server_fingerprint }}"
  delegate_to: localhost

- name: Trust an existing pair by password, restricted to one project, the server pinned by its certificate
  vmfleet.hosts.lxd_trust:
    address: https://lxd-02.example.com:8443
    server_cert: files/lxd-02.crt
    client_cert: /etc/vmfleet/client.crt
    client_key: /etc/vmfleet/client.key
    trust_password: "{{ vault_lxd_trust_password }}"
    name: vmfleet-ci
    projects: [ci]
  delegate_to: localhost

- name: On the LXD host itself, trust a certificate over the unix socket
  vmfleet.hosts.lxd_trust:
    client_cert: /srv/certs/controller.crt
    client_key: /srv/certs/controller.key

- name: Give up the trust again and delete the files
  vmfleet.hosts.lxd_trust:
    state: absent
    address: https://lxd-01.example.com:8443
    server_fingerprint: "{{ trust.server_fingerprint }}"
    client_cert: ~/.config/vmfleet/lxd-01.crt
    client_key: ~/.config/vmfleet/lxd-01.key
    remove_files: true
  delegate_to: localhost
"""

RETURN = r"""
trusted:
  description: Whether the server trusts the certificate after the task (as it would after it, in check mode).
  returned: always
  type: bool
  sample: true
generated:
  description: Whether a new key and certificate were generated (or would be, in check mode).
  returned: always
  type: bool
  sample: false
fingerprint:
  description:
    - SHA-256 fingerprint of the client certificate, as C(lxc config trust list) shows it.
    - V(null) when the pair would be generated in check mode, or with O(state=absent) when there is no certificate.
  returned: always
  type: str
  sample: 2b5f0c2a41a2d6c2b24f3a3f4fb6e9b39e4c0a8f0e0b5f1a6d9c6c4a1b7e2d3f
certificate:
  description: The client certificate in PEM form (never the key); V(null) when there is none yet.
  returned: always
  type: str
  sample: "-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----\n"
name:
  description: The certificate's name in the server's trust store; V(null) when it is not trusted.
  returned: always
  type: str
  sample: vmfleet-ci
restricted:
  description: Whether the server restricts the certificate to RV(projects).
  returned: always
  type: bool
  sample: true
projects:
  description: The projects the certificate is restricted to on the server (empty when unrestricted).
  returned: always
  type: list
  elements: str
  sample: [ci]
server_fingerprint:
  description:
    - SHA-256 fingerprint of the certificate the server presented, checked against the pin. Give it as
      O(server_fingerprint) to the other modules.
    - V(null) when the server was not contacted (O(state=absent) without a client certificate).
  returned: always
  type: str
  sample: 01e6b0ae39553a5bbcbfb2157b497fa77c8d5f59242dbf865629ef15c132f2b3
server_certificate:
  description: The server's certificate in PEM form, as it presented it (usable as O(server_cert)).
  returned: always
  type: str
  sample: "-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----\n"
address:
  description: The address the module talked to (the token's first address when O(address) was not given).
  returned: always
  type: str
  sample: https://10.0.0.5:8443
"""

import os

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.vmfleet.hosts.plugins.module_utils.connection_spec import ENVIRONMENT, connection_argspec
from ansible_collections.vmfleet.hosts.plugins.module_utils.module_base import VmFleetModule
from ansible_collections.vmfleet.hosts.plugins.module_utils.trust import certs, service


def from_env() -> bool:
    """Whether the client pair was named in the environment (rather than found in lxc's directories)."""
    return any(os.environ.get(name) for name in ENVIRONMENT["client_cert"])


def main():
    module = VmFleetModule(
        argument_spec={
            **connection_argspec(),
            "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
            "trust_token": {"type": "str", "no_log": True},
            "trust_password": {"type": "str", "no_log": True},
            "name": {"type": "str"},
            "projects": {"type": "list", "elements": "str"},
            "key_type": {"type": "str", "choices": ["ec", "rsa", "ed25519"], "default": "ec"},
            "curve": {"type": "str", "choices": ["secp256r1", "secp384r1", "secp521r1"]},
            "key_size": {"type": "int"},
            "common_name": {"type": "str"},
            "validity_days": {"type": "int", "default": 3650},
            "remove_files": {"type": "bool", "default": False},
        },
        mutually_exclusive=[["trust_token", "trust_password"]],
        supports_check_mode=True,
    )
    if not certs.HAS_CRYPTOGRAPHY:
        module.fail_json(msg=missing_required_lib("cryptography"), kind="missing_binding")
    run = service.absent if module.params["state"] == "absent" else service.present
    with module.core_errors():
        # the environment's VMFLEET_* and lxc's own client pair count here as for the other modules
        # a token without an address leads to the token's own https:// address
        params = {**module.params, **module.connection("lxd", https_without_address=bool(module.params["trust_token"]))}
        if params["remove_files"] and params["client_cert"] and not (module.params["client_cert"] or from_env()):
            module.fail_json(
                msg=f"remove_files would delete lxc's own client pair ({params['client_cert']}, "
                f"{params['client_key']}); name the files with client_cert and client_key to delete them",
                option="remove_files",
            )
        outcome = run(params, module.check_mode)
    diff = outcome.pop("diff")
    for warning in outcome.pop("warnings"):
        module.warn(warning)
    if module._diff:
        outcome["diff"] = diff
    module.exit_json(**outcome)


if __name__ == "__main__":
    main()
