# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""lxd_trust's refusals name the command of the daemon's own client: `incus config trust ...` on Incus (which
makes a token with `trust add NAME` and has no trust password), `lxc config trust ... --name` on LXD 5.0."""

from __future__ import annotations

import pytest
from pylxd.exceptions import LXDAPIException

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.incus import dialect
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError
from ansible_collections.vmfleet.hosts.plugins.module_utils.trust import lxd_certificates, service

FINGERPRINT = "01e6b0ae39553a5bbcbfb2157b497fa77c8d5f59242dbf865629ef15c132f2b3"


class FakeResponse:
    def __init__(self, status: int, error: str):
        self.status_code = status
        self._error = error

    def json(self):
        return {"error": self._error}


class FakeCertificates:
    """/1.0/certificates answering every write with one API error."""

    def __init__(self, status: int, error: str):
        self.response = FakeResponse(status, error)
        self.posted = []

    def post(self, json):
        self.posted.append(json)
        raise LXDAPIException(self.response)

    def __getitem__(self, fingerprint):
        return self

    def delete(self):
        raise LXDAPIException(self.response)


class FakeClient:
    def __init__(self, status: int, error: str):
        self.host_info = {"api_extensions": []}
        self.api = type("Api", (), {})()
        self.api.certificates = FakeCertificates(status, error)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        ("not authorized", "not valid there"),
        ("No matching certificate add operation found", "no such token is pending"),
    ],
)
def test_incus_token_refusal_names_the_incus_client(error, expected):
    client = FakeClient(403, error)
    with pytest.raises(DriverError) as caught:
        lxd_certificates.join(
            client, "trust_token", "secret-token", token_field=dialect.TOKEN_FIELD, words=dialect.TRUST_WORDS
        )
    message = caught.value.message
    assert expected in message
    assert "`incus config trust add NAME`" in message
    assert "lxc" not in message
    assert "secret-token" not in message
    assert client.api.certificates.posted == [{"type": "client", "trust_token": "secret-token"}]


def test_lxd_token_refusal_keeps_the_lxc_spelling():
    with pytest.raises(DriverError) as caught:
        lxd_certificates.join(FakeClient(403, "not authorized"), "trust_token", "secret-token")
    assert "`lxc config trust add --name NAME`" in caught.value.message
    assert "incus" not in caught.value.message


def test_incus_self_removal_refusal_names_incus():
    with pytest.raises(DriverError) as caught:
        lxd_certificates.remove(FakeClient(403, "forbidden"), FINGERPRINT, over_socket=False, words=dialect.TRUST_WORDS)
    message = caught.value.message
    assert f"`incus config trust remove {FINGERPRINT[:12]}`" in message
    assert "Incus keeps a restricted certificate" in message
    assert "lxc" not in message and "LXD" not in message


def test_lxd_self_removal_refusal_names_lxc():
    with pytest.raises(DriverError) as caught:
        lxd_certificates.remove(FakeClient(403, "forbidden"), FINGERPRINT, over_socket=False)
    assert f"`lxc config trust remove {FINGERPRINT[:12]}`" in caught.value.message


def test_incus_token_with_projects_names_incus_and_no_password():
    with pytest.raises(SpecError) as caught:
        service._check_options({"type": "incus", "trust_token": "x", "projects": ["p1"]})
    message = str(caught.value)
    assert caught.value.option == "projects"
    assert "`incus config trust add NAME --restricted --projects p1,p2`" in message
    assert "trust_password" not in message and "lxc" not in message


def test_lxd_token_with_projects_offers_the_password():
    with pytest.raises(SpecError) as caught:
        service._check_options({"type": "lxd", "trust_token": "x", "projects": ["p1"]})
    assert "`lxc config trust add --name NAME --restricted --projects p1,p2`" in str(caught.value)
    assert str(caught.value).endswith("or use trust_password")


def test_incus_trust_password_refusal_names_incus_commands():
    with pytest.raises(SpecError) as caught:
        dialect.refuse_trust_password({"type": "incus", "trust_password": "pw"})
    message = str(caught.value)
    assert caught.value.option == "trust_password"
    assert "`incus config trust add NAME`" in message and "`incus config trust add-certificate FILE`" in message
    assert "lxc" not in message


def test_both_spellings_have_the_same_keys():
    assert set(dialect.TRUST_WORDS) == set(lxd_certificates.TRUST_WORDS)
