# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""X.509 certificates of LXD clients and servers: loading, making self-signed ones, and SHA-256 fingerprints.

LXD identifies a client and a server by the SHA-256 fingerprint of its certificate (what `lxc config trust list`
and `lxc info` print), so every comparison here is on that, as 64 lowercase hex digits.
"""

from __future__ import annotations

import datetime
import re

from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import MISSING, SpecError

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    HAS_CRYPTOGRAPHY = True
except ImportError:  # lxd_trust reports it with missing_required_lib
    HAS_CRYPTOGRAPHY = False

_SEPARATORS = re.compile(r"[\s:]")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
PEM_CERT_MARKER = b"-----BEGIN CERTIFICATE-----"
UTC = datetime.timezone(datetime.timedelta(0))  # datetime.UTC needs Python 3.11


def normalise_fingerprint(value: str, option: str = "server_fingerprint") -> str:
    """A SHA-256 fingerprint as 64 lowercase hex digits (colons and spaces, as tools print it, are dropped)."""
    digits = _SEPARATORS.sub("", value or "").lower()
    if not _HEX64.match(digits):
        raise SpecError(option, value, "is not a SHA-256 fingerprint (64 hex digits, colons allowed)")
    return digits


def fingerprint(cert) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


def fingerprint_of_der(der: bytes) -> str:
    return fingerprint(x509.load_der_x509_certificate(der))


def to_pem(cert) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def _utc(moment: datetime.datetime) -> datetime.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def not_after(cert) -> datetime.datetime:
    # not_valid_after_utc exists from cryptography 42; older versions give a naive UTC datetime
    return _utc(getattr(cert, "not_valid_after_utc", None) or cert.not_valid_after)


def not_before(cert) -> datetime.datetime:
    return _utc(getattr(cert, "not_valid_before_utc", None) or cert.not_valid_before)


def load_certificate(data: bytes, option: str):
    """The one certificate of a PEM file; each kind of wrong file gets its own message naming the option."""
    if PEM_CERT_MARKER not in data:
        if b"PRIVATE KEY-----" in data:
            raise SpecError(option, MISSING, "holds a private key, not a certificate; give the PEM certificate here")
        if b"-----BEGIN " in data:
            kind = data.split(b"-----BEGIN ", 1)[1].split(b"-----", 1)[0].decode("ascii", "replace")
            raise SpecError(option, MISSING, f"holds a PEM {kind}, not a CERTIFICATE")
        raise SpecError(option, MISSING, "is not a PEM file (no -----BEGIN CERTIFICATE----- block)")
    try:
        return x509.load_pem_x509_certificate(data)
    except ValueError as error:
        raise SpecError(option, MISSING, f"holds a PEM certificate that cannot be read ({error})") from None


def check_validity(cert, option: str, now: datetime.datetime | None = None) -> None:
    now = now or datetime.datetime.now(UTC)
    if not_after(cert) <= now:
        raise SpecError(
            option,
            MISSING,
            f"expired on {not_after(cert):%Y-%m-%d %H:%M} UTC; LXD refuses it. Remove the key and certificate to "
            f"have new ones generated, or give a valid pair",
        )
    if not_before(cert) > now:
        raise SpecError(option, MISSING, f"is not valid before {not_before(cert):%Y-%m-%d %H:%M} UTC")


def self_signed(key, common_name: str, days: int, now: datetime.datetime | None = None):
    """A client certificate as `lxc` makes its own: self-signed, for TLS client authentication."""
    now = now or datetime.datetime.now(UTC)
    subject = x509.Name(
        [x509.NameAttribute(NameOID.ORGANIZATION_NAME, "vmfleet"), x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))  # tolerate a server clock a little behind
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
    )
    algorithm = None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA384()
    return builder.sign(key, algorithm)


def common_name(cert) -> str:
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else ""
