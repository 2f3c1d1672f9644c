# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Client private keys: generating one of the kinds LXD accepts, and loading one with a clear refusal for each
kind of file that cannot be used (encrypted, not PEM, not a private key).

LXD 5.0 accepts ECDSA, RSA and Ed25519 client certificates (checked against the daemon in the integration tests);
the default is ECDSA on P-384, what LXD's own client generates.
"""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import MISSING, SpecError

try:
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
except ImportError:  # certs.HAS_CRYPTOGRAPHY tells the module
    pass

KEY_TYPES = ("ec", "rsa", "ed25519")
CURVES = ("secp256r1", "secp384r1", "secp521r1")
DEFAULT_CURVE = "secp384r1"
DEFAULT_RSA_SIZE = 4096
MIN_RSA_SIZE = 2048


def generate_key(key_type: str = "ec", curve: str | None = None, size: int | None = None):
    if key_type == "ec":
        curve = curve or DEFAULT_CURVE
        if curve not in CURVES:
            raise SpecError("curve", curve, f"is not a supported curve; use one of {', '.join(CURVES)}")
        return ec.generate_private_key(getattr(ec, curve.upper())())
    if key_type == "rsa":
        size = size or DEFAULT_RSA_SIZE
        if size < MIN_RSA_SIZE or size > 16384:
            raise SpecError("key_size", size, f"is not a safe RSA size; use {MIN_RSA_SIZE} to 16384 bits")
        return rsa.generate_private_key(public_exponent=65537, key_size=size)
    if key_type == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    raise SpecError("key_type", key_type, f"is not a key type; use one of {', '.join(KEY_TYPES)}")


def key_pem(key) -> bytes:
    """PKCS#8 PEM, unencrypted: the client key is protected by its file mode, as `lxc` does with its own."""
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def describe_key(key) -> str:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return f"ec {key.curve.name}"
    if isinstance(key, rsa.RSAPrivateKey):
        return f"rsa {key.key_size}"
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "ed25519"
    return type(key).__name__


def load_private_key(data: bytes, option: str):
    """The private key of a PEM file, refused with its own message when encrypted, not PEM or not a key."""
    if b"-----BEGIN" not in data:
        raise SpecError(option, MISSING, "is not a PEM file (no -----BEGIN ... PRIVATE KEY----- block)")
    if b"ENCRYPTED" in data or b"Proc-Type: 4,ENCRYPTED" in data:
        raise SpecError(
            option,
            MISSING,
            "is protected by a passphrase; the key must be readable without one (remove it with "
            "`openssl pkey -in key.pem -out key.pem`, and keep the file mode 0600)",
        )
    if b"PRIVATE KEY-----" not in data:
        kind = data.split(b"-----BEGIN ", 1)[1].split(b"-----", 1)[0].decode("ascii", "replace")
        raise SpecError(option, MISSING, f"holds a PEM {kind}, not a PRIVATE KEY")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError:  # cryptography's word for "this one needs a password"
        raise SpecError(option, MISSING, "is protected by a passphrase; the key must be readable without one") from None
    except (ValueError, UnsupportedAlgorithm) as error:
        raise SpecError(option, MISSING, f"holds a private key that cannot be read ({error})") from None
    if not isinstance(key, (ec.EllipticCurvePrivateKey, rsa.RSAPrivateKey, ed25519.Ed25519PrivateKey)):
        raise SpecError(option, MISSING, f"holds a {type(key).__name__}; LXD takes ECDSA, RSA or Ed25519 keys")
    return key
