# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""playbooks/fleet.yml against the real daemons: two projects of the local LXD server and the local libvirt host,
which is also reached over qemu+ssh (tools/sshd.sh) as a second VM host.

The projects share the server's 2 cores (lxd-a gives them out at ratio 1.5, lxd-b at ratio 2, each counting the
other's VMs), which is what the shared-hardware planning must respect; so do kvm and kvm-ssh, one libvirtd seen
through two connections. System containers from the test image really start, the libvirt VMs are defined (PXE).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml
from lxd_support import TEST_IMAGE, lxc_json
from test_libvirt_ssh import SSH_URI, require_sshd

from conftest import POOL_ROOT, virsh
from playbook_runner import ANSIBLE_PLAYBOOK, playbook_env

PLAYBOOK = Path(__file__).resolve().parents[2] / "playbooks" / "fleet.yml"
PROJECTS = {"lxd-a": "vmfleet-test-fleet-a", "lxd-b": "vmfleet-test-fleet-b"}
POOL = "vmfleet-test-fleet"
DEFAULT_HOSTS = ("lxd-a", "lxd-b", "kvm")


def container(name, **extra):
    return {
        "name": name,
        "instance_type": "container",
        "cores": 1,
        "memory": "128M",
        "storage": "root:2",
        "boot": "image",
        "image": {"alias": TEST_IMAGE},
        **extra,
    }


def inventory(
    tmp_path: Path, vms: list, strategy: str = "spread", ratio_a: float = 1.5, only: tuple = DEFAULT_HOSTS
) -> Path:
    lxd = {"address": "/var/lib/lxd/unix.socket", "type": "lxd"}
    hosts = {
        "lxd-a": {
            "vmfleet_connection": {**lxd, "project": PROJECTS["lxd-a"]},
            # lxd-a gives out fewer vCPUs of the shared cores than lxd-b (test_fleet_race fills it)
            "vmfleet_policy": {
                "cpu_over_commit_ratio": ratio_a,
                "zone": "az1",
                "tags": ["ssd"],
                "create_project": True,
            },
        },
        "lxd-b": {
            "vmfleet_connection": {**lxd, "project": PROJECTS["lxd-b"]},
            "vmfleet_policy": {"cpu_over_commit_ratio": 2, "zone": "az2", "create_project": True},
        },
        "kvm": {
            "vmfleet_connection": {"address": "qemu:///system"},
            "vmfleet_policy": {
                "cpu_over_commit_ratio": 2,
                "zone": "az1",
                "default_storage_pool": POOL,
                "create_default_storage_pool": True,
                "default_storage_pool_path": str(POOL_ROOT / "fleet"),
            },
        },
        # the same libvirtd over qemu+ssh: its policy is the one stored on the machine (declared once, on kvm)
        "kvm-ssh": {"vmfleet_connection": {"address": SSH_URI}},
    }
    group = {
        "hosts": {name: hosts[name] for name in only},
        "vars": {"ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}"},
    }
    (tmp_path / "group_vars").mkdir(exist_ok=True)
    (tmp_path / "hosts.yml").write_text(yaml.safe_dump({"vmfleet_hosts": group}))
    (tmp_path / "group_vars" / "all.yml").write_text(yaml.safe_dump({"vmfleet_vms": vms, "vmfleet_strategy": strategy}))
    return tmp_path / "hosts.yml"


def fleet(tmp_path: Path, vms: list, *args: str, only: tuple = DEFAULT_HOSTS) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [str(ANSIBLE_PLAYBOOK), "-i", str(inventory(tmp_path, vms, only=only)), str(PLAYBOOK), *args],
        env=playbook_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return proc


def recap(proc) -> dict:
    """Host -> its PLAY RECAP counters."""
    found = {}
    for host, counters in re.findall(r"^(\S+)\s+:\s+(ok=.*)$", proc.stdout, re.M):
        found[host] = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", counters)}
    return found


def instances() -> dict:
    return {
        project: sorted(i["name"] for i in lxc_json("list", "--project", project, check=False) or [])
        for project in PROJECTS.values()
    }


def domains() -> list:
    return sorted(n for n in virsh("list", "--all", "--name", check=False).split() if n.startswith("vmft-fleet"))


