# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where Incus differs from LXD (drivers/incus/dialect.py) and how the driver, factory and trust apply it."""

from __future__ import annotations

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.connection_resolution import resolve_connection
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers import factory
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.contract import ComposePlan
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.incus import dialect
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.incus.driver import IncusDriver, _incus_words
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.driver import LxdDriver
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError
from ansible_collections.vmfleet.hosts.plugins.module_utils.trust.service import TrustRun


def test_socket_is_incus_own_and_incus_dir_comes_first():
    assert dialect.socket_candidates({}) == ["/var/lib/incus/unix.socket"]
    assert dialect.socket_candidates({"INCUS_DIR": "/srv/incus"})[0] == "/srv/incus/unix.socket"
    assert dialect.local_socket({}, exists=lambda path: True) == "/var/lib/incus/unix.socket"


def test_missing_socket_names_incus_and_never_falls_back_to_lxd():
    with pytest.raises(DriverError) as raised:
        dialect.local_socket({}, exists=lambda path: path.startswith("/var/lib/lxd"))
    assert raised.value.kind == "unreachable"
    assert "/var/lib/incus/unix.socket" in raised.value.message and "incusd" in raised.value.message


def test_client_pair_directory_is_the_incus_clients():
    assert dialect.client_config_dirs({"HOME": "/home/op"}) == ["/home/op/.config/incus"]
    assert dialect.client_config_dirs({"INCUS_CONF": "/etc/inc", "HOME": "/h"}) == ["/etc/inc"]


def test_https_incus_host_takes_the_incus_clients_pair_not_lxcs():
    found = {"/h/.config/incus/client.crt", "/h/.config/incus/client.key", "/h/.config/lxc/client.crt"}
    found |= {"/h/.config/lxc/client.key"}
    params = {"address": "https://127.0.0.1:8444", "type": "incus"}
    resolved = resolve_connection(params, environ={"HOME": "/h"}, exists=found.__contains__)
    assert resolved["client_cert"] == "/h/.config/incus/client.crt"
    lxd = resolve_connection({"address": "https://127.0.0.1:8443"}, environ={"HOME": "/h"}, exists=found.__contains__)
    assert lxd["client_cert"] == "/h/.config/lxc/client.crt"


@pytest.mark.parametrize(
    ("nodes", "value"), [([1], "1"), ([1, 0], "0,1"), ([], None), (None, None)], ids=["one", "two", "none", "unset"]
)
def test_numa_binding_key(nodes, value):
    assert dialect.numa_limits({"numanode_set": nodes}) == {"limits.cpu.nodes": value}


def test_trust_password_is_refused_naming_the_option_without_showing_it():
    with pytest.raises(SpecError) as raised:
        dialect.refuse_trust_password({"trust_password": "s3cret"})
    assert raised.value.option == "trust_password"
    assert "s3cret" not in str(raised.value) and "trust_token" in str(raised.value)
    dialect.refuse_trust_password({"trust_password": None})  # not given: nothing to refuse


def test_lxd_trust_refuses_a_password_for_an_incus_host_before_connecting():
    with pytest.raises(SpecError) as raised:
        TrustRun({"type": "incus", "trust_password": "pw", "trust_token": None, "address": None}, False)
    assert raised.value.option == "trust_password" and "Incus has no trust password" in str(raised.value)


def test_lxd_trust_without_address_goes_to_the_incus_socket(monkeypatch):
    monkeypatch.setattr(dialect, "local_socket", lambda: "/var/lib/incus/unix.socket")
    run = TrustRun({"type": "incus", "trust_token": None, "address": None, "state": "present"}, False)
    assert run.endpoint == "/var/lib/incus/unix.socket" and run.over_socket


def test_factory_knows_incus_by_type_and_by_its_socket():
    assert "incus" in factory.TYPES
    assert factory.infer_type("/var/lib/incus/unix.socket") == "incus"
    assert factory.infer_type("unix:/var/lib/incus/unix.socket") == "incus"
    assert factory.infer_type("/var/lib/lxd/unix.socket") == "lxd"
    assert factory.infer_type("https://127.0.0.1:8444") == "lxd"  # the API cannot be told apart: type: incus
    assert factory.infer_type("qemu:///system") == "libvirt"


def _driver():
    driver = object.__new__(IncusDriver)  # no daemon: only the planning hooks are under test
    return driver


def test_new_instance_is_bound_to_the_chosen_numa_node(monkeypatch):
    # the LXD driver's plan as the contract gives it: the request body is the plan's private part
    monkeypatch.setattr(
        LxdDriver, "plan_new", lambda self, *a: ComposePlan(name="x", private={"body": {"config": {"limits.cpu": "2"}}})
    )
    plan = _driver().plan_new(None, {"numanode_set": [1]}, {}, {})
    assert plan.private["body"]["config"] == {"limits.cpu": "2", "limits.cpu.nodes": "1"}
    unplaced = _driver().plan_new(None, {"numanode_set": []}, {}, {})
    assert "limits.cpu.nodes" not in unplaced.private["body"]["config"]


def test_update_sets_or_removes_the_numa_binding(monkeypatch):
    monkeypatch.setattr(
        LxdDriver, "plan_update", lambda self, *a: ComposePlan(name="x", private={"config": {"limits.cpu": "1"}})
    )
    bound = _driver().plan_update(None, {"numanode_set": [0]}, {}, {}, [], None)
    assert bound.private["config"]["limits.cpu.nodes"] == "0"
    removed = _driver().plan_update(None, {"numanode_set": []}, {}, {}, [], None)
    assert "limits.cpu.nodes" in removed.private["config"] and removed.private["config"]["limits.cpu.nodes"] is None


def test_inventory_says_incus(monkeypatch):
    class Found:
        record = {"type": "lxd"}

    monkeypatch.setattr(LxdDriver, "inventory", lambda self, policy=None, empty_project=False: Found())
    assert _driver().inventory().record["type"] == "incus"


def test_vms_refused_in_incus_words(monkeypatch):
    driver = _driver()
    driver.address = "/var/lib/incus/unix.socket"

    class Client:
        host_info = {"environment": {"driver": "lxc", "server_name": "h1"}}

    driver.client = Client()
    with pytest.raises(DriverError) as raised:
        driver.check_image({}, {"instance_type": "virtual-machine", "image": None})
    assert raised.value.kind == "hypervisor"
    assert raised.value.message.startswith("Incus on h1 cannot run virtual machines")
    assert "instance_type: container" in raised.value.message


def test_connection_messages_use_incus_names():
    text = _incus_words("get it trusted first (vmfleet.hosts.lxd_trust with a trust token or password); `lxc info`")
    assert "password" not in text and "`incus info`" in text


def test_token_join_uses_the_field_it_is_given(monkeypatch):
    from ansible_collections.vmfleet.hosts.plugins.module_utils.trust import lxd_certificates  # noqa: PLC0415

    sent = []

    class Certificates:
        def post(self, json):
            sent.append(json)

    class Client:
        host_info = {"api_extensions": []}  # Incus 6.0.4 lists no explicit_trust_token

        class api:  # noqa: N801 - pylxd's attribute name
            certificates = Certificates()

    lxd_certificates.join(Client(), "trust_token", "tok", token_field=dialect.TOKEN_FIELD)
    lxd_certificates.join(Client(), "trust_token", "tok")  # LXD 5.0 without the extension: the old field
    assert sent == [{"type": "client", "trust_token": "tok"}, {"type": "client", "password": "tok"}]
