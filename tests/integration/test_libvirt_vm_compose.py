# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vm_compose against the real libvirtd: VMs really start (KVM here, TCG where /dev/kvm is missing).

Every claim is checked with virsh, virt-xml-validate or the kernel's own counters, not only with our output.
"""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import TEST_NETWORK, TEST_POOL_PREFIX, TEST_VM_PREFIX, free_hugepages, virsh, volume_names
from playbook_runner import play

pytestmark = pytest.mark.integration

POOL = TEST_POOL_PREFIX + "vms"
KVM = Path("/dev/kvm").exists()
# Nested KVM on this kind of machine refuses the MSR behind arch-capabilities (see vm_compose's docs).
DEFAULTS = {"vmfleet.hosts.vm_compose": {"cpu_disabled_features": ["arch-capabilities"], "shutdown_timeout": 5}}


def vm_host_task(pool_path, **policy):
    options = {
        "default_storage_pool": POOL,
        "create_default_storage_pool": True,
        "default_storage_pool_path": str(pool_path),
        "networks": [{"name": "default", "default": True}],
        **policy,
    }
    return {"name": "vm host", "vmfleet.hosts.vm_host": options, "ignore_errors": True}


def compose(name, label=None, **options):
    return {"name": label or name, "vmfleet.hosts.vm_compose": {"name": name, **options}, "ignore_errors": True}


def run(tmp_path, tasks, *args):
    """The registered results of a play (tasks ignore their errors, so the play itself succeeds)."""
    results, proc = play(tmp_path, tasks, *args, timeout=300, module_defaults=DEFAULTS)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "vm host" not in results or not results["vm host"].get("failed"), results["vm host"]
    return results


def domain_xml(name) -> ET.Element:
    return ET.fromstring(virsh("dumpxml", name))


def volumes() -> list:
    return volume_names(POOL)


def domains() -> list:
    return [n for n in virsh("list", "--all", "--name").split() if n.startswith(TEST_VM_PREFIX)]


def host_cpus() -> int:
    nodeinfo = dict(line.split(":", 1) for line in virsh("nodeinfo").splitlines() if ":" in line)
    return int(nodeinfo["CPU(s)"])


def vm_budget() -> int:
    """vCPUs a ratio-1 policy leaves: the host's CPUs minus what every domain defined there takes (as virsh says)."""
    used = 0
    for name in virsh("list", "--all", "--name").split():
        info = dict(line.split(":", 1) for line in virsh("dominfo", name).splitlines() if ":" in line)
        used += int(info["CPU(s)"])
    return host_cpus() - used


def test_pxe_vm_composes_starts_and_is_idempotent(tmp_path, pool_path, clean_libvirt):
    name = TEST_VM_PREFIX + "pxe"
    request = {"cores": 1, "memory": 256, "storage": "root:1", "interfaces": "eth0:", "state": "started"}
    results = run(
        tmp_path,
        [
            vm_host_task(pool_path),
            {**compose(name, "predict", **request), "check_mode": True, "diff": True},
        ],
    )
    assert results["predict"]["changed"] is True and results["predict"]["created"] is True
    assert results["predict"]["diff"]["after"]["request"]["name"] == name
    assert domains() == [] and volumes() == []  # check mode created nothing

    results = run(tmp_path, [compose(name, "first", **request), compose(name, "again", **request)])
    first, again = results["first"], results["again"]
    assert first["changed"] is True and first["created"] is True and first["power_state"] == "running"
    assert again["changed"] is False and again["power_state"] == "running"
    assert virsh("domstate", name).strip() == "running"
    root = domain_xml(name)
    assert root.get("type") == ("kvm" if KVM else "qemu")
    assert [b.get("dev") for b in root.findall("./os/boot")] == ["network", "hd"]
    mac = root.find("./devices/interface/mac").get("address")
    assert mac == first["vm"]["interfaces"][0]["mac"] and mac.startswith("52:54:00:")
    assert root.find("./devices/interface/source").get("network") == "default"
    path = tmp_path / "dom.xml"
    path.write_text(virsh("dumpxml", "--inactive", name))
    validate = subprocess.run(["virt-xml-validate", str(path), "domain"], capture_output=True, text=True, check=False)
    assert validate.returncode == 0, validate.stderr
    assert volumes() == [f"{name}-root"]
    info = dict(
        line.split(":", 1) for line in virsh("vol-info", f"{name}-root", "--pool", POOL, "--bytes").splitlines()
    )
    assert int(info["Capacity"].split()[0]) == 10**9 + 512  # qcow2 rounds up to whole 512-byte sectors
    dominfo = virsh("dominfo", name)
    assert "CPU(s):         1" in dominfo and "Max memory:     262144 KiB" in dominfo


