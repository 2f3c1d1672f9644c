# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""LXD trust tokens, as `lxc config trust add --name X` prints them.

A token is base64 of a small JSON document: the client name the admin chose, the SHA-256 fingerprint of the
server's certificate, the addresses the server listens on, a secret and (from LXD 5.0 on) an expiry. The
fingerprint is what lets a newcomer pin the server without copying its certificate by hand. Messages never quote
the token or its secret.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import re

from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import MISSING, SpecError
from ansible_collections.vmfleet.hosts.plugins.module_utils.trust.certs import UTC, normalise_fingerprint

OPTION = "trust_token"
_NO_EXPIRY = "0001-01-01T00:00:00Z"  # Go's zero time: LXD writes it when core.remote_token_expiry is unset
_FRACTION = re.compile(r"\.(\d+)")


class TrustToken:
    """What a token says, with the secret kept out of repr()."""

    def __init__(self, raw: str, client_name: str, fingerprint: str, addresses: list, expires_at):
        self.raw = raw  # LXD wants the whole token back, not only its secret
        self.client_name = client_name
        self.fingerprint = fingerprint
        self.addresses = addresses
        self.expires_at = expires_at

    def __repr__(self) -> str:
        return f"TrustToken(client_name={self.client_name!r}, fingerprint={self.fingerprint!r})"

    def expired(self, now: datetime.datetime | None = None) -> bool:
        now = now or datetime.datetime.now(UTC)
        return self.expires_at is not None and self.expires_at <= now

    def https_addresses(self) -> list:
        return [f"https://{address}" for address in self.addresses]


def parse_expiry(text) -> datetime.datetime | None:
    """A Go RFC 3339 time (nanoseconds allowed) as an aware datetime; None for Go's zero time (no expiry)."""
    if not text or text == _NO_EXPIRY or text.startswith("0001-01-01"):
        return None
    # Python before 3.11 reads neither nanoseconds nor "Z"
    text = _FRACTION.sub(lambda match: "." + match.group(1)[:6].ljust(6, "0"), text.strip())
    text = text[:-1] + "+00:00" if text.endswith("Z") else text
    try:
        return datetime.datetime.fromisoformat(text)
    except ValueError:
        raise SpecError(OPTION, MISSING, f"has an expiry LXD would not write ({text!r})") from None


def _bad(reason: str) -> SpecError:
    return SpecError(
        OPTION, MISSING, f"is not an LXD trust token ({reason}); give the whole line `lxc config trust add` printed"
    )


def decode_token(token: str) -> TrustToken:
    raw = (token or "").strip()
    if not raw:
        raise _bad("it is empty")
    try:
        padded = raw + "=" * (-len(raw) % 4)
        document = json.loads(base64.b64decode(padded, validate=True).decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        try:  # some tools print URL-safe base64
            document = json.loads(base64.urlsafe_b64decode(padded).decode("utf-8"))
        except (binascii.Error, ValueError, UnicodeDecodeError):
            raise _bad("not base64 of a JSON document") from None
    if not isinstance(document, dict):
        raise _bad("not a JSON object")
    missing = [key for key in ("fingerprint", "secret", "addresses") if not document.get(key)]
    if missing:
        raise _bad(f"no {', '.join(missing)} in it")
    if not isinstance(document["addresses"], list) or not all(isinstance(a, str) for a in document["addresses"]):
        raise _bad("addresses is not a list of host:port")
    try:
        fingerprint = normalise_fingerprint(str(document["fingerprint"]), OPTION)
    except SpecError:
        raise _bad("its fingerprint is not a SHA-256 fingerprint") from None
    return TrustToken(
        raw=raw,
        client_name=str(document.get("client_name") or ""),
        fingerprint=fingerprint,
        addresses=list(document["addresses"]),
        expires_at=parse_expiry(document.get("expires_at")),
    )
