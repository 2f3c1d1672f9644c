# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vm_compose's addresses and the vmfleet.hosts.vms inventory plugin against the real daemons.

A system container composed from the test image (it has sshd and python3) gets its address through
``wait_for_address``; ``ansible-inventory --list`` and ``--graph`` then show it in the groups its host, pool, zone,
tags, power state and type give, with that address as ansible_host, and a play reaches it there over SSH with a
key cloud-init installed. A libvirt VM composed by the collection is listed too (stopped: no address).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from lxd_support import TEST_IMAGE, lxc, lxc_json

from conftest import TEST_POOL_PREFIX, TEST_VM_PREFIX
from playbook_runner import play, playbook_env

pytestmark = pytest.mark.integration

PROJECT = "vmfleet-test-inventory"
VM = TEST_VM_PREFIX + "inv-"
LXD = {"type": "lxd", "project": PROJECT}
BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parents[2]
IMAGE = {"boot": "image", "image": {"alias": TEST_IMAGE}, "instance_type": "container"}


@pytest.fixture(autouse=True)
def test_image():
    if not any(a["name"] == TEST_IMAGE for a in lxc_json("image", "alias", "list")):
        subprocess.run(["bash", str(REPO / "tools" / "build_lxd_image.sh")], check=True, capture_output=True)


def task(name, module, options, **extra):
    return {"name": name, f"vmfleet.hosts.{module}": options, "ignore_errors": True, **extra}


