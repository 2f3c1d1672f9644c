# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fingerprints, generated keys and certificates, and the PEM checks of a client pair with their own messages."""

from __future__ import annotations

import datetime

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError
from ansible_collections.vmfleet.hosts.plugins.module_utils.trust import certs, keys
from ansible_collections.vmfleet.hosts.plugins.module_utils.trust.pem import validate_pair

FP = "01e6b0ae39553a5bbcbfb2157b497fa77c8d5f59242dbf865629ef15c132f2b3"


@pytest.mark.parametrize(
    "given",
    [FP, FP.upper(), ":".join(FP[i : i + 2] for i in range(0, 64, 2)), f"  {FP[:32]} {FP[32:]}  "],
)
def test_fingerprints_are_normalised(given):
    assert certs.normalise_fingerprint(given) == FP


@pytest.mark.parametrize("given", ["", "xyz", FP[:-1], FP + "0", "g" * 64])
def test_bad_fingerprints_name_the_option(given):
    with pytest.raises(SpecError, match="^server_fingerprint: .* is not a SHA-256 fingerprint"):
        certs.normalise_fingerprint(given)


def _pair(key_type="ec", days=30, now=None):
    key = keys.generate_key(key_type, size=2048 if key_type == "rsa" else None)
    cert = certs.self_signed(key, "vmfleet@unit", days, now=now)
    return certs.to_pem(cert).encode(), keys.key_pem(key), cert, key


def test_default_key_is_p384_like_lxc():
    key = keys.generate_key()
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    assert key.curve.name == "secp384r1"


@pytest.mark.parametrize(
    "key_type, kind",
    [("ec", ec.EllipticCurvePrivateKey), ("rsa", rsa.RSAPrivateKey), ("ed25519", ed25519.Ed25519PrivateKey)],
)
def test_generated_pairs_validate(key_type, kind):
    cert_pem, key_pem, cert, _key = _pair(key_type)
    loaded_cert, loaded_key = validate_pair(cert_pem, key_pem)
    assert isinstance(loaded_key, kind)
    assert certs.fingerprint(loaded_cert) == certs.fingerprint(cert)
    assert certs.common_name(loaded_cert) == "vmfleet@unit"
    assert b"ENCRYPTED" not in key_pem


def test_generation_options_are_checked():
    with pytest.raises(SpecError, match="^key_size: 1024 is not a safe RSA size"):
        keys.generate_key("rsa", size=1024)
    with pytest.raises(SpecError, match="^curve: 'secp192r1' is not a supported curve"):
        keys.generate_key("ec", curve="secp192r1")
    with pytest.raises(SpecError, match="^key_type: 'dsa' is not a key type"):
        keys.generate_key("dsa")


def test_passphrase_protected_key_is_refused():
    made = _pair()
    cert_pem, key = made[0], made[3]
    encrypted = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret"),
    )
    with pytest.raises(SpecError, match="^client_key is protected by a passphrase"):
        validate_pair(cert_pem, encrypted)


def test_traditional_encrypted_key_is_refused():
    cert_pem = _pair("rsa")[0]
    key = rsa.generate_private_key(65537, 2048)
    legacy = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.BestAvailableEncryption(b"secret"),
    )
    with pytest.raises(SpecError, match="^client_key is protected by a passphrase"):
        validate_pair(cert_pem, legacy)


def test_not_pem_is_refused_for_each_file():
    cert_pem, key_pem = _pair()[:2]
    with pytest.raises(SpecError, match="^client_key is not a PEM file"):
        validate_pair(cert_pem, b"hello")
    with pytest.raises(SpecError, match="^client_cert is not a PEM file"):
        validate_pair(b"hello", key_pem)


def test_wrong_pem_type_is_refused():
    cert_pem, key_pem = _pair()[:2]
    with pytest.raises(SpecError, match="^client_key holds a PEM CERTIFICATE, not a PRIVATE KEY"):
        validate_pair(cert_pem, cert_pem)
    with pytest.raises(SpecError, match="^client_cert holds a private key, not a certificate"):
        validate_pair(key_pem, key_pem)
    request = b"-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n"
    with pytest.raises(SpecError, match="^client_cert holds a PEM CERTIFICATE REQUEST, not a CERTIFICATE"):
        validate_pair(request, key_pem)


def test_mismatched_pair_is_refused():
    cert_pem = _pair()[0]
    other_key = _pair()[1]
    with pytest.raises(SpecError, match="^client_key does not match the certificate in client_cert"):
        validate_pair(cert_pem, other_key)


def test_expired_certificate_is_refused():
    long_ago = datetime.datetime(2020, 1, 1, tzinfo=certs.UTC)
    cert_pem, key_pem = _pair(days=10, now=long_ago)[:2]
    with pytest.raises(SpecError, match="^client_cert expired on 2020-01-11"):
        validate_pair(cert_pem, key_pem)


def test_not_yet_valid_certificate_is_refused():
    future = datetime.datetime.now(certs.UTC) + datetime.timedelta(days=2)
    cert_pem, key_pem = _pair(now=future)[:2]
    with pytest.raises(SpecError, match="^client_cert is not valid before"):
        validate_pair(cert_pem, key_pem)


def test_generated_certificate_is_for_client_auth():
    from cryptography import x509
    from cryptography.x509.oid import ExtendedKeyUsageOID

    cert = _pair()[2]
    usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.CLIENT_AUTH in usage
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
