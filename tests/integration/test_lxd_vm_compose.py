# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vm_compose against the real LXD daemon: system containers from the test image really start.

Every claim is checked with the lxc client (config show --expanded, storage volume list, list, exec), not only
with our output. LXD here refuses virtual machines (no vhost_vsock), which is a tested error path of its own.
The tests work in their own project, so the host's capacity is what the tests make of it.
"""

from __future__ import annotations

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from lxd_support import TEST_IMAGE, lxc, lxc_json
from playbook_runner import play

pytestmark = pytest.mark.integration

PROJECT = "vmfleet-test-compose"
POOL = "default"
VM = "vmft-cmp-"
CONNECTION = {"type": "lxd", "project": PROJECT}
DEFAULTS = {"vmfleet.hosts.vm_compose": {**CONNECTION, "shutdown_timeout": 10}, "vmfleet.hosts.vm_host": CONNECTION}
REPO = Path(__file__).resolve().parents[2]
IMAGE = {"boot": "image", "image": {"alias": TEST_IMAGE}, "instance_type": "container"}


@pytest.fixture(autouse=True)
def test_image():
    """The test image must be there (the harness imports it; tools/build_lxd_image.sh re-imports it in a second)."""
    if not any(a["name"] == TEST_IMAGE for a in lxc_json("image", "alias", "list")):
        subprocess.run(["bash", str(REPO / "tools" / "build_lxd_image.sh")], check=True, capture_output=True)


def vm_host_task(**policy):
    options = {
        "create_project": True,
        "default_storage_pool": POOL,
        "networks": [{"name": "lxdbr0", "default": True}],
        **policy,
    }
    return {"name": "vm host", "vmfleet.hosts.vm_host": options, "ignore_errors": True}


def compose(name, label=None, check_mode=False, diff=False, **options):
    request = {"name": name, **IMAGE, **options}
    task = {"name": label or name, "vmfleet.hosts.vm_compose": request, "ignore_errors": True}
    if check_mode:
        task["check_mode"] = True
    if diff:
        task["diff"] = True
    return task


def run(tmp_path, tasks, *args, timeout=300):
    """The registered results of a play (tasks ignore their errors, so the play itself succeeds)."""
    results, proc = play(tmp_path, tasks, *args, timeout=timeout, module_defaults=DEFAULTS)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "vm host" not in results or not results["vm host"].get("failed"), results["vm host"]
    return results


def show(name) -> dict:
    return yaml.safe_load(lxc("config", "show", name, "--expanded", "--project", PROJECT))


def instances() -> dict:
    return {i["name"]: i for i in lxc_json("list", "--project", PROJECT) if i["name"].startswith(VM)}


def custom_volumes() -> list:
    found = lxc_json("storage", "volume", "list", POOL, "--project", PROJECT)
    return sorted(v["name"] for v in found if v["type"] == "custom" and v["name"].startswith(VM))


def in_guest(name, *command) -> str:
    return lxc("exec", name, "--project", PROJECT, "--", *command)


def wait_cloud_init(name):
    out = subprocess.run(
        ["lxc", "exec", name, "--project", PROJECT, "--", "cloud-init", "status", "--wait"],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    return out.stdout + out.stderr


def test_container_composes_with_cloud_init_and_is_idempotent(tmp_path, clean_lxd):
    name = VM + "basic"
    request = {
        "cores": 1,
        "memory": 256,
        "storage": "root:2,data:1",
        "interfaces": [{"name": "eth0", "network": "lxdbr0"}],
        "cloud_init": {"user_data": {"runcmd": ["echo composed > /root/marker"]}},
        "state": "started",
    }
    results = run(
        tmp_path,
        [
            vm_host_task(),
            compose(name, "check", **request, check_mode=True),
            compose(name, "create", **request),
            compose(name, "again", **request),
            compose(name, "again check", **request, check_mode=True),
        ],
    )
    check, create, again = results["check"], results["create"], results["again"]
    assert check["changed"] is True and check["created"] is True, check
    assert create["changed"] is True and create["created"] is True, create
    assert create["power_state"] == "running"
    assert again["changed"] is False, again
    assert results["again check"]["changed"] is False
    assert create["diff"]["before"] == {} and create["diff"]["after"]["request"]["name"] == name

    config = show(name)
    assert config["profiles"] == []
    assert config["config"]["limits.cpu"] == "1"
    assert config["config"]["limits.memory"] == "256MiB"
    assert config["devices"]["root"] == {"type": "disk", "path": "/", "pool": POOL, "size": "2000000000B"}
    assert config["devices"]["data"] == {
        "type": "disk",
        "pool": POOL,
        "source": f"{name}-data",
        "path": "/mnt/data",
    }
    eth0 = config["devices"]["eth0"]
    assert eth0["network"] == "lxdbr0" and eth0["hwaddr"] == create["vm"]["interfaces"][0]["mac"]
    assert eth0["hwaddr"].startswith("52:54:00:")
    stored = json.loads(config["config"]["user.vmfleet.request"])
    assert stored["request"]["name"] == name and stored["options"]["instance_type"] == "container"
    assert "runcmd" not in config["config"]["user.vmfleet.request"]  # only the digest of cloud-init is kept
    assert custom_volumes() == [f"{name}-data"]
    assert instances()[name]["status"] == "Running"

    assert "status: done" in wait_cloud_init(name)
    assert in_guest(name, "cat", "/root/marker").strip() == "composed"
    assert in_guest(name, "nproc").strip() == "1"
    assert "/mnt/data" in in_guest(name, "findmnt", "-n", "-o", "TARGET", "/mnt/data")
    assert create["vm"]["interfaces"][0]["mac"] in in_guest(name, "cat", "/sys/class/net/eth0/address")

    results = run(tmp_path, [compose(name, "absent", state="absent")])
    assert sorted(results["absent"]["removed_volumes"]) == [f"{POOL}/{name}-data", f"{POOL}/{name}-root"]
    assert name not in instances()
    assert custom_volumes() == []
