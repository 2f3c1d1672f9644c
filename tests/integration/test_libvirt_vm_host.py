# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vm_host and vm_host_info against the real libvirtd (qemu:///system) and libvirt's test driver.

Assertions are made with virsh and jq, clients we did not write, not only with our own output.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import TEST_POOL_PREFIX, virsh
from playbook_runner import play

pytestmark = pytest.mark.integration

POOL = TEST_POOL_PREFIX + "images"
MAAS_POOL_QUERY = (
    '(["NAME","TYPE","PATH","TOTAL","USED","AVAIL"]), '
    "(.storage_pools[] | [.name, .type, .path, .total, .used, .available]) | @tsv"
)


def task(name, module, **options):
    return {"name": name, f"vmfleet.hosts.{module}": options, "ignore_errors": True}


def test_info_reads_the_real_host_as_virsh_sees_it(tmp_path, clean_libvirt):
    results, proc = play(tmp_path, [task("info", "vm_host_info")])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    info = results["info"]
    assert info["changed"] is False and info["registered"] is False
    host = info["host"]
    assert host["type"] == "libvirt" and host["cpu_over_commit_ratio"] == 1.0
    nodeinfo = dict(line.split(":", 1) for line in virsh("nodeinfo").splitlines() if ":" in line)
    assert host["total"]["cores"] == int(nodeinfo["CPU(s)"])
    assert len(host["numa"]) == int(nodeinfo["NUMA cell(s)"])
    capabilities_kib = virsh("capabilities").split("<memory unit='KiB'>")[1].split("<")[0]
    assert host["numa"][0]["memory"]["total"] == int(capabilities_kib) // 1024
    pools = set(virsh("pool-list", "--all", "--name").split()) - {"vmfleet"}
    assert {p["name"] for p in host["storage_pools"]} == pools
    networks = set(virsh("net-list", "--all", "--name").split())
    assert networks <= {i["name"] for i in host["interfaces"] if i["type"] == "network"}