def inventory(tmp_path, config: dict, *args) -> subprocess.CompletedProcess:
    source = tmp_path / "fleet.vmfleet_vms.yml"
    source.write_text(yaml.safe_dump({"plugin": "vmfleet.hosts.vms", **config}))
    return subprocess.run(
        [str(BIN / "ansible-inventory"), "-i", str(source), *args],
        env=playbook_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def plain(value):
    """ansible-inventory --list marks strings that came from outside as {"__ansible_unsafe": ...} (never templated)."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def listed(tmp_path, config: dict) -> dict:
    proc = inventory(tmp_path, config, "--list")
    assert proc.returncode == 0 and "Failed to parse" not in proc.stderr, proc.stderr
    return plain(json.loads(proc.stdout))


def members(data: dict, group: str) -> list:
    return data.get(group, {}).get("hosts", [])


def ssh_key(tmp_path) -> Path:
    key = tmp_path / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    return key


def test_container_reached_through_the_plugins_address(tmp_path, clean_lxd):
    web, off, foreign = VM + "web", VM + "off", VM + "foreign"
    key = ssh_key(tmp_path)
    user_data = {
        "users": [{"name": "vmft", "shell": "/bin/bash", "sudo": "ALL=(ALL) NOPASSWD:ALL", "ssh_authorized_keys": []}]
    }
    user_data["users"][0]["ssh_authorized_keys"] = [key.with_suffix(".pub").read_text().strip()]
    request = {
        "name": web,
        **IMAGE,
        "memory": 256,
        "storage": "root:2",
        "tags": ["frontend"],
        "interfaces": [{"name": "eth0", "network": "lxdbr0"}],
        "cloud_init": {"user_data": user_data},
        "state": "started",
        "wait_for_address": True,
        "address_timeout": 120,
    }
    started = time.monotonic()
    results, proc = play(
        tmp_path,
        [
            task(
                "vm host",
                "vm_host",
                {
                    "create_project": True,
                    "default_storage_pool": "default",
                    "networks": [{"name": "lxdbr0", "default": True}],
                    "pool": "web",
                    "zone": "az1",
                    # other tests' instances in other projects of this server count against it too
                    "cpu_over_commit_ratio": 10,
                },
            ),
            task("create", "vm_compose", request),
            task("again", "vm_compose", request),
            task("predict", "vm_compose", {**request, "name": VM + "never"}, check_mode=True),
            task("stopped wait", "vm_compose", {**request, "name": off, "state": "present"}),
        ],
        timeout=400,
        module_defaults={"vmfleet.hosts.vm_compose": LXD, "vmfleet.hosts.vm_host": LXD},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert not results["vm host"].get("failed"), results["vm host"]
    create, again = results["create"], results["again"]
    assert create["changed"] is True and create["power_state"] == "running", create
    inet = [a for a in create["addresses"] if a["family"] == "inet"]
    assert inet and inet[0]["interface"] == "eth0" and inet[0]["mac"] == create["vm"]["interfaces"][0]["mac"]
    address = inet[0]["address"]
    state = lxc_json("list", web, "--project", PROJECT)[0]["state"]["network"]["eth0"]["addresses"]
    assert address in [a["address"] for a in state]  # what LXD itself says
    assert not any(a["address"].startswith(("127.", "fe80:")) or a["address"] == "::1" for a in create["addresses"])
    assert again["changed"] is False and address in [a["address"] for a in again["addresses"]]
    # check mode never waits, and a VM it would create has no addresses
    predict = results["predict"]
    assert predict["changed"] is True and predict["created"] is True and predict["addresses"] == [], predict
    # a VM left shut off never gets an address: the wait fails at once, naming the option, with the VM made
    stopped = results["stopped wait"]
    assert stopped["failed"] is True and stopped["option"] == "wait_for_address", stopped
    assert "state: started" in stopped["msg"] and stopped["created"] is True and stopped["addresses"] == []
    assert time.monotonic() - started < 300

    lxc("init", TEST_IMAGE, foreign, "--project", PROJECT, "--storage", "default")  # not composed by the collection
    config = {
        "vm_hosts": [{**LXD, "name": "lxd-test"}],
        "compose": {
            "ansible_user": "'vmft'",
            "ansible_ssh_private_key_file": repr(str(key)),
            "ansible_ssh_common_args": "'-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null'",
            "ansible_python_interpreter": "'/usr/bin/python3'",
        },
        "keyed_groups": [{"key": "vmfleet_tags", "prefix": "role"}],
        "groups": {"small": "vmfleet_memory <= 512"},
    }
    data = listed(tmp_path, config)
    hostvars = data["_meta"]["hostvars"]
    assert sorted(hostvars) == [off, web], sorted(hostvars)  # the foreign container is not listed
    facts = hostvars[web]
    assert facts["ansible_host"] == address
    assert facts["vmfleet_addresses"] == create["addresses"]
    assert facts["vmfleet_memory"] == 256 and facts["vmfleet_cores"] == 1 and facts["vmfleet_pool"] == "web"
    assert facts["vmfleet_disks"] == [{"name": "root", "pool": "default", "size": 2000000000}]
    assert facts["vmfleet_host"] == "lxd-test" and facts["vmfleet_project"] == PROJECT
    assert facts["vmfleet_instance_type"] == "container" and facts["vmfleet_managed"] is True
    assert not any("client" in k or "key" in k for k in facts if k.startswith("vmfleet_"))
    assert "ansible_host" not in hostvars[off] and hostvars[off]["vmfleet_addresses"] == []
    for group in ("vmfleet_host_lxd_test", "vmfleet_pool_web", "vmfleet_zone_az1", "vmfleet_container", "small"):
        assert sorted(members(data, group)) == [off, web], group
    # both carry the tag: by the plugin's own tag groups and by a keyed group on the tags variable
    assert sorted(members(data, "vmfleet_tag_frontend")) == sorted(members(data, "role_frontend")) == [off, web]
    assert members(data, "vmfleet_running") == [web] and members(data, "vmfleet_stopped") == [off]

    unmanaged = listed(tmp_path, {**config, "include_unmanaged": True})["_meta"]["hostvars"]
    assert unmanaged[foreign]["vmfleet_managed"] is False

    graph = inventory(tmp_path, config, "--graph", "vmfleet_running")
    assert graph.returncode == 0, graph.stderr
    assert "@vmfleet_running:" in graph.stdout and f"|--{web}" in graph.stdout and off not in graph.stdout

    source = tmp_path / "fleet.vmfleet_vms.yml"
    playbook = tmp_path / "reach.yml"
    playbook.write_text(
        yaml.safe_dump(
            [
                {
                    "name": "from the controller, to the plugin's address",
                    "hosts": "localhost",
                    "connection": "local",
                    "gather_facts": False,
                    "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"},
                    "tasks": [
                        {
                            # a TCP connection to the container's sshd at the plugin's address (no ping here)
                            "name": "reach the address",
                            "ansible.builtin.wait_for": {
                                "host": f"{{{{ hostvars['{web}'].ansible_host }}}}",
                                "port": 22,
                                "timeout": 120,
                            },
                        }
                    ],
                },
                {
                    "name": "into the container, over SSH at ansible_host",
                    "hosts": "vmfleet_running",
                    "gather_facts": False,
                    "tasks": [
                        {"name": "sshd up", "ansible.builtin.wait_for_connection": {"timeout": 180}},
                        {
                            "name": "who",
                            "ansible.builtin.command": "hostname",
                            "register": "who",
                            "changed_when": False,
                        },
                        {"name": "named", "ansible.builtin.assert": {"that": [f"who.stdout == '{web}'"]}},
                    ],
                },
            ]
        )
    )
    reach = subprocess.run(
        [str(BIN / "ansible-playbook"), "-i", "localhost,", "-i", str(source), str(playbook)],
        env=playbook_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert reach.returncode == 0, reach.stdout + reach.stderr
    assert "ok=3" in reach.stdout and f"{web}" in reach.stdout


def test_libvirt_vm_listed_with_its_groups(tmp_path, pool_path, clean_libvirt):
    name = VM + "pxe"
    pool = TEST_POOL_PREFIX + "vms"
    results, proc = play(
        tmp_path,
        [
            task(
                "vm host",
                "vm_host",
                {
                    "default_storage_pool": pool,
                    "create_default_storage_pool": True,
                    "default_storage_pool_path": str(pool_path),
                    "networks": [{"name": "default", "default": True}],
                    "zone": "az2",
                },
            ),
            task(
                "create",
                "vm_compose",
                {"name": name, "cores": 1, "memory": 256, "storage": "root:1", "interfaces": "eth0:", "tags": ["pxe"]},
            ),
        ],
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert results["create"]["changed"] is True and results["create"]["addresses"] == [], results["create"]
    data = listed(tmp_path, {"vm_hosts": [{"address": "qemu:///system", "name": "kvm-test"}]})
    facts = data["_meta"]["hostvars"][name]
    assert facts["vmfleet_host_type"] == "libvirt" and facts["vmfleet_host_address"] == "qemu:///system"
    assert facts["vmfleet_power_state"] == "stopped" and facts["vmfleet_addresses"] == []
    assert "ansible_host" not in facts
    assert facts["vmfleet_instance_type"] == "virtual-machine" and facts["vmfleet_memory"] == 256
    assert facts["vmfleet_disks"] == [{"name": "root", "pool": pool, "size": 1000000512}]
    mac = results["create"]["vm"]["interfaces"][0]["mac"]
    assert [n["mac"] for n in facts["vmfleet_interfaces"]] == [mac]
    for group in ("vmfleet_host_kvm_test", "vmfleet_zone_az2", "vmfleet_tag_pxe", "vmfleet_stopped"):
        assert name in members(data, group), (group, data.get(group))
    assert name in members(data, "vmfleet_virtual_machine")
    graph = inventory(tmp_path, {"vm_hosts": [{"uri": "qemu:///system", "name": "kvm-test"}]}, "--graph")
    assert graph.returncode == 0 and "@vmfleet_host_kvm_test:" in graph.stdout and name in graph.stdout, graph.stderr
    # uri is libvirt's name: for an LXD host the plugin refuses it as the modules do
    wrong = inventory(tmp_path, {"vm_hosts": [{"uri": "/var/lib/lxd/unix.socket"}]}, "--list")
    assert "uri is community.libvirt's name" in wrong.stderr, wrong.stderr
