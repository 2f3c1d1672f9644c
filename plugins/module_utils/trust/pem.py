# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checking a client key and certificate given by the user before anything is sent with them.

A pair LXD would reject, or that would fail deep in the TLS handshake with an OpenSSL message, is refused here
instead, naming the option and saying what is wrong with it.
"""

from __future__ import annotations

import contextlib
import datetime

from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import MISSING, SpecError
from ansible_collections.vmfleet.hosts.plugins.module_utils.trust.certs import check_validity, load_certificate
from ansible_collections.vmfleet.hosts.plugins.module_utils.trust.keys import load_private_key

with contextlib.suppress(ImportError):  # certs.HAS_CRYPTOGRAPHY tells the module
    from cryptography.hazmat.primitives import serialization


def _public_der(public_key) -> bytes:
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def matches(key, cert) -> bool:
    return _public_der(key.public_key()) == _public_der(cert.public_key())


def validate_pair(
    cert_data: bytes,
    key_data: bytes,
    cert_option: str = "client_cert",
    key_option: str = "client_key",
    now: datetime.datetime | None = None,
):
    """(certificate, key) when they make a usable client pair; SpecError naming the faulty option otherwise."""
    key = load_private_key(key_data, key_option)
    cert = load_certificate(cert_data, cert_option)
    if not matches(key, cert):
        raise SpecError(
            key_option,
            MISSING,
            f"does not match the certificate in {cert_option} (their public keys differ); give the key that "
            f"certificate was made for",
        )
    check_validity(cert, cert_option, now)
    return cert, key