def test_maas_pool_table_query_runs_unchanged_on_the_record(tmp_path, clean_libvirt):
    results, proc = play(
        tmp_path,
        [
            task(
                "pool",
                "vm_host",
                default_storage_pool=POOL,
                create_default_storage_pool=True,
                default_storage_pool_path=str(tmp_path / "images"),
            )
        ],
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    record = tmp_path / "host.json"
    record.write_text(json.dumps(results["pool"]["host"]))
    table = subprocess.run(["jq", "-r", MAAS_POOL_QUERY, str(record)], capture_output=True, text=True, check=True)
    rows = [line.split("\t") for line in table.stdout.splitlines()]
    assert rows[0] == ["NAME", "TYPE", "PATH", "TOTAL", "USED", "AVAIL"]
    ours = [row for row in rows[1:] if row[0] == POOL]
    assert ours and ours[0][1] == "dir" and ours[0][2] == str(tmp_path / "images")
    capacity = [line.split() for line in virsh("pool-info", POOL, "--bytes").splitlines()]
    assert int(ours[0][3]) == int({c[0]: c[1] for c in capacity}["Capacity:"])


def test_policy_is_stored_on_the_host_idempotent_with_check_and_diff(tmp_path, clean_libvirt):
    policy = {
        "cpu_over_commit_ratio": 4,
        "memory_over_commit_ratio": 1.5,
        "reserved": {"cores": 1, "memory": "512M"},
        "zone": "az1",
        "tags": ["ssd"],
        "networks": [{"name": "default", "spaces": ["mgmt"], "subnets": ["192.168.122.0/24"], "default": True}],
        "default_storage_pool": POOL,
        "create_default_storage_pool": True,
        "default_storage_pool_path": str(tmp_path / "images"),
    }
    results, proc = play(
        tmp_path,
        [
            task("first", "vm_host", **policy),
            task("again", "vm_host", **policy),
            {**task("check", "vm_host", cpu_over_commit_ratio=2), "check_mode": True, "diff": True},
            task("read", "vm_host_info"),
            {**task("change", "vm_host", cpu_over_commit_ratio=2), "diff": True},
            task("read after", "vm_host_info"),
        ],
        "--diff",
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    first, again = results["first"], results["again"]
    assert first["changed"] is True and again["changed"] is False
    assert first["policy"]["reserved"] == {"cores": 1, "memory": 512}
    host = first["host"]
    assert host["zone"] == "az1" and host["tags"] == ["ssd"] and host["default_storage_pool"] == POOL
    assert host["total"]["vcpus"] == host["total"]["cores"] * 4 - 1
    default_net = next(i for i in host["interfaces"] if i["name"] == "default")
    assert default_net["default"] is True and default_net["spaces"] == ["mgmt"]
    # the pool it was asked to create exists, is running and autostarts, as virsh reports
    info = virsh("pool-info", POOL)
    assert "running" in info and "Autostart:      yes" in info
    # check mode predicts the change and leaves the stored policy alone
    assert results["check"]["changed"] is True
    assert results["check"]["diff"]["before"]["cpu_over_commit_ratio"] == 4.0
    assert results["check"]["diff"]["after"]["cpu_over_commit_ratio"] == 2.0
    assert results["read"]["registered"] is True and results["read"]["host"]["cpu_over_commit_ratio"] == 4.0
    # a real change keeps everything the task left out
    assert results["change"]["changed"] is True
    after = results["read after"]["host"]
    assert after["cpu_over_commit_ratio"] == 2.0 and after["memory_over_commit_ratio"] == 1.5
    assert after["zone"] == "az1"
    # the policy lives in the host's vmfleet pool, where any client of the daemon sees it
    assert "policy.json" in virsh("vol-list", "vmfleet")


def test_policy_is_shared_by_every_connection_to_the_host(tmp_path, clean_libvirt):
    # Two controllers: a second address form for the same daemon (its socket given explicitly) reads the policy
    # the first one stored, because the policy lives on the host, not on a controller.
    other = "qemu+unix:///system?socket=/run/libvirt/libvirt-sock"
    results, proc = play(
        tmp_path,
        [task("store", "vm_host", cpu_over_commit_ratio=3, zone="az7"), task("other", "vm_host_info", address=other)],
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert results["other"]["registered"] is True
    assert results["other"]["host"]["cpu_over_commit_ratio"] == 3.0 and results["other"]["host"]["zone"] == "az7"


def test_absent_removes_the_policy_and_is_idempotent(tmp_path, clean_libvirt):
    results, proc = play(
        tmp_path,
        [
            task("store", "vm_host", cpu_over_commit_ratio=2),
            {**task("check absent", "vm_host", state="absent"), "check_mode": True},
            task("absent", "vm_host", state="absent"),
            task("absent again", "vm_host", state="absent"),
            task("read", "vm_host_info"),
        ],
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert results["check absent"]["changed"] is True
    assert results["absent"]["changed"] is True and results["absent"]["removed_vms"] == []
    assert results["absent again"]["changed"] is False
    assert results["read"]["registered"] is False
    assert "vmfleet" not in virsh("pool-list", "--all", "--name").split()


@pytest.mark.parametrize(
    "options, kind, text",
    [
        ({"cpu_over_commit_ratio": 11}, None, "cpu_over_commit_ratio: 11.0 is out of range"),
        ({"default_storage_pool": "nope"}, None, "default_storage_pool: 'nope' is not a storage pool on the host"),
        ({"networks": [{"name": "br-missing"}]}, "hypervisor", "'br-missing' is declared in the policy but is not"),
        ({"address": "not a uri"}, "bad_address", "address: 'not a uri' is not a libvirt URI"),
        ({"address": "qemu+tcp://127.0.0.1:1/system"}, "unreachable", "cannot reach the libvirt daemon"),
        ({"address": "foo:///system"}, "bad_address", "names a hypervisor this libvirt has no driver for"),
    ],
    ids=["ratio", "missing pool", "missing network", "bad uri", "unreachable", "no driver"],
)
def test_bad_input_fails_clearly_and_changes_nothing(tmp_path, clean_libvirt, options, kind, text):
    results, proc = play(tmp_path, [task("bad", "vm_host", **options)])
    result = results["bad"]
    assert result.get("failed") is True, result
    assert text in result["msg"]
    if kind:
        assert result["kind"] == kind
    assert "vmfleet" not in virsh("pool-list", "--all", "--name").split()


def test_missing_binding_is_reported(tmp_path, clean_libvirt):
    bare = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True)
    interpreter = f"ansible_python_interpreter={bare}/bin/python"
    results, proc = play(tmp_path, [task("info", "vm_host_info")], "-e", interpreter)
    result = results["info"]
    assert result["failed"] is True and result["kind"] == "missing_binding"
    assert "the libvirt Python binding is not installed" in result["msg"]


def test_a_user_libvirt_refuses_gets_a_permission_error():
    # Through the driver directly: running a play as another user needs become, which this machine lacks.
    code = (
        "from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt import connection\n"
        "from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError\n"
        "try:\n    connection.open_connection('qemu:///system')\n"
        "except DriverError as e:\n    print(e.kind + '|' + e.message)\n"
    )
    proc = subprocess.run(
        ["runuser", "-u", "nobody", "--", sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PYTHONPATH": str(Path(__file__).resolve().parents[5]), "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
    )
    kind, _sep, message = proc.stdout.strip().partition("|")
    assert kind == "permission", proc.stdout + proc.stderr
    assert "not allowed to use libvirt at qemu:///system" in message


def test_multi_numa_discovery_on_the_test_driver(tmp_path):
    # libvirt's test:///default host has two cells whose figures are inconsistent on purpose.
    results, proc = play(tmp_path, [task("info", "vm_host_info", address="test:///default")])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    host = results["info"]["host"]
    assert [n["node_id"] for n in host["numa"]] == [0, 1]
    assert sum(len(n["cpus"]) for n in host["numa"]) == host["total"]["cores"]
    (vm,) = host["vms"]
    assert vm["name"] == "test" and vm["power_state"] == "running"
    assert host["used"]["cores"] == vm["cores"]
