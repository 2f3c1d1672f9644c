# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Drift on the real LXD daemon, and on Incus 6.0 (marked incus: the same API, the same refusals): a custom volume
detached, then deleted, behind the collection's back (with the daemon's own client).

LXD refuses to delete a custom volume an instance has as a device ("The storage volume is still in use") and a
managed network an instance uses ("The network is currently in use"), both checked here, so on LXD a volume goes
missing only after its device was removed. The container stays stopped.
"""

from __future__ import annotations

import subprocess

import pytest
import yaml
from lxd_support import TEST_IMAGE, current, lxc, lxc_json, scrub

from playbook_runner import play

pytestmark = pytest.mark.integration

PROJECT = "vmfleet-test-drift"
POOL = "default"
NETWORK = "vmft-driftnet"


def defaults() -> dict:
    """The connection of the daemon under test (lxd_support.current())."""
    connection = {"type": current().type, "project": PROJECT}
    return {
        "vmfleet.hosts.vm_compose": {**connection, "shutdown_timeout": 10},
        "vmfleet.hosts.vm_host": connection,
        "vmfleet.hosts.vm_host_info": connection,
    }


IMAGE = {"boot": "image", "image": {"alias": TEST_IMAGE}, "instance_type": "container"}
GIB = 1024**3


@pytest.fixture
def drift_project(clean_lxd):
    yield
    scrub()  # the instances first: LXD keeps a network an instance still uses
    lxc("network", "delete", NETWORK, check=False)


def run(tmp_path, tasks):
    results, proc = play(tmp_path, tasks, timeout=300, module_defaults=defaults())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return results, proc


def vm_host():
    options = {
        "create_project": True,
        "default_storage_pool": POOL,
        "networks": [{"name": current().bridge, "default": True}],
    }
    return {"name": "vm host", "vmfleet.hosts.vm_host": options}


def compose(label, name, check_mode=False, **options):
    task = {"name": label, "vmfleet.hosts.vm_compose": {"name": name, **IMAGE, **options}, "ignore_errors": True}
    if check_mode:
        task["check_mode"] = True
    return task


def info(label):
    return {"name": label, "vmfleet.hosts.vm_host_info": {}}


def vm_of(result, name) -> dict:
    return next(vm for vm in result["host"]["vms"] if vm["name"] == name)


def pool_of(result) -> dict:
    return next(p for p in result["host"]["storage_pools"] if p["name"] == POOL)


def custom_volumes() -> dict:
    found = lxc_json("storage", "volume", "list", POOL, "--project", PROJECT)
    return {v["name"]: v for v in found if v["type"] == "custom"}


def devices(name) -> dict:
    return yaml.safe_load(lxc("config", "show", name, "--project", PROJECT))["devices"]


def warned(proc) -> str:
    lines = (proc.stdout + proc.stderr).split("[WARNING]")[1:]
    assert lines, "no warning was shown"
    return " ".join(" ".join(line.split()) for line in lines)


def refused(result, *words):
    assert result["failed"] is True and result["kind"] == "drift", result
    for word in words:
        assert word in result["msg"], result["msg"]


@pytest.mark.incus
def test_a_detached_then_deleted_volume_is_reported_refused_and_repaired_only_when_asked(tmp_path, drift_project):
    name = "vmft-drift-1"
    data = f"{name}-data"
    request = {"cores": 1, "memory": 128, "storage": "root:2,data:1"}
    results, _proc = run(tmp_path, [vm_host(), compose("create", name, **request), info("before")])
    assert results["create"]["created"] is True, results["create"]
    assert vm_of(results["before"], name)["drift"] == []
    before = pool_of(results["before"])
    size = int(custom_volumes()[data]["config"]["size"].rstrip("B"))

    # LXD refuses to delete a volume in use; detached, it is drift of its own
    proc = subprocess.run(
        [current().cli, "storage", "volume", "delete", POOL, data, "--project", PROJECT],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode != 0 and "still in use" in proc.stderr
    lxc("config", "device", "remove", name, "data", "--project", PROJECT)
    results, proc = run(tmp_path, [info("detached"), compose("detached refused", name, repair_drift=True, **request)])
    (finding,) = vm_of(results["detached"], name)["drift"]
    assert finding["kind"] == "volume_detached" and finding["what"] == f"{POOL}/{data}" and not finding["repairable"]
    refused(results["detached refused"], "repair_drift cannot repair", f"{POOL}/{data}")
    assert "data" not in devices(name)  # never re-attached behind the operator's back

    lxc("storage", "volume", "delete", POOL, data, "--project", PROJECT)
    results, proc = run(
        tmp_path,
        [
            info("missing"),
            compose("unrepaired", name, **request),
            compose("grow", name, cores=1, memory=128, storage="root:2,data:2"),
            compose("predict", name, check_mode=True, repair_drift=True, **request),
        ],
    )
    (finding,) = vm_of(results["missing"], name)["drift"]
    assert finding["kind"] == "volume_missing" and finding["what"] == f"{POOL}/{data}" and finding["repairable"]
    assert f"VM '{name}'" in warned(proc) and f"{POOL}/{data}" in warned(proc)
    # still counted (a dir pool counts a sized volume whole): the pool did not get its 1 GB back
    assert abs(pool_of(results["missing"])["used"] - before["used"]) < 256 * 1024**2
    assert {d["name"]: d["size"] for d in vm_of(results["missing"], name)["disks"]}["data"] == size
    refused(results["unrepaired"], f"{POOL}/{data}", "repair_drift: true")
    refused(results["grow"], f"{POOL}/{data}")
    assert results["predict"]["changed"] is True and results["predict"]["repaired"] == [f"{POOL}/{data}"]
    assert data not in custom_volumes() and "data" not in devices(name)

    results, _proc = run(
        tmp_path, [compose("repair", name, repair_drift=True, **request), compose("again", name, **request)]
    )
    repair = results["repair"]
    assert repair.get("failed") is not True and repair["changed"] is True, repair
    assert repair["repaired"] == [f"{POOL}/{data}"] and repair["vm"]["drift"] == []
    volume = custom_volumes()[data]
    assert volume["config"]["size"] == f"{size}B" and volume["content_type"] == "filesystem"
    assert devices(name)["data"] == {"type": "disk", "pool": POOL, "source": data, "path": "/mnt/data"}
    again = results["again"]
    assert again.get("failed") is not True and again["changed"] is False, again


@pytest.mark.incus
def test_lxd_refuses_to_delete_a_network_an_instance_uses(tmp_path, drift_project):
    lxc("network", "create", NETWORK, "ipv4.address=10.254.251.1/24", "ipv4.nat=false", "ipv6.address=none")
    name = "vmft-drift-net"
    request = {"cores": 1, "memory": 128, "storage": "root:2", "interfaces": f"eth0:network={NETWORK}"}
    results, _proc = run(tmp_path, [vm_host(), compose("create", name, **request)])
    assert results["create"]["created"] is True, results["create"]
    proc = subprocess.run([current().cli, "network", "delete", NETWORK], capture_output=True, text=True, check=False)
    assert proc.returncode != 0 and "in use" in proc.stderr  # so network drift cannot happen on LXD 5.0
    results, _proc = run(tmp_path, [info("info"), compose("again", name, **request)])
    assert vm_of(results["info"], name)["drift"] == []
    assert results["again"]["changed"] is False, results["again"]
    lxc("delete", "--force", "--project", PROJECT, name)
