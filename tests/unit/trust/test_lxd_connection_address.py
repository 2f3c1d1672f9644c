# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which LXD addresses the connection accepts (plain HTTP never) and how a pin is read."""

from __future__ import annotations

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.connection import (
    classify,
    pinned_fingerprint,
    resolve_address,
)
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.locations import local_socket
from ansible_collections.vmfleet.hosts.plugins.module_utils.trust.peer import host_and_port

FP = "01e6b0ae39553a5bbcbfb2157b497fa77c8d5f59242dbf865629ef15c132f2b3"


@pytest.mark.parametrize(
    "given, expected",
    [
        ("https://lxd-01:8443/", "https://lxd-01:8443"),
        ("HTTPS://lxd-01:8443", "https://lxd-01:8443"),
        ("/var/lib/lxd/unix.socket", "/var/lib/lxd/unix.socket"),
        ("unix:/var/lib/lxd/unix.socket", "/var/lib/lxd/unix.socket"),
        ("unix:///var/lib/lxd/unix.socket", "/var/lib/lxd/unix.socket"),
    ],
)
def test_addresses(given, expected):
    assert resolve_address(given) == expected


def test_plain_http_is_refused():
    with pytest.raises(DriverError, match="plain HTTP") as caught:
        resolve_address("http://lxd-01:8443")
    assert caught.value.kind == "bad_address"


@pytest.mark.parametrize("given", ["https://lxd-01:8443/1.0", "https://user@lxd-01:8443", "ftp://x", "lxd-01:8443"])
def test_other_addresses_are_refused(given):
    with pytest.raises(DriverError) as caught:
        resolve_address(given)
    assert caught.value.kind == "bad_address"
    assert caught.value.message.startswith("address: ")


def test_local_socket_order():
    assert local_socket({}, exists=lambda p: True) == "/var/snap/lxd/common/lxd/unix.socket"
    assert local_socket({"LXD_DIR": "/x"}, exists=lambda p: p == "/x/unix.socket") == "/x/unix.socket"
    with pytest.raises(DriverError, match="no local LXD socket"):
        local_socket({}, exists=lambda p: False)


def test_pins():
    assert pinned_fingerprint({"server_fingerprint": FP.upper()}) == FP
    assert pinned_fingerprint({}) is None
    with pytest.raises(DriverError, match="server_fingerprint: 'abc' is not a SHA-256 fingerprint"):
        pinned_fingerprint({"server_fingerprint": "abc"})


def test_server_cert_that_is_not_a_certificate(tmp_path):
    path = tmp_path / "server.crt"
    path.write_text("hello")
    with pytest.raises(DriverError, match="^server_cert is not a PEM file"):
        pinned_fingerprint({"server_cert": str(path)})
    with pytest.raises(DriverError, match="server_cert: cannot read"):
        pinned_fingerprint({"server_cert": str(tmp_path / "missing.crt")})


def test_classify_messages():
    assert "pinned one" in classify(Exception("Fingerprints did not match. Expected x"), "h").message
    assert "server_fingerprint" in classify(Exception("[SSL: CERTIFICATE_VERIFY_FAILED] x"), "h").message
    assert classify(PermissionError("Permission denied"), "h").kind == "permission"


@pytest.mark.parametrize(
    "endpoint, expected",
    [
        ("https://lxd:8443", ("lxd", 8443)),
        ("https://lxd", ("lxd", 8443)),
        ("https://[fd00::1]:9443", ("fd00::1", 9443)),
    ],
)
def test_host_and_port(endpoint, expected):
    assert host_and_port(endpoint) == expected
