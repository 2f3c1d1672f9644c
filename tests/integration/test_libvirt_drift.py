# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Drift on the real libvirtd: a volume deleted and a network undefined behind the collection's back (virsh).

The VMs stay shut off. The volume test runs on a tmpfs pool, so the pool's figures are exact and whether the
deleted volume is still counted can be told to the byte (qcow2 rounds a volume up by at most one 512-byte sector).
"""

from __future__ import annotations

import pytest
from small_fs import tmpfs

from conftest import POOL_ROOT, TEST_NETWORK, TEST_POOL_PREFIX, TEST_VM_PREFIX, virsh, volume_names
from playbook_runner import play

pytestmark = pytest.mark.integration

POOL = TEST_POOL_PREFIX + "drift"
MIB = 1024 * 1024
DEFAULTS = {"vmfleet.hosts.vm_compose": {"cpu_disabled_features": ["arch-capabilities"]}}
SECTOR = 512


@pytest.fixture
def small_pool(clean_libvirt):
    """A 64 MiB tmpfs for the pool; the test's VMs and pool go before it is unmounted, even on failure."""
    with tmpfs(POOL_ROOT, 64) as mount:
        try:
            yield mount / "pool"
        finally:
            for name in virsh("list", "--all", "--name", check=False).split():
                if name.startswith(TEST_VM_PREFIX):
                    virsh("undefine", name, "--nvram", check=False)
            if POOL in virsh("pool-list", "--all", "--name", check=False).split():
                for volume in volume_names(POOL):
                    virsh("vol-delete", volume, "--pool", POOL, check=False)
                virsh("pool-destroy", POOL, check=False)
                virsh("pool-undefine", POOL, check=False)


def run(tmp_path, tasks):
    results, proc = play(tmp_path, tasks, timeout=300, module_defaults=DEFAULTS)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return results, proc


def vm_host(pool_dir):
    options = {
        "default_storage_pool": POOL,
        "create_default_storage_pool": True,
        "default_storage_pool_path": str(pool_dir),
    }
    return {"name": "vm host", "vmfleet.hosts.vm_host": options}


def compose(label, name, check_mode=False, **options):
    task = {"name": label, "vmfleet.hosts.vm_compose": {"name": name, **options}, "ignore_errors": True}
    if check_mode:
        task["check_mode"] = True
    return task


def info(label="info"):
    return {"name": label, "vmfleet.hosts.vm_host_info": {}}


def warned(proc) -> str:
    """The warnings ansible-playbook printed (the drift warnings of vm_host_info among them)."""
    lines = (proc.stdout + proc.stderr).replace("\n", " ").split("[WARNING]")[1:]
    assert lines, "no warning was shown"
    return " ".join(" ".join(line.split()) for line in lines)


def capacity(volume: str) -> int:
    lines = virsh("vol-info", volume, "--pool", POOL, "--bytes").splitlines()
    return int(dict(line.split(":", 1) for line in lines if ":" in line)["Capacity"].split()[0])


def pool_of(result) -> dict:
    return next(p for p in result["host"]["storage_pools"] if p["name"] == POOL)


def vm_of(result, name) -> dict:
    return next(vm for vm in result["host"]["vms"] if vm["name"] == name)


def test_a_deleted_data_volume_is_reported_refused_and_repaired_only_when_asked(tmp_path, small_pool):
    name = TEST_VM_PREFIX + "drift"
    data = f"{name}-data"
    request = {"cores": 1, "memory": 128, "disks": [{"name": "root", "size": "8M"}, {"name": "data", "size": "16M"}]}
    results, _proc = run(tmp_path, [vm_host(small_pool), compose("create", name, **request), info("before")])
    assert results["create"]["created"] is True, results["create"]
    asked = {d["name"]: d["size"] for d in results["create"]["vm"]["disks"]}
    assert vm_of(results["before"], name)["drift"] == []
    before = pool_of(results["before"])

    virsh("vol-delete", data, "--pool", POOL)  # behind the collection's back
    assert data not in volume_names(POOL)

    grown = {"cores": 1, "memory": 128, "disks": [{"name": "root", "size": "8M"}, {"name": "data", "size": "20M"}]}
    results, proc = run(
        tmp_path,
        [
            info("after"),
            compose("unrepaired", name, **request),
            compose("grow", name, **grown),
            compose("predict", name, check_mode=True, repair_drift=True, **request),
        ],
    )
    after = results["after"]
    (finding,) = vm_of(after, name)["drift"]
    assert finding["kind"] == "volume_missing" and finding["what"] == f"{POOL}/{data}" and finding["repairable"]
    assert f"volume {POOL}/{data} (disk 'data') is gone" in finding["detail"]
    # the warning names the VM and the volume
    shown = warned(proc)
    assert f"VM '{name}'" in shown and f"{POOL}/{data}" in shown
    # still counted: the pool's figures are what they were with the volume (not 16M freed), and so is the disk
    assert abs(pool_of(after)["used"] - before["used"]) <= SECTOR
    assert abs(pool_of(after)["available"] - before["available"]) <= SECTOR
    assert {d["name"]: d["size"] for d in vm_of(after, name)["disks"]}["data"] == asked["data"]

    unrepaired = results["unrepaired"]
    assert unrepaired["failed"] is True and unrepaired["kind"] == "drift", unrepaired
    assert f"{POOL}/{data}" in unrepaired["msg"] and "repair_drift: true" in unrepaired["msg"]
    grow = results["grow"]
    assert grow["failed"] is True and grow["kind"] == "drift" and f"{POOL}/{data}" in grow["msg"], grow
    assert "not found" not in grow["msg"].lower()
    predict = results["predict"]
    assert predict.get("failed") is not True and predict["changed"] is True, predict
    assert predict["repaired"] == [f"{POOL}/{data}"]
    assert data not in volume_names(POOL)  # refusals and check mode made nothing

    results, _proc = run(
        tmp_path,
        [
            compose("repair", name, repair_drift=True, **request),
            compose("again", name, **request),
            info("repaired"),
        ],
    )
    repair = results["repair"]
    assert repair.get("failed") is not True and repair["changed"] is True, repair
    assert repair["repaired"] == [f"{POOL}/{data}"] and repair["vm"]["drift"] == []
    assert data in volume_names(POOL)
    assert 0 <= capacity(data) - asked["data"] <= SECTOR
    fmt = virsh("vol-dumpxml", data, "--pool", POOL)
    assert "<format type='qcow2'/>" in fmt
    again = results["again"]
    assert again.get("failed") is not True and again["changed"] is False, again
    assert vm_of(results["repaired"], name)["drift"] == []


