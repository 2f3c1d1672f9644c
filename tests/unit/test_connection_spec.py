# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection options: other collections' names as aliases, the environment, and the lxc client's pair.

Parameters go through Ansible's own ArgumentSpecValidator (what AnsibleModule runs) and then through
resolve_connection, so the aliases and the precedence are tested as a module sees them.
"""

from __future__ import annotations

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.vmfleet.hosts.plugins.module_utils.connection_resolution import resolve_connection
from ansible_collections.vmfleet.hosts.plugins.module_utils.connection_spec import (
    MUTUALLY_EXCLUSIVE,
    REQUIRED_TOGETHER,
    connection_argspec,
)
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.locations import (
    client_config_dirs,
    default_client_pair,
)

HTTPS = "https://lxd-01:8443"
FP = "01e6b0ae39553a5bbcbfb2157b497fa77c8d5f59242dbf865629ef15c132f2b3"


def validated(task: dict) -> dict:
    validator = ArgumentSpecValidator(
        connection_argspec(), mutually_exclusive=MUTUALLY_EXCLUSIVE, required_together=REQUIRED_TOGETHER
    )
    result = validator.validate(task)
    assert not result.error_messages, result.error_messages
    assert not result._warnings, result._warnings
    return result.validated_parameters


def resolved(task: dict, environ=None, files=(), default_type="libvirt") -> dict:
    return resolve_connection(
        validated(task), default_type, environ={"HOME": "/home/op", **(environ or {})}, exists=set(files).__contains__
    )


# ---- aliases ----


def test_uri_is_a_libvirt_address():
    assert resolved({"uri": "qemu+ssh://root@kvm-01/system"})["address"] == "qemu+ssh://root@kvm-01/system"
    assert resolved({"uri": "qemu+ssh://root@kvm-01/system"})["type"] == "libvirt"


@pytest.mark.parametrize("task", [{"uri": HTTPS}, {"uri": "/var/lib/lxd/unix.socket"}, {"uri": "x", "type": "lxd"}])
def test_uri_for_an_lxd_host_is_refused_with_the_reason(task):
    with pytest.raises(DriverError, match="uri is community.libvirt's name for a libvirt URI") as caught:
        resolved(task)
    assert caught.value.kind == "bad_address"
    assert "url" in caught.value.message


def test_url_is_an_lxd_address():
    for url in (HTTPS, "unix:/var/lib/lxd/unix.socket"):
        assert resolved({"url": url})["type"] == "lxd"
        assert resolved({"url": url})["address"] == url


@pytest.mark.parametrize("task", [{"url": "qemu:///system"}, {"url": HTTPS, "type": "libvirt"}])
def test_url_for_a_libvirt_host_is_refused_with_the_reason(task):
    with pytest.raises(DriverError, match="url is community.general.lxd_container's name for an LXD address"):
        resolved(task)


def test_url_without_an_address_is_fine_for_lxd_trust():
    # lxd_trust only talks to LXD (default_type): nothing there names libvirt
    assert resolved({}, default_type="lxd")["type"] == "lxd"
    with pytest.raises(DriverError, match="uri is community.libvirt's name"):
        resolved({"uri": HTTPS}, default_type="lxd")


def test_power_address_stays_for_both():
    assert resolved({"power_address": "qemu:///system"})["type"] == "libvirt"
    assert resolved({"power_address": HTTPS})["type"] == "lxd"


def test_community_general_pair_names():
    got = resolved({"url": HTTPS, "cert_file": "/etc/c.crt", "key_file": "/etc/c.key"})
    assert (got["client_cert"], got["client_key"]) == ("/etc/c.crt", "/etc/c.key")


def test_cert_file_without_key_file_is_refused_by_ansible():
    validator = ArgumentSpecValidator(connection_argspec(), required_together=REQUIRED_TOGETHER)
    assert validator.validate({"cert_file": "/etc/c.crt"}).error_messages


# ---- environment ----


def test_environment_fills_what_the_task_leaves_out():
    env = {"VMFLEET_ADDRESS": HTTPS, "VMFLEET_PROJECT": "vms", "VMFLEET_SERVER_FINGERPRINT": FP}
    env.update(VMFLEET_CLIENT_CERT="~/c.crt", VMFLEET_CLIENT_KEY="$HOME/c.key")
    got = resolved({}, env)
    assert got["address"] == HTTPS and got["type"] == "lxd" and got["project"] == "vms"
    assert got["server_fingerprint"] == FP
    assert got["client_key"].endswith("/c.key") and "$HOME" not in got["client_key"]
    assert not got["client_cert"].startswith("~")


def test_the_task_wins_over_the_environment():
    env = {"VMFLEET_ADDRESS": HTTPS, "VMFLEET_PROJECT": "vms", "VMFLEET_TYPE": "lxd"}
    got = resolved({"uri": "qemu:///system", "type": "libvirt", "project": "default"}, env)
    assert (got["address"], got["type"], got["project"]) == ("qemu:///system", "libvirt", "default")


def test_a_pair_comes_from_one_place():
    env = {"VMFLEET_SERVER_FINGERPRINT": FP, "VMFLEET_CLIENT_KEY": "/env/c.key"}
    got = resolved({"address": HTTPS, "server_cert": "/etc/s.crt"}, env)
    assert got["server_cert"] == "/etc/s.crt" and got["server_fingerprint"] is None


def test_a_bad_type_in_the_environment_names_the_variable():
    with pytest.raises(DriverError, match="VMFLEET_TYPE='container' is not a VM host type"):
        resolved({}, {"VMFLEET_TYPE": "container"})


def test_lxd_settings_in_the_environment_do_not_reach_a_libvirt_host():
    env = {"VMFLEET_CLIENT_CERT": "/c.crt", "VMFLEET_CLIENT_KEY": "/c.key", "VMFLEET_SERVER_FINGERPRINT": FP}
    got = resolved({"address": "qemu:///system"}, env)
    assert got["client_cert"] is None and got["client_key"] is None and got["server_fingerprint"] is None


def test_libvirt_default_uri_is_below_the_options_and_only_for_libvirt():
    env = {"LIBVIRT_DEFAULT_URI": "qemu+ssh://root@kvm-02/system"}
    assert resolved({}, env)["address"] == "qemu+ssh://root@kvm-02/system"
    assert resolved({"uri": "qemu:///system"}, env)["address"] == "qemu:///system"
    assert resolved({}, {**env, "VMFLEET_ADDRESS": "qemu:///session"})["address"] == "qemu:///session"
    assert resolved({"type": "lxd"}, env)["address"] is None  # the local LXD socket
    assert resolved({}, env, default_type="lxd")["address"] is None


def test_defaults_without_options_or_environment():
    got = resolved({})
    assert (got["address"], got["type"], got["project"]) == (None, "libvirt", "default")


# ---- the lxc client's own pair ----

LXC = ("/home/op/.config/lxc/client.crt", "/home/op/.config/lxc/client.key")
SNAP = ("/home/op/snap/lxd/common/config/client.crt", "/home/op/snap/lxd/common/config/client.key")


def test_lxc_pair_is_used_over_https_when_nothing_is_given():
    got = resolved({"address": HTTPS}, files=LXC + SNAP)
    assert (got["client_cert"], got["client_key"]) == LXC
    got = resolved({"address": HTTPS}, files=SNAP)
    assert (got["client_cert"], got["client_key"]) == SNAP


def test_lxd_conf_is_the_only_place_when_set():
    conf = ("/srv/lxc/client.crt", "/srv/lxc/client.key")
    assert client_config_dirs({"LXD_CONF": "/srv/lxc", "HOME": "/home/op"}) == ["/srv/lxc"]
    got = resolved({"address": HTTPS}, {"LXD_CONF": "/srv/lxc"}, files=conf + LXC)
    assert (got["client_cert"], got["client_key"]) == conf
    assert resolved({"address": HTTPS}, {"LXD_CONF": "/srv/lxc"}, files=LXC)["client_cert"] is None


def test_a_lone_file_is_no_pair():
    assert default_client_pair({"HOME": "/home/op"}, exists={LXC[0], SNAP[1]}.__contains__) is None


def test_lxc_pair_is_below_the_options_and_the_environment():
    mine = {"client_cert": "/etc/c.crt", "client_key": "/etc/c.key"}
    assert resolved({"address": HTTPS, **mine}, files=LXC)["client_cert"] == "/etc/c.crt"
    env = {"VMFLEET_CLIENT_CERT": "/env/c.crt", "VMFLEET_CLIENT_KEY": "/env/c.key"}
    assert resolved({"address": HTTPS}, env, files=LXC)["client_cert"] == "/env/c.crt"


@pytest.mark.parametrize("address", [None, "/var/lib/lxd/unix.socket", "qemu:///system"])
def test_lxc_pair_is_never_used_off_https(address):
    task = {"address": address} if address else {"type": "lxd"}
    got = resolved(task, files=LXC)
    assert got["client_cert"] is None and got["client_key"] is None


def test_no_address_counts_as_https_only_when_the_caller_says_so():
    # lxd_trust with a trust token and no address goes to the token's https:// address
    task = validated({})
    environ = {"HOME": "/home/op"}
    plain = resolve_connection(task, "lxd", environ=environ, exists=set(LXC).__contains__)
    token = resolve_connection(task, "lxd", environ=environ, exists=set(LXC).__contains__, https_without_address=True)
    assert plain["client_cert"] is None
    assert (token["client_cert"], token["client_key"]) == LXC
    over_socket = resolve_connection(
        validated({"url": "unix:/var/lib/lxd/unix.socket"}), "lxd", environ, set(LXC).__contains__, True
    )
    assert over_socket["client_cert"] is None
