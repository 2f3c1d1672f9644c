# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vm_compose with Juju's constraint string against the real libvirtd: sizes, the host's zone/tags/spaces.

The VM is left shut off (state: present): what is checked is what libvirt defined, read back with virsh.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from conftest import TEST_POOL_PREFIX, TEST_VM_PREFIX, virsh, volume_names
from playbook_runner import play

pytestmark = pytest.mark.integration

POOL = TEST_POOL_PREFIX + "constraints"
ZONE = "vmft-az1"
TAG = "vmft-ssd"
SPACE = "vmft-db"
VM = TEST_VM_PREFIX + "cons"
OTHER = TEST_VM_PREFIX + "cons-other"
DEFAULTS = {"vmfleet.hosts.vm_compose": {"cpu_disabled_features": ["arch-capabilities"], "shutdown_timeout": 5}}
# 0.3G is 307.2 MiB, rounded up to 308 as Juju rounds; 1.5G of root disk is 1536 MiB
CONSTRAINTS = f"cores=2 mem=0.3G root-disk=1.5G zones={ZONE},vmft-az2 tags={TAG},^vmft-gpu spaces={SPACE},^vmft-dmz"


def vm_host_task(pool_path):
    options = {
        "default_storage_pool": POOL,
        "create_default_storage_pool": True,
        "default_storage_pool_path": str(pool_path),
        "zone": ZONE,
        "tags": [TAG],
        "networks": [{"name": "default", "default": True, "spaces": [SPACE]}],
    }
    return {"name": "vm host", "vmfleet.hosts.vm_host": options, "ignore_errors": True}


def compose(label, name=VM, **options):
    return {"name": label, "vmfleet.hosts.vm_compose": {"name": name, **options}, "ignore_errors": True}


def run(tmp_path, tasks, *args):
    results, proc = play(tmp_path, tasks, *args, timeout=300, module_defaults=DEFAULTS)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "vm host" not in results or not results["vm host"].get("failed"), results["vm host"]
    return results


def test_a_vm_composed_from_constraints_gets_what_it_asked_for(tmp_path, pool_path, clean_libvirt):
    (tmp_path / "check").mkdir()
    predicted = run(
        tmp_path / "check",
        [vm_host_task(pool_path), {**compose("predict", constraints=CONSTRAINTS), "check_mode": True}],
    )["predict"]
    assert predicted["changed"] is True and predicted["created"] is True, predicted
    assert VM not in virsh("list", "--all", "--name").split()  # check mode made nothing

    results = run(
        tmp_path,
        [
            compose("first", constraints=CONSTRAINTS),
            compose("again", constraints=CONSTRAINTS),
            compose("elsewhere", name=OTHER, constraints="cores=1 mem=256 zones=^" + ZONE),
            compose("untagged", name=OTHER, constraints="cores=1 mem=256 tags=vmft-gpu"),
            compose("both", name=OTHER, constraints="cores=1", cores=1, memory=256),
            compose("cloud key", name=OTHER, constraints="instance-type=m5.large"),
            compose("container on libvirt", name=OTHER, constraints="virt-type=container", boot="image"),
        ],
    )
    first = results["first"]
    assert first["changed"] is True and first["created"] is True, first
    assert first["vm"]["cores"] == 2 and first["vm"]["memory"] == 308
    assert results["again"]["changed"] is False, results["again"]

    root = ET.fromstring(virsh("dumpxml", VM))
    assert root.find("vcpu").text == "2"
    memory = root.find("memory")
    assert (memory.get("unit"), memory.text) == ("KiB", str(308 * 1024))
    nics = root.findall("./devices/interface")
    assert len(nics) == 1 and nics[0].find("source").get("network") == "default"  # the network in space db
    assert volume_names(POOL) == [f"{VM}-root"]
    info = dict(line.split(":", 1) for line in virsh("vol-info", f"{VM}-root", "--pool", POOL, "--bytes").splitlines())
    assert int(info["Capacity"].split()[0]) == 1536 * 1024**2

    elsewhere = results["elsewhere"]
    assert elsewhere["failed"] is True and elsewhere["option"] == "constraints", elsewhere
    assert f"zone {ZONE!r} is excluded by zones=^{ZONE}" in elsewhere["msg"]
    assert "lacks the tag vmft-gpu" in results["untagged"]["msg"]
    both = results["both"]
    assert both["failed"] is True and both["option"] == "constraints"
    assert "cores is given too" in both["msg"]
    assert "is not supported: instance-type" in results["cloud key"]["msg"]
    container = results["container on libvirt"]
    assert container["failed"] is True and container["option"] == "constraints", container
    assert "virt-type=container" in container["msg"]
    # none of the refusals made anything
    assert OTHER not in virsh("list", "--all", "--name").split()
    assert volume_names(POOL) == [f"{VM}-root"]
