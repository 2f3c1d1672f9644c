# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rendered XML defined for real by the QEMU driver of a running libvirtd (qemu:///system).

Unlike the test driver, the QEMU driver runs its own validation on define (machine types, buses, CPU mode against
domain type). The disks reference volumes that exist: a dir pool in a temporary directory, with volumes made from
``render_volume`` XML; everything is removed afterwards. Nothing is started. It needs libvirtd on qemu:///system
(``make unit`` starts it) and fails, rather than skips, without it.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.metadata import VMFLEET_NS
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.write.domain import render_domain
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.write.volume import render_volume

from libvirt_write_specs import SPECS, VIRSH, explain, run

URI = "qemu:///system"
NS = {"vmfleet": VMFLEET_NS}


def virsh(*argv):
    return run(VIRSH, "-q", "-c", URI, *argv)


def check(result):
    assert result.returncode == 0, explain(result)
    return result


@pytest.fixture(scope="module")
def pool(tmp_path_factory):
    if virsh("uri").returncode != 0:
        pytest.fail(f"no libvirtd answers on {URI}; run through make (tools/daemons.sh starts it)")
    name = f"vmfleet-unit-{uuid.uuid4().hex[:8]}"
    target = tmp_path_factory.mktemp("pool")
    check(virsh("pool-define-as", name, "dir", "--target", str(target)))
    try:
        check(virsh("pool-build", name))
        check(virsh("pool-start", name))
        yield name
    finally:
        for volume in virsh("vol-list", "--pool", name, "--name").stdout.split():
            virsh("vol-delete", "--pool", name, volume)
        virsh("pool-destroy", name)
        virsh("pool-undefine", name)


def make_volume(tmp_path, pool, name, fmt):
    path = tmp_path / f"{name}.vol.xml"
    path.write_text(render_volume(name, 1024**2, fmt), encoding="utf-8")
    check(virsh("vol-create", pool, str(path)))


@pytest.mark.parametrize("spec_name", sorted(SPECS))
def test_qemu_driver_defines_the_domain(tmp_path, pool, spec_name):
    spec = SPECS[spec_name](name=f"vmfleet-unit-{spec_name}-{uuid.uuid4().hex[:8]}", uuid=None)
    try:
        for disk in spec["disks"]:
            disk["pool"] = pool
            make_volume(tmp_path, pool, disk["volume"], disk["format"])
        path = tmp_path / "domain.xml"
        path.write_text(render_domain(spec), encoding="utf-8")
        check(virsh("define", str(path)))
        defined = ET.fromstring(check(virsh("dumpxml", "--inactive", spec["name"])).stdout)
        assert defined.get("type") == spec["domain_type"]
        assert [disk.find("source").get("volume") for disk in defined.findall("devices/disk")] == [
            disk["volume"] for disk in spec["disks"]
        ]
        assert [nic.find("mac").get("address") for nic in defined.findall("devices/interface")] == [
            nic["mac"] for nic in spec["interfaces"]
        ]
        assert defined.find("metadata/vmfleet:vm", NS) is not None
        check(virsh("undefine", spec["name"]))
    finally:
        virsh("undefine", spec["name"])
        for disk in spec["disks"]:
            virsh("vol-delete", "--pool", pool, disk["volume"])
