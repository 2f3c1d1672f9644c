# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Decoding LXD trust tokens: what a token says, its expiry, and refusals that never quote the secret."""

from __future__ import annotations

import base64
import datetime
import json

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError
from ansible_collections.vmfleet.hosts.plugins.module_utils.trust.certs import UTC
from ansible_collections.vmfleet.hosts.plugins.module_utils.trust.token import decode_token, parse_expiry

FINGERPRINT = "01e6b0ae39553a5bbcbfb2157b497fa77c8d5f59242dbf865629ef15c132f2b3"
SECRET = "ac5bb784be3027a7facd7c839344d87f9b9703b2efdf9bc545c3acb5f0477be8"


def make(**fields) -> str:
    document = {
        "client_name": "vmfleet-test-unit",
        "fingerprint": FINGERPRINT,
        "addresses": ["127.0.0.1:8443", "[fd00::1]:8443"],
        "secret": SECRET,
        "expires_at": "0001-01-01T00:00:00Z",
    }
    document.update(fields)
    return base64.b64encode(json.dumps(document).encode()).decode()


def test_lxd_5_token_is_read():
    token = decode_token(make())
    assert token.client_name == "vmfleet-test-unit"
    assert token.fingerprint == FINGERPRINT
    assert token.https_addresses() == ["https://127.0.0.1:8443", "https://[fd00::1]:8443"]
    assert token.expires_at is None
    assert not token.expired()
    assert token.raw == make()  # LXD wants the whole token back


def test_repr_keeps_the_secret_out():
    assert SECRET not in repr(decode_token(make()))


def test_whitespace_and_missing_padding_are_tolerated():
    raw = make().rstrip("=")
    assert decode_token(f"  {raw}\n").fingerprint == FINGERPRINT


def test_fingerprint_is_normalised():
    upper = ":".join(FINGERPRINT[i : i + 2].upper() for i in range(0, 64, 2))
    assert decode_token(make(fingerprint=upper)).fingerprint == FINGERPRINT


def test_expiry_with_nanoseconds():
    token = decode_token(make(expires_at="2026-11-21T16:54:28.450544815Z"))
    assert token.expires_at == datetime.datetime(2026, 11, 21, 16, 54, 28, 450544, tzinfo=UTC)
    assert token.expired(now=datetime.datetime(2026, 11, 21, 17, 0, tzinfo=UTC))
    assert not token.expired(now=datetime.datetime(2026, 11, 21, 16, 0, tzinfo=UTC))


@pytest.mark.parametrize("text", [None, "", "0001-01-01T00:00:00Z"])
def test_no_expiry(text):
    assert parse_expiry(text) is None


@pytest.mark.parametrize(
    "token, reason",
    [
        ("", "it is empty"),
        ("not base64 at all!", "not base64 of a JSON document"),
        (base64.b64encode(b"[1, 2]").decode(), "not a JSON object"),
        (make(secret=""), "no secret in it"),
        (make(fingerprint="abc"), "its fingerprint is not a SHA-256 fingerprint"),
        (make(addresses="127.0.0.1:8443"), "addresses is not a list"),
    ],
)
def test_bad_tokens_are_refused_naming_the_option(token, reason):
    with pytest.raises(SpecError) as caught:
        decode_token(token)
    message = str(caught.value)
    assert message.startswith("trust_token is not an LXD trust token")
    assert reason in message
    assert SECRET not in message
    assert caught.value.option == "trust_token"