def test_pinned_hugepage_vm_runs_on_pages_reserved_at_run_time(tmp_path, pool_path, clean_libvirt, hugepages_2m):
    name = TEST_VM_PREFIX + "pinned"
    before = free_hugepages()
    results = run(
        tmp_path,
        [
            vm_host_task(pool_path),
            compose(
                name,
                cores=1,
                pinned_cores="auto",
                memory=256,
                hugepages_backed=True,
                numa_strict=True,
                storage="root:1",
                state="started",
            ),
        ],
    )
    vm = results[name]["vm"]
    assert not results[name].get("failed"), results[name]
    assert vm["hugepages"] == [{"node_id": 0, "page_size": 2 * 1024**2, "count": 128}]
    (core,) = vm["pinned_cores"]
    pin = virsh("vcpupin", name).split()
    assert pin[-2:] == ["0", str(core)]
    numatune = virsh("numatune", name)
    assert "strict" in numatune and "numa_nodeset   : 0" in numatune
    page = domain_xml(name).find("./memoryBacking/hugepages/page")
    assert page.get("size") == "2048" and page.get("unit") == "KiB"
    assert virsh("domstate", name).strip() == "running"
    assert before - free_hugepages() == 128  # the running guest really holds 128 pages of 2 MiB

    # Growing it: placed again (on the same core, which still fits), applied at the next start.
    grown = {
        "cores": 1,
        "pinned_cores": "auto",
        "memory": 512,
        "hugepages_backed": True,
        "numa_strict": True,
        "storage": "root:1",
    }
    results = run(tmp_path, [compose(name, "grow", **grown), compose(name, "restart", state="restarted", **grown)])
    assert results["grow"]["changed"] is True and results["grow"]["restart_required"] is True
    assert results["grow"]["vm"]["pinned_cores"] == [core]
    assert results["grow"]["vm"]["hugepages"] == [{"node_id": 0, "page_size": 2 * 1024**2, "count": 256}]
    assert results["restart"]["changed"] is True
    assert virsh("vcpupin", name).split()[-2:] == ["0", str(core)]
    assert before - free_hugepages() == 256  # restarted, it holds 512 MiB of pages


def test_capacity_refusal_touches_nothing(tmp_path, pool_path, clean_libvirt):
    name = TEST_VM_PREFIX + "big"
    budget = vm_budget()
    results = run(tmp_path, [vm_host_task(pool_path), compose(name, cores=budget + 1, storage="root:1")])
    result = results[name]
    assert result["failed"] is True and result["resource"] == "cpu"
    assert result["msg"].endswith(
        f"CPU overcommit ratio is 1.0 and there are {budget} available resources; {budget + 1} requested."
    )
    assert domains() == [] and volumes() == []


def test_failure_half_way_leaves_nothing_behind(tmp_path, pool_path, clean_libvirt):
    # A NIC on a libvirt network that is defined but down: volumes and domain get made, the start fails.
    net = tmp_path / "net.xml"
    net.write_text(f"<network><name>{TEST_NETWORK}</name><ip address='10.254.254.1' prefix='24'/></network>")
    virsh("net-define", str(net))
    name = TEST_VM_PREFIX + "half"
    results = run(
        tmp_path,
        [
            vm_host_task(pool_path),
            compose(name, storage="root:1,data:1", interfaces=f"eth0:network={TEST_NETWORK}", state="started"),
        ],
    )
    result = results[name]
    assert result["failed"] is True and "is not active" in result["msg"]
    assert domains() == [] and volumes() == []


def test_resize_live_where_possible_grow_disks_and_refuse_shrinking(tmp_path, pool_path, clean_libvirt):
    name = TEST_VM_PREFIX + "grow"
    small = {"cores": 1, "memory": 256, "storage": "root:1", "state": "started"}
    results = run(
        tmp_path,
        [
            vm_host_task(pool_path, cpu_over_commit_ratio=2),
            compose(name, "small", **small),
            compose(name, "bigger", **{**small, "cores": 2, "memory": 512, "storage": "root:2"}),
            compose(
                name, "restarted", **{**small, "cores": 2, "memory": 512, "storage": "root:2", "allow_restart": True}
            ),
        ],
    )
    bigger = results["bigger"]
    assert bigger["changed"] is True and bigger["restart_required"] is True  # 2 vCPUs exceed the running maximum
    assert int(virsh("domblkinfo", name, "vda").split()[1]) == 2 * 10**9  # grown while running
    # nothing else changed since, so the second identical run reports no change; a restart applies it
    assert results["restarted"]["changed"] is False
    results = run(
        tmp_path,
        [compose(name, "restart", **{**small, "cores": 2, "memory": 512, "storage": "root:2", "state": "restarted"})],
    )
    assert results["restart"]["changed"] is True
    dominfo = virsh("dominfo", name)
    assert "CPU(s):         2" in dominfo and "Max memory:     524288 KiB" in dominfo
    results = run(
        tmp_path,
        [
            compose(name, "shrink", **{**small, "cores": 2, "memory": 512, "storage": "root:1"}),
            compose(
                name,
                "rehugepage",
                **{**small, "cores": 2, "memory": 512, "storage": "root:2", "hugepages_backed": True},
            ),
            compose(name, "too big", **{**small, "cores": 2 * host_cpus() + 1, "memory": 512, "storage": "root:2"}),
        ],
    )
    assert results["shrink"]["failed"] and results["shrink"]["option"] == "disks[0].size"
    assert "disks only grow" in results["shrink"]["msg"]
    assert results["rehugepage"]["failed"] and results["rehugepage"]["option"] == "hugepages_backed"
    assert results["too big"]["failed"] and results["too big"]["resource"] == "cpu"
    assert "CPU(s):         2" in virsh("dominfo", name)


