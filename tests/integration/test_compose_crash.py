# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A compose that dies half-way, on the real daemons: the module process is stopped at a named step
(plugins/module_utils/fault_points.py) and killed there with SIGKILL, or its daemon is restarted under it. The next
compose on the host, with a lock_timeout far below the lock's 600 s lease, must find the dead job's leftovers and
leave the host as if that job had never started (or had finished), with no manual step.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from lxd_support import TEST_IMAGE, lxc, lxc_json

from conftest import TEST_POOL_PREFIX, TEST_VM_PREFIX, virsh, volume_names
from playbook_runner import play, read_results, start_play

pytestmark = pytest.mark.integration

POOL = TEST_POOL_PREFIX + "crash"
VM = TEST_VM_PREFIX + "crash"
TOOLS = Path(__file__).resolve().parents[2] / "tools"
LIBVIRT_DEFAULTS = {"vmfleet.hosts.vm_compose": {"cpu_disabled_features": ["arch-capabilities"]}}
# two volumes, so a job can die between them
LIBVIRT_VM = {"name": VM, "cores": 1, "memory": 128, "storage": "root:0.01,data:0.01", "lock_timeout": 30}


def _stopped_at(point: str, tmp_path: Path, tasks: list, module_defaults: dict):
    """Start the play with its compose task set to stop at ``point``; returns (playbook process, module pid)."""
    pid_file = tmp_path / "module.pid"
    pid_file.unlink(missing_ok=True)
    last = dict(tasks[-1], environment={"VMFLEET_FAULT_POINT": point, "VMFLEET_FAULT_PID_FILE": str(pid_file)})
    proc, results_file = start_play(tmp_path, [*tasks[:-1], last], module_defaults)
    deadline = time.monotonic() + 240
    while not pid_file.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"the module never reached {point}: {proc.communicate()[0]}")
        time.sleep(0.05)
    pid = int(pid_file.read_text())
    for _attempt in range(100):  # the pid file is written just before the process stops itself
        if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "T":
            break
        time.sleep(0.05)
    else:
        raise AssertionError(f"module process {pid} did not stop at {point}")
    return proc, pid, results_file


def _kill(proc, pid):
    os.kill(pid, signal.SIGKILL)
    output = proc.communicate(timeout=120)[0]
    return output


def meta_volumes() -> list:
    return sorted(volume_names("vmfleet"))


def _libvirt_host(pool_path):
    return {
        "name": "vm host",
        "vmfleet.hosts.vm_host": {
            "default_storage_pool": POOL,
            "create_default_storage_pool": True,
            "default_storage_pool_path": str(pool_path),
        },
    }


# step reached -> (what the dead job left besides its lock, whether its VM was whole)
LIBVIRT_POINTS = {
    "lock_taken": ([], False),
    "record_written": ([], False),
    "volume_made": ([f"{VM}-root"], False),
    "domain_defined": ([f"{VM}-data", f"{VM}-root"], True),
}


@pytest.mark.parametrize("point", list(LIBVIRT_POINTS))
def test_libvirt_a_killed_compose_is_settled_by_the_next_run(point, tmp_path, pool_path, clean_libvirt):
    left, whole = LIBVIRT_POINTS[point]
    compose = {"name": "compose", "vmfleet.hosts.vm_compose": LIBVIRT_VM, "ignore_errors": True}
    proc, pid, _results = _stopped_at(point, tmp_path, [_libvirt_host(pool_path), compose], LIBVIRT_DEFAULTS)
    output = _kill(proc, pid)
    assert "compose" in output
    # what the dead job left: its lock (held by a pid that is gone), its record from record_written on, volumes
    assert "compose.lock" in meta_volumes()
    records = [name for name in meta_volumes() if name.startswith("compose.lock-job-")]
    assert len(records) == (0 if point == "lock_taken" else 1), meta_volumes()
    assert sorted(volume_names(POOL)) == left
    assert (VM in virsh("list", "--all", "--name").split()) is whole

    started = time.monotonic()
    results, proc = play(
        tmp_path,
        [{"name": "again", "vmfleet.hosts.vm_compose": LIBVIRT_VM}, {"name": "info", "vmfleet.hosts.vm_host_info": {}}],
        module_defaults=LIBVIRT_DEFAULTS,
    )
    again = results["again"]
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert time.monotonic() - started < 120  # the dead holder's lock was broken at once, not after its lease
    assert again["changed"] is (not whole) and again["created"] is (not whole)
    if point == "lock_taken":
        assert again["recovered"] == []
    elif whole:
        assert len(again["recovered"]) == 1 and "is whole; kept" in again["recovered"][0], again
    else:
        assert len(again["recovered"]) == 1 and again["recovered"][0].startswith("removed what vm_compose"), again
        assert ", ".join(f"{POOL}/{name}" for name in left) in again["recovered"][0] or not left
    assert any("died half-way" in w for w in again.get("warnings", [])) is bool(again["recovered"])
    # the host as if the dead job had finished: the VM with exactly its volumes, no lock, no record, and the
    # capacity counts the VM once
    assert sorted(volume_names(POOL)) == [f"{VM}-data", f"{VM}-root"]
    assert meta_volumes() == ["policy.json"]
    record = results["info"]["host"]
    assert [vm["name"] for vm in record["vms"]] == [VM]
    assert record["used"]["cores"] == 1


