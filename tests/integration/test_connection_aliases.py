# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connection options as other collections spell them, from the environment, and from lxc's own directories.

Tasks as written for community.libvirt.virt (``uri``) and community.general.lxd_container (``url``,
``cert_file``/``key_file``, the client pair in ``~/.config/lxc``) run against the real libvirtd and LXD; the
VMFLEET_* variables and LIBVIRT_DEFAULT_URI are set with the task's ``environment`` keyword, as a play would.
"""

from __future__ import annotations

import shutil

import pytest
from lxd_support import HTTPS_ADDRESS, server_fingerprint, trust_record, trust_token
from test_lxd_connection import openssl_pair

from playbook_runner import play

pytestmark = pytest.mark.integration

INFO = "vmfleet.hosts.vm_host_info"
SOCKET = "unix:/var/lib/lxd/unix.socket"
# nothing listens on port 1: a connection there fails fast, which shows which address was used
NOWHERE = "qemu+tcp://127.0.0.1:1/system"


def info(name: str, environment: dict | None = None, **options) -> dict:
    task = {"name": name, INFO: options, "ignore_errors": True}
    if environment:
        task["environment"] = environment
    return task


def ok(result: dict, host_type: str) -> None:
    assert not result.get("failed"), result.get("msg")
    assert result["host"]["type"] == host_type
    # an alias or a variable standing in for an option must not read as "both address and uri are set"
    assert not result.get("warnings"), result["warnings"]


def refused(result: dict, kind: str, *fragments: str) -> None:
    assert result.get("failed") and result.get("kind") == kind, result
    for fragment in fragments:
        assert fragment in result["msg"], result["msg"]


def lxc_dir(root, relative: str, pair: dict):
    """A copy of ``pair`` as lxc keeps its own: ``client.crt`` and ``client.key`` in ``root/relative``."""
    directory = root / relative
    directory.mkdir(parents=True)
    shutil.copy(pair["client_cert"], directory / "client.crt")
    shutil.copy(pair["client_key"], directory / "client.key")
    return directory


def test_libvirt_tasks_written_for_community_libvirt_and_the_environment(tmp_path, clean_libvirt):
    lxd_env = {"VMFLEET_SERVER_FINGERPRINT": "ab" * 32, "VMFLEET_CLIENT_CERT": "/x.crt", "VMFLEET_CLIENT_KEY": "/x.key"}
    results, proc = play(
        tmp_path,
        [
            info("uri", uri="qemu:///system"),
            {
                **info("uri by module_defaults"),
                "module_defaults": {"group/vmfleet.hosts.vmhost": {"uri": "qemu:///system"}},
            },
            info("env address", {"VMFLEET_ADDRESS": NOWHERE}),
            info("task over env", {"VMFLEET_ADDRESS": NOWHERE}, uri="qemu:///system"),
            info("libvirt default uri", {"LIBVIRT_DEFAULT_URI": NOWHERE}),
            info("env over libvirt default uri", {"LIBVIRT_DEFAULT_URI": NOWHERE, "VMFLEET_ADDRESS": "qemu:///system"}),
            info("lxd env ignored", lxd_env, uri="qemu:///system"),
            info("url for libvirt", url="qemu:///system"),
            info("bad env type", {"VMFLEET_TYPE": "container"}),
        ],
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for name in ("uri", "uri by module_defaults", "task over env", "env over libvirt default uri", "lxd env ignored"):
        ok(results[name], "libvirt")
    refused(results["env address"], "unreachable", NOWHERE)
    refused(results["libvirt default uri"], "unreachable", NOWHERE)
    refused(results["url for libvirt"], "bad_address", "url is community.general.lxd_container's name", "uri")
    refused(results["bad env type"], "bad_address", "VMFLEET_TYPE='container'")


def test_lxd_tasks_written_for_community_general_the_environment_and_lxc_pairs(tmp_path, clean_lxd):
    trusted = openssl_pair(tmp_path, "vmfleet-test-alias")
    newcomer = openssl_pair(tmp_path, "vmfleet-test-alias-new")
    real = server_fingerprint()
    general = {"cert_file": trusted["client_cert"], "key_file": trusted["client_key"]}
    home, snap_home, conf = tmp_path / "home", tmp_path / "snap-home", tmp_path / "lxd-conf"
    lxc_dir(home, ".config/lxc", trusted)
    lxc_dir(snap_home, "snap/lxd/common/config", trusted)
    lxc_dir(conf, ".", trusted)
    new_home = tmp_path / "new-home"
    lxc_dir(new_home, ".config/lxc", newcomer)
    empty_home = tmp_path / "empty-home"
    empty_home.mkdir()
    env = {"VMFLEET_ADDRESS": HTTPS_ADDRESS, "VMFLEET_SERVER_FINGERPRINT": real}
    token = trust_token("vmfleet-test-alias-token")

    results, proc = play(
        tmp_path,
        [
            # as community.general.lxd_container names them: the pair trusted over the socket, then used over HTTPS
            {"name": "trust", "vmfleet.hosts.lxd_trust": {"url": SOCKET, **general}, "ignore_errors": True},
            info("url and cert_file", url=HTTPS_ADDRESS, server_fingerprint=real, **general),
            info(
                "all from env",
                {**env, "VMFLEET_CLIENT_CERT": general["cert_file"], "VMFLEET_CLIENT_KEY": general["key_file"]},
            ),
            info("~/.config/lxc", {"HOME": str(home)}, url=HTTPS_ADDRESS, server_fingerprint=real),
            info("snap config", {"HOME": str(snap_home)}, url=HTTPS_ADDRESS, server_fingerprint=real),
            info(
                "LXD_CONF", {"LXD_CONF": str(conf), "HOME": str(empty_home)}, url=HTTPS_ADDRESS, server_fingerprint=real
            ),
            info("env and lxc pair", {**env, "HOME": str(home)}),
            info("no pair anywhere", {"HOME": str(empty_home)}, url=HTTPS_ADDRESS, server_fingerprint=real),
            info("socket ignores lxc pair", {"HOME": str(new_home)}, url=SOCKET),
            info("uri for lxd", uri=HTTPS_ADDRESS, server_fingerprint=real),
            {
                "name": "trust lxc pair by token",
                # no address: the token's own (https://) address, and lxc's pair in ~/.config/lxc
                "vmfleet.hosts.lxd_trust": {"trust_token": token},
                "environment": {"HOME": str(new_home)},
                "ignore_errors": True,
            },
            info("new pair works", {"HOME": str(new_home)}, url=HTTPS_ADDRESS, server_fingerprint=real),
            {
                "name": "lxc pair is not deleted unnamed",
                "vmfleet.hosts.lxd_trust": {"url": HTTPS_ADDRESS, "state": "absent", "remove_files": True},
                "environment": {"HOME": str(new_home)},
                "ignore_errors": True,
            },
        ],
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert not results["trust"].get("failed"), results["trust"].get("msg")
    assert trust_record(results["trust"]["fingerprint"]) is not None
    for name in ("url and cert_file", "all from env", "~/.config/lxc", "snap config", "LXD_CONF", "env and lxc pair"):
        ok(results[name], "lxd")
    ok(results["socket ignores lxc pair"], "lxd")
    refused(results["no pair anywhere"], "permission", "needs a client certificate and none was found", ".config/lxc")
    refused(results["uri for lxd"], "bad_address", "uri is community.libvirt's name", "url")

    joined = results["trust lxc pair by token"]
    assert not joined.get("failed"), joined.get("msg")
    assert joined["trusted"] and not joined["generated"]
    assert joined["certificate"].strip() == (new_home / ".config/lxc/client.crt").read_text().strip()
    ok(results["new pair works"], "lxd")
    kept = results["lxc pair is not deleted unnamed"]
    assert kept["failed"] and kept["option"] == "remove_files" and "lxc's own client pair" in kept["msg"]
    assert (new_home / ".config/lxc/client.crt").exists() and (new_home / ".config/lxc/client.key").exists()