@pytest.fixture
def clean(clean_libvirt, clean_lxd):
    yield


def test_one_run_places_converges_and_removes_the_second_changes_nothing(tmp_path, clean):
    vms = [
        container("vmft-fleet-c1", zone="az1"),
        container("vmft-fleet-c2", host_tags=["ssd"]),
        container("vmft-fleet-c3", zone="az2"),
        {"name": "vmft-fleet-pxe", "cores": 1, "memory": "256M", "storage": "root:1", "host": "kvm"},
    ]
    proc = fleet(tmp_path, vms)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert instances() == {
        PROJECTS["lxd-a"]: ["vmft-fleet-c1", "vmft-fleet-c2"],
        PROJECTS["lxd-b"]: ["vmft-fleet-c3"],
    }
    assert domains() == ["vmft-fleet-pxe"]
    assert "vmft-fleet-c1 on lxd-a: created" in proc.stdout and "vmft-fleet-pxe on kvm: created" in proc.stdout

    proc = fleet(tmp_path, vms, "-vvv")
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert all(counters["changed"] == 0 for counters in recap(proc).values()), recap(proc)
    assert "vmft-fleet-c3 on lxd-b: unchanged" in proc.stdout
    # the cost follows the hosts: one vm_converge module run per VM host with VMs, no vm_compose run at all
    runs = re.findall(r"EXEC /bin/sh -c '\S*python\S* \S*/AnsiballZ_vm_converge\.py && sleep 0'", proc.stdout)
    assert len(runs) == 3, runs
    assert "AnsiballZ_vm_compose.py" not in proc.stdout

    # check mode with one more VM: the whole plan, nothing made
    more = [*vms, container("vmft-fleet-c4", zone="az2")]
    proc = fleet(tmp_path, more, "--check")
    assert proc.returncode == 0, proc.stdout[-3000:]
    for line in (
        "vmft-fleet-c4: create on lxd-b",
        "vmft-fleet-c1: converge on lxd-a",
        "vmft-fleet-pxe: converge on kvm",
    ):
        assert line in proc.stdout
    assert "vmft-fleet-c4" not in instances()[PROJECTS["lxd-b"]]

    # declared absent: removed where it is, once; the others stay where they are
    vms[2] = {"name": "vmft-fleet-c3", "state": "absent"}
    proc = fleet(tmp_path, vms)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "vmft-fleet-c3 on lxd-b: removed" in proc.stdout
    assert instances()[PROJECTS["lxd-b"]] == []
    assert instances()[PROJECTS["lxd-a"]] == ["vmft-fleet-c1", "vmft-fleet-c2"]


def test_a_fleet_the_shared_server_cannot_hold_is_refused_before_anything_is_made(tmp_path, clean):
    # 5 containers of 1 core: lxd-b alone allows 4 vCPUs, but the one the plan puts on lxd-a takes one of them
    vms = [container("vmft-fleet-s0", zone="az1")] + [container(f"vmft-fleet-s{i}", zone="az2") for i in range(1, 5)]
    vms.append({"name": "vmft-fleet-big", "cores": 9, "memory": "256M", "storage": "root:1"})
    proc = fleet(tmp_path, vms)
    assert proc.returncode != 0
    out = proc.stdout + proc.stderr
    assert "no VM host can take" in out
    assert re.search(r"vmft-fleet-s4: kvm: [^|]*lxd-b: Host lxd-b: CPU overcommit ratio is 2.0", out), out[-3000:]
    # every host's own reason for the VM that fits nowhere
    big = out[out.index("vmft-fleet-big:") :]
    assert "kvm: Host kvm" in big and "lxd-a: Host lxd-a" in big and "lxd-b: Host lxd-b" in big
    assert "needs an LXD or Incus host" not in big  # the big VM is no container: every host may run it
    assert instances() == {p: [] for p in PROJECTS.values()} or all(not v for v in instances().values())
    assert domains() == []


def libvirt_vm(name, **extra):
    return {"name": name, "cores": 1, "memory": "128M", "storage": "root:0.01", **extra}