def test_stop_powers_off_a_guest_that_ignores_acpi_then_start_again(tmp_path, pool_path, clean_libvirt):
    name = TEST_VM_PREFIX + "power"
    vm = {"memory": 256, "storage": "root:1"}
    results = run(
        tmp_path,
        [
            vm_host_task(pool_path),
            compose(name, "start", state="started", **vm),
            compose(name, "stop", state="stopped", **vm),
            compose(name, "stop again", state="stopped", **vm),
        ],
    )
    assert results["stop"]["changed"] is True and results["stop"]["forced_off"] is True  # PXE firmware ignores ACPI
    assert results["stop again"]["changed"] is False
    assert virsh("domstate", name).strip() == "shut off"
    results = run(tmp_path, [compose(name, "start", state="started", **vm)])
    assert results["start"]["changed"] is True and virsh("domstate", name).strip() == "running"


def test_absent_removes_the_domain_and_only_its_own_volumes(tmp_path, pool_path, clean_libvirt):
    name = TEST_VM_PREFIX + "gone"
    results = run(tmp_path, [vm_host_task(pool_path), compose(name, storage="root:1,data:1", state="started")])
    virsh("vol-create-as", POOL, "not-the-vms", "1M")
    results = run(
        tmp_path,
        [
            {**compose(name, "predict", state="absent"), "check_mode": True},
            compose(name, "absent", state="absent"),
            compose(name, "again", state="absent"),
        ],
    )
    assert results["predict"]["changed"] is True
    assert sorted(results["absent"]["removed_volumes"]) == [f"{POOL}/{name}-data", f"{POOL}/{name}-root"]
    assert results["again"]["changed"] is False
    assert domains() == [] and volumes() == ["not-the-vms"]


def test_refuses_hosts_and_domains_it_does_not_own(tmp_path, pool_path, clean_libvirt):
    results = run(tmp_path, [compose(TEST_VM_PREFIX + "nohost", storage="root:1")])
    assert results[TEST_VM_PREFIX + "nohost"]["kind"] == "not_a_vm_host"
    foreign = TEST_VM_PREFIX + "foreign"
    xml = tmp_path / "foreign.xml"
    xml.write_text(
        f"<domain type='qemu'><name>{foreign}</name><memory>131072</memory><os><type>hvm</type></os></domain>"
    )
    virsh("define", str(xml))
    results = run(tmp_path, [vm_host_task(pool_path), compose(foreign, storage="root:1")])
    assert "was not composed by vmfleet.hosts" in results[foreign]["msg"]
    assert domains() == [foreign] and volumes() == []


def test_parallel_jobs_never_push_the_host_past_its_policy(tmp_path, pool_path, clean_libvirt):
    budget = vm_budget()  # ratio 1: room for this many 1-vCPU VMs, and four jobs more than that
    run(tmp_path, [vm_host_task(pool_path)])
    names = [f"{TEST_VM_PREFIX}par{i}" for i in range(budget + 4)]

    def job(name):
        workdir = tmp_path / name
        workdir.mkdir()
        return play(
            workdir, [compose(name, cores=1, memory=128, storage="root:1")], timeout=300, module_defaults=DEFAULTS
        )

    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        outcomes = list(pool.map(job, names))
    results = [outcome[0][name] for name, outcome in zip(names, outcomes)]
    placed = [name for name, result in zip(names, results) if not result.get("failed")]
    refused = [result for result in results if result.get("failed")]
    assert len(placed) == budget, [r.get("msg") for r in refused]
    assert all(r["resource"] == "cpu" for r in refused), [r.get("msg") for r in refused]
    assert sorted(domains()) == sorted(placed)
    assert sorted(volumes()) == sorted(f"{n}-root" for n in placed)  # the refused jobs left no volume
    assert "compose.lock" not in volume_names("vmfleet")


def test_vm_host_absent_with_remove_vms_removes_what_it_composed(tmp_path, pool_path, clean_libvirt):
    name = TEST_VM_PREFIX + "owned"
    run(tmp_path, [vm_host_task(pool_path), compose(name, storage="root:1", state="started")])
    results = run(tmp_path, [{"name": "drop", "vmfleet.hosts.vm_host": {"state": "absent", "remove_vms": True}}])
    assert results["drop"]["removed_vms"] == [name]
    assert domains() == [] and volumes() == []
    assert "vmfleet" not in virsh("pool-list", "--all", "--name").split()