def test_libvirt_a_daemon_restart_mid_compose_is_undone_by_the_job_itself(tmp_path, pool_path, clean_libvirt):
    """libvirtd restarts while the job is between its two volumes: the job reconnects, removes what it made,
    releases its lock and reports its own failure (not the lock's)."""
    compose = {"name": "compose", "vmfleet.hosts.vm_compose": LIBVIRT_VM, "ignore_errors": True}
    proc, pid, results_file = _stopped_at("volume_made", tmp_path, [_libvirt_host(pool_path), compose],
                                          LIBVIRT_DEFAULTS)  # fmt: skip
    try:
        assert volume_names(POOL) == [f"{VM}-root"]
        subprocess.run(["pkill", "-x", "libvirtd"], check=True)
        for _attempt in range(100):
            if subprocess.run(["pgrep", "-x", "libvirtd"], capture_output=True, check=False).returncode:
                break
            time.sleep(0.1)
        subprocess.run([str(TOOLS / "daemons.sh")], check=True, capture_output=True, timeout=120)
    finally:
        os.kill(pid, signal.SIGCONT)
    output = proc.communicate(timeout=180)[0]
    result = read_results(results_file)["compose"]
    assert result["failed"] is True and result["kind"] == "hypervisor", output
    assert result["msg"].startswith(f"cannot compose VM {VM!r}: "), result["msg"]
    assert result["msg"].endswith("what was made is now removed (over a new connection)"), result["msg"]
    assert "compose lock could not be released" not in result["msg"]
    assert volume_names(POOL) == [] and meta_volumes() == ["policy.json"]
    assert VM not in virsh("list", "--all", "--name").split()


LXD_PROJECT = "vmfleet-test-crash"
LXD_CONNECTION = {"type": "lxd", "project": LXD_PROJECT}
LXD_DEFAULTS = {"vmfleet.hosts.vm_compose": LXD_CONNECTION, "vmfleet.hosts.vm_host": LXD_CONNECTION}
LXD_VM = {"name": VM, "cores": 1, "memory": 128, "storage": "root:2,data:1,logs:1", "boot": "image",
          "image": {"alias": TEST_IMAGE}, "instance_type": "container", "lock_timeout": 30}  # fmt: skip
LXD_HOST = {
    "name": "vm host",
    "vmfleet.hosts.vm_host": {
        "create_project": True,
        "default_storage_pool": "default",
        "networks": [{"name": "lxdbr0", "default": True}],
    },
}


def lxd_custom_volumes() -> list:
    found = lxc_json("storage", "volume", "list", "default", "--project", LXD_PROJECT)
    return sorted(v["name"] for v in found if v["type"] == "custom")


def lxd_profiles() -> list:
    return sorted(p["name"] for p in lxc_json("profile", "list", "--project", LXD_PROJECT))


# step -> (custom volumes the dead job left, whether its instance was whole)
LXD_POINTS = {"volume_made": ([f"{VM}-data"], False), "instance_created": ([f"{VM}-data", f"{VM}-logs"], True)}


@pytest.mark.parametrize("point", list(LXD_POINTS))
def test_lxd_a_killed_compose_is_settled_by_the_next_run(point, tmp_path, clean_lxd):
    left, whole = LXD_POINTS[point]
    compose = {"name": "compose", "vmfleet.hosts.vm_compose": LXD_VM, "ignore_errors": True}
    proc, pid, _results = _stopped_at(point, tmp_path, [LXD_HOST, compose], LXD_DEFAULTS)
    _kill(proc, pid)
    assert lxd_custom_volumes() == left
    profiles = lxd_profiles()
    assert "vmfleet-compose-lock" in profiles and any(p.startswith("vmfleet-compose-lock-job-") for p in profiles)

    started = time.monotonic()
    results, proc = play(tmp_path, [{"name": "again", "vmfleet.hosts.vm_compose": LXD_VM}],
                         module_defaults=LXD_DEFAULTS, timeout=300)  # fmt: skip
    again = results["again"]
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert time.monotonic() - started < 200
    assert again["created"] is (not whole) and len(again["recovered"]) == 1, again
    assert ("is whole; kept" in again["recovered"][0]) is whole
    assert lxd_custom_volumes() == [f"{VM}-data", f"{VM}-logs"]
    assert lxd_profiles() == ["default"]
    assert [i["name"] for i in lxc_json("list", "--project", LXD_PROJECT)] == [VM]
    lxc("delete", "--force", VM, "--project", LXD_PROJECT)


def test_lxd_a_daemon_restart_mid_compose_is_finished_by_the_job(tmp_path, clean_lxd):
    """LXD restarts while the job is between two custom volumes: its requests reach the new daemon, so the job goes
    on and finishes, and nothing of the interruption is left."""
    compose = {"name": "compose", "vmfleet.hosts.vm_compose": LXD_VM, "ignore_errors": True}
    proc, pid, results_file = _stopped_at("volume_made", tmp_path, [LXD_HOST, compose], LXD_DEFAULTS)
    try:
        daemon = subprocess.run(["pgrep", "-x", "lxd"], capture_output=True, text=True, check=True).stdout.split()
        subprocess.run(["kill", "-TERM", *daemon], check=True)  # SIGTERM: LXD exits, its instances keep running
        for _attempt in range(300):
            if subprocess.run(["pgrep", "-x", "lxd"], capture_output=True, check=False).returncode:
                break
            time.sleep(0.1)
        else:
            raise AssertionError("lxd did not exit on SIGTERM")
        subprocess.run([str(TOOLS / "lxd_daemon.sh")], check=True, capture_output=True, timeout=180)
    finally:
        os.kill(pid, signal.SIGCONT)
    output = proc.communicate(timeout=300)[0]
    result = read_results(results_file)["compose"]
    assert result.get("failed") is not True and result["created"] is True, output
    assert lxd_custom_volumes() == [f"{VM}-data", f"{VM}-logs"]
    assert lxd_profiles() == ["default"]
    assert [i["name"] for i in lxc_json("list", "--project", LXD_PROJECT)] == [VM]
    lxc("delete", "--force", VM, "--project", LXD_PROJECT)