def done(proc) -> dict:
    """VM -> [(host, what)] from the run's summary lines ("NAME on HOST: WHAT")."""
    found = {}
    for name, host, what in re.findall(r'"(vmft-fleet-[\w-]+) on ([\w-]+): (\w+)', proc.stdout):
        found.setdefault(name, []).append((host, what))
    return found


def promised(proc) -> dict:
    """VM -> (action, host) from a check-mode run's plan lines ("NAME: ACTION on HOST")."""
    lines = re.findall(r'"(vmft-fleet-[\w-]+): (\w+) on ([\w-]+)"', proc.stdout)
    return {name: (action, host) for name, action, host in lines}


def vcpus(name: str) -> int:
    return int(re.search(r"^CPU\(s\):\s+(\d+)", virsh("dominfo", name), re.M).group(1))


def test_one_libvirtd_reached_locally_and_over_ssh_is_planned_as_one_machine(tmp_path, clean):
    require_sshd()
    others = [n for n in virsh("list", "--all", "--name", check=False).split() if not n.startswith("vmft-")]
    assert others == [], f"libvirtd holds other domains ({others}); the capacity figures below assume it does not"
    both = ("kvm", "kvm-ssh")
    # an operator adds the qemu+ssh route to a libvirt host the fleet already made a VM host (in the run that first
    # makes it one, the route without the policy may be read before the policy is stored: docs/fleet.md)
    vms = [libvirt_vm("vmft-fleet-k0", host="kvm")]
    proc = fleet(tmp_path, vms, only=("kvm",))
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert done(proc) == {"vmft-fleet-k0": [("kvm", "created")]}

    # ratio 2 on 2 cores: 4 vCPUs for both hosts together, k0 has one. Seen as two machines, each host would have
    # 3 free and take 4 more; as one, the 4th new VM fits nowhere, and nothing is made
    more = [libvirt_vm(f"vmft-fleet-k{i}") for i in range(1, 5)]
    proc = fleet(tmp_path, vms + more, only=both)
    assert proc.returncode != 0
    out = proc.stdout + proc.stderr
    refused = r"no VM host can take vmft-fleet-k\d: kvm: Host kvm: CPU overcommit ratio is 2\.0"
    assert re.search(refused, out), out[-3000:]
    assert re.search(r"kvm-ssh: Host kvm-ssh: CPU overcommit ratio is 2\.0", out), out[-3000:]
    assert domains() == ["vmft-fleet-k0"]

    # what fits: the plan (check mode) promises, the real run makes exactly that; k3 must go over ssh
    vms += [libvirt_vm("vmft-fleet-k1"), libvirt_vm("vmft-fleet-k2"), libvirt_vm("vmft-fleet-k3", host="kvm-ssh")]
    proc = fleet(tmp_path, vms, "--check", only=both)
    assert proc.returncode == 0, proc.stdout[-3000:]
    plan = promised(proc)
    assert plan["vmft-fleet-k0"] == ("converge", "kvm") and plan["vmft-fleet-k3"] == ("create", "kvm-ssh"), plan
    assert {plan[f"vmft-fleet-k{i}"][0] for i in (1, 2)} == {"create"}, plan
    assert domains() == ["vmft-fleet-k0"]

    proc = fleet(tmp_path, vms, only=both)
    assert proc.returncode == 0, proc.stdout[-3000:]
    made = done(proc)
    for name, (action, host) in plan.items():
        assert made[name] == [(host, "created" if action == "create" else "unchanged")], (name, made)
    assert domains() == [f"vmft-fleet-k{i}" for i in range(4)]
    assert sum(vcpus(name) for name in domains()) == 4  # the machine's whole budget, and not more

    # the second run changes nothing, and converges each VM once though both hosts see all four (on the host it
    # names, else on the first of the two)
    proc = fleet(tmp_path, vms, only=both)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert all(counters["changed"] == 0 for counters in recap(proc).values()), recap(proc)
    made = done(proc)
    homes = {"vmft-fleet-k0": "kvm", "vmft-fleet-k1": "kvm", "vmft-fleet-k2": "kvm", "vmft-fleet-k3": "kvm-ssh"}
    assert made == {name: [(host, "unchanged")] for name, host in homes.items()}, made
