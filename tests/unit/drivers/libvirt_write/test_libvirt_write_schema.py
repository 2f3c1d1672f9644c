# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rendered XML against libvirt itself: its RelaxNG schemas and its test driver's parser.

``virt-xml-validate`` (package libvirt-clients) must be installed: these tests fail, not skip, without it, since a
domain XML nobody validated is exactly what they are here to prevent. The test driver (``test:///default``) runs
inside virsh, so it needs no daemon; it parses the XML with the same code as the QEMU driver and runs the generic
validation (hugepage nodesets, NUMA cells, duplicate targets), but not the QEMU driver's own checks.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.metadata import VMFLEET_NS
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.write.domain import render_domain
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.write.volume import render_volume

from libvirt_write_specs import SPECS, VALIDATOR, VIRSH, explain, run

NS = {"vmfleet": VMFLEET_NS}


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def validate(path, schema):
    result = run(VALIDATOR, path, schema)
    assert result.returncode == 0, f"virt-xml-validate {path} {schema}: {explain(result)}"


@pytest.mark.parametrize("name", sorted(SPECS))
def test_domain_xml_matches_libvirt_schema(tmp_path, name):
    validate(write(tmp_path, f"{name}.xml", render_domain(SPECS[name]())), "domain")


def test_escaped_names_and_tags_still_match_the_schema(tmp_path):
    spec = SPECS["kvm_pinned"](name="a<b&\"c'")
    spec["metadata"]["tags"] = ['a<b&"c', "</vmfleet:tag><x/>"]
    validate(write(tmp_path, "nasty.xml", render_domain(spec)), "domain")


@pytest.mark.parametrize(
    ("name", "capacity", "fmt", "allocation"),
    [("web-1-root.qcow2", 20 * 1024**3, "qcow2", 0), ("lv-web-1", 10**9, None, 10**9), ("a<b&c", 1, "raw", 0)],
)
def test_volume_xml_matches_libvirt_schema(tmp_path, name, capacity, fmt, allocation):
    validate(write(tmp_path, "volume.xml", render_volume(name, capacity, fmt, allocation)), "storagevol")


def test_validator_rejects_what_libvirt_rejects(tmp_path):
    """The validator really validates: a domain with an unknown element fails."""
    broken = render_domain(SPECS["pxe_tcg"]()).replace("<features>", "<features>\n    <warp-drive/>")
    result = run(VALIDATOR, write(tmp_path, "broken.xml", broken), "domain")
    assert result.returncode != 0, explain(result)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_libvirt_test_driver_defines_the_domain(tmp_path, name):
    """The test driver accepts domain type kvm and qemu as they are: no rewriting to type 'test' is needed."""
    spec = SPECS[name]()
    path = write(tmp_path, f"{name}.xml", render_domain(spec))
    result = run(VIRSH, "-q", "-c", "test:///default", f"define {path} ; dumpxml {spec['name']}")
    assert result.returncode == 0, explain(result)
    defined = ET.fromstring(result.stdout[result.stdout.index("<domain") :])
    assert defined.get("type") == spec["domain_type"]
    assert defined.findtext("name") == spec["name"]
    assert len(defined.findall("devices/disk")) == len(spec["disks"])
    assert len(defined.findall("devices/interface")) == len(spec["interfaces"])
    assert defined.find("metadata/vmfleet:vm", NS) is not None
    assert len(defined.findall("cputune/vcpupin")) == len(spec["vcpupin"])
    assert len(defined.findall("cpu/numa/cell")) == len(spec["guest_numa"])


def test_hugepage_nodeset_names_guest_cells(tmp_path):
    """Why the renderer drops ``hugepages.nodeset`` on a VM without guest NUMA cells.

    libvirt reads the nodeset as guest cells: without cells it normalises '0' away (so leaving it out renders what
    dumpxml shows) and refuses anything else, such as a host node number.
    """
    rendered = render_domain(SPECS["kvm_pinned"]())
    for nodeset, refused in (("0", False), ("1", True)):
        text = rendered.replace("unit='KiB'/>", f"unit='KiB' nodeset='{nodeset}'/>")
        path = write(tmp_path, f"nodeset{nodeset}.xml", text)
        result = run(VIRSH, "-q", "-c", "test:///default", f"define {path} ; dumpxml db-1")
        if refused:
            assert result.returncode != 0
            assert "hugepages: node 1 not found" in result.stderr
        else:
            assert result.returncode == 0, explain(result)
            assert "<page size='2048' unit='KiB'/>" in result.stdout
