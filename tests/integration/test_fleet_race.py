# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Two fleet runs at once over the same VM hosts (two AWX jobs): the host lock is the truth, the plan is advisory.

Run A is stopped inside its compose, holding host X's lock (the fault point lock_taken), while run B plans its VM
onto X too (X still has the room) and waits for X's lock. When A goes on and takes X's last vCPU, B's compose is
refused for capacity; B's next round reads the hosts again and places the VM on Y. No host goes past its policy
and nothing half-made is left.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest
from lxd_support import lxc_json
from test_fleet_playbook import PLAYBOOK, PROJECTS, container, instances, inventory

from playbook_runner import ANSIBLE_PLAYBOOK, playbook_env


def start(tmp_path, vms, env=None):
    tmp_path.mkdir(exist_ok=True)
    return subprocess.Popen(
        [str(ANSIBLE_PLAYBOOK), "-i", str(inventory(tmp_path, vms, strategy="pack", ratio_a=1)), str(PLAYBOOK)],
        env={**playbook_env(), **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def composes_running() -> int:
    """vm_converge module processes (the Python ones, not the shell Ansible starts each of them from); a host with
    nothing to converge runs none."""
    pattern = r"^\S*python\S* \S*AnsiballZ_vm_converge\.py$"
    out = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True, check=False)
    return len(out.stdout.split())


@pytest.fixture
def clean(clean_libvirt, clean_lxd):
    yield


def test_a_vm_refused_at_compose_time_is_planned_again_onto_another_host(tmp_path, clean):
    # X (lxd-a) allows 2 vCPUs of the server's 2 cores, Y (lxd-b) 4; x0 makes X the host pack fills first
    first = start(tmp_path / "setup", [container("vmft-fleet-x0", host="lxd-a")])
    out = first.communicate(timeout=600)[0]
    assert first.returncode == 0, out[-3000:]

    pid_file = tmp_path / "a.pid"
    run_a = start(
        tmp_path / "a",
        [container("vmft-fleet-a1", zone="az1")],
        {"VMFLEET_FAULT_POINT": "lock_taken", "VMFLEET_FAULT_PID_FILE": str(pid_file)},
    )
    try:
        for _attempt in range(600):
            if pid_file.exists() or run_a.poll() is not None:
                break
            time.sleep(0.2)
        assert pid_file.exists(), run_a.communicate()[0][-3000:]
        # A holds X's lock, stopped; B plans onto X (one vCPU still free there) and waits for the lock
        run_b = start(tmp_path / "b", [container("vmft-fleet-b1")])
        for _attempt in range(600):
            if composes_running() >= 2 or run_b.poll() is not None:
                break
            time.sleep(0.2)
        assert composes_running() >= 2, "run B never reached its compose"
    finally:
        os.kill(int(pid_file.read_text()), signal.SIGCONT) if pid_file.exists() else None
    out_a = run_a.communicate(timeout=600)[0]
    out_b = run_b.communicate(timeout=600)[0]
    (tmp_path / "b.log").write_text(out_b)
    assert run_a.returncode == 0, out_a[-3000:]
    assert run_b.returncode == 0, out_b[-3000:]
    assert "vmft-fleet-a1 on lxd-a: created" in out_a
    # B was refused on X (round 1), then placed on Y (round 2)
    assert "vmft-fleet-b1 on lxd-a: refused (to be planned again)" in out_b, out_b[-3000:]
    assert "vmft-fleet-b1 on lxd-b: created" in out_b, out_b[-3000:]
    assert instances() == {
        PROJECTS["lxd-a"]: ["vmft-fleet-a1", "vmft-fleet-x0"],
        PROJECTS["lxd-b"]: ["vmft-fleet-b1"],
    }
    # nothing half-made: no compose record or lock profile left in either project
    for project in PROJECTS.values():
        profiles = [p["name"] for p in lxc_json("profile", "list", "--project", project) or []]
        assert [p for p in profiles if p.startswith("vmfleet-compose-lock")] == []