def test_a_volume_removed_from_the_pools_directory_is_not_taken_for_unchanged(tmp_path, small_pool):
    """The unchanged run reads only this VM's volumes and never refreshes the pool: libvirt must still find a file
    removed behind its back (rm, not virsh), which its pool listing would keep until a refresh."""
    name = TEST_VM_PREFIX + "driftrm"
    data = f"{name}-data"
    request = {"cores": 1, "memory": 128, "disks": [{"name": "root", "size": "8M"}, {"name": "data", "size": "16M"}]}
    results, _proc = run(
        tmp_path, [vm_host(small_pool), compose("create", name, **request), compose("same", name, **request)]
    )
    assert results["create"]["created"] is True, results["create"]
    assert results["same"].get("failed") is not True and results["same"]["changed"] is False, results["same"]

    (small_pool / data).unlink()  # behind libvirt's back: its pool still lists the volume until refreshed

    results, _proc = run(tmp_path, [compose("unchanged?", name, **request)])
    refused = results["unchanged?"]
    assert refused["failed"] is True and refused["kind"] == "drift", refused
    assert f"{POOL}/{data}" in refused["msg"]


def test_a_gone_network_is_refused_even_with_repair(tmp_path, small_pool):
    net = tmp_path / "net.xml"
    net.write_text(f"<network><name>{TEST_NETWORK}</name><ip address='10.254.253.1' prefix='24'/></network>")
    virsh("net-define", str(net))  # defined, never started: the VM stays shut off
    name = TEST_VM_PREFIX + "netdrift"
    request = {"cores": 1, "memory": 128, "disks": [{"size": "8M"}], "interfaces": f"eth0:network={TEST_NETWORK}"}
    results, _proc = run(tmp_path, [vm_host(small_pool), compose("create", name, **request)])
    assert results["create"]["created"] is True, results["create"]

    virsh("net-undefine", TEST_NETWORK)
    before = virsh("dumpxml", "--inactive", name)
    results, proc = run(
        tmp_path,
        [info(), compose("unrepaired", name, **request), compose("repair", name, repair_drift=True, **request)],
    )
    (finding,) = vm_of(results["info"], name)["drift"]
    assert finding == {
        "kind": "network_missing",
        "what": TEST_NETWORK,
        "detail": finding["detail"],
        "repairable": False,
    }
    assert f"NIC 'eth0' is on network '{TEST_NETWORK}', which no longer exists" in finding["detail"]
    assert f"VM '{name}'" in warned(proc) and TEST_NETWORK in warned(proc)
    for label in ("unrepaired", "repair"):
        refused = results[label]
        assert refused["failed"] is True and refused["kind"] == "drift" and TEST_NETWORK in refused["msg"], refused
    assert "repair_drift cannot repair" in results["repair"]["msg"]
    assert virsh("dumpxml", "--inactive", name) == before  # nothing touched

    # a drifted VM can still be removed, volumes and all
    results, _proc = run(tmp_path, [compose("absent", name, state="absent")])
    assert results["absent"]["changed"] is True and results["absent"]["removed_volumes"] == [f"{POOL}/{name}-root"]
    assert name not in virsh("list", "--all", "--name").split() and volume_names(POOL) == []


def test_a_pinned_core_the_host_does_not_have_is_refused(tmp_path, small_pool):
    name = TEST_VM_PREFIX + "coredrift"
    request = {"cores": 1, "pinned_cores": [0], "memory": 128, "disks": [{"size": "8M"}]}
    results, _proc = run(tmp_path, [vm_host(small_pool), compose("create", name, **request)])
    assert results["create"]["created"] is True, results["create"]
    # the core it was pinned to is gone: redefined by hand onto a core id this host does not have
    missing = int(virsh("nodeinfo").split("CPU(s):")[1].split()[0]) + 60
    xml = tmp_path / "dom.xml"
    xml.write_text(virsh("dumpxml", "--inactive", name).replace("cpuset='0'", f"cpuset='{missing}'"))
    virsh("define", str(xml))
    results, proc = run(tmp_path, [info(), compose("refused", name, repair_drift=True, **request)])
    (finding,) = vm_of(results["info"], name)["drift"]
    assert finding["kind"] == "core_missing" and finding["what"] == str(missing) and not finding["repairable"]
    assert f"VM '{name}'" in warned(proc)
    refused = results["refused"]
    assert refused["failed"] is True and refused["kind"] == "drift" and f"core {missing}" in refused["msg"], refused
