# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Host NUMA nodes, CPUs and hugepages from real and hand-written capabilities XML."""

from __future__ import annotations

from pathlib import Path

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.host import parse_host
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.capabilities import (
    parse_capabilities,
)
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.errors import LibvirtXmlError

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def caps(cells: str = "", cpu: str = "", guests: str = "") -> str:
    return (
        "<capabilities><host><cpu><arch>x86_64</arch>"
        "<pages unit='KiB' size='4'/><pages unit='KiB' size='2048'/>"
        f"{cpu}</cpu>{cells}</host>{guests}</capabilities>"
    )


def test_libvirt_test_driver():
    """test:///default: two cells, i686, and cell 1 made of 8 KiB pages on purpose."""
    result = parse_capabilities(fixture("testdrv_capabilities.xml"))
    assert result["arch"] == "i686"
    assert result["domain_types"] == ["test"]
    assert result["emulator"] == "/usr/bin/test-hv"
    assert result["machines"] == []
    assert [node["node_id"] for node in result["numa"]] == [0, 1]
    node0, node1 = result["numa"]
    assert node0["memory"] == {
        "total": 2048,
        "hugepages": [{"page_size": 2097152, "total": 0}, {"page_size": 1073741824, "total": 0}],
    }
    # The 8 KiB pages of cell 1 are its ordinary pages, not a hugepage pool holding the whole node.
    assert node1["memory"]["total"] == 4096
    assert [pool["page_size"] for pool in node1["memory"]["hugepages"]] == [2097152, 1073741824]
    assert result["hugepage_sizes"] == [2097152, 1073741824]
    assert [cpu["id"] for cpu in node0["cpus"]] == list(range(8))
    assert [cpu["id"] for cpu in node1["cpus"]] == list(range(8, 16))
    # core_id 0..7 repeats on socket 1; the record's core stays unique host-wide.
    assert node1["cpus"][0] == {"id": 8, "core": 8, "socket": 1, "siblings": [8], "online": True}
    cores = [cpu["core"] for node in result["numa"] for cpu in node["cpus"]]
    assert len(set(cores)) == 16


def test_real_qemu_host():
    result = parse_capabilities(fixture("qemu_host_capabilities.xml"))
    assert result["arch"] == "x86_64"
    assert result["domain_types"] == ["qemu", "kvm"]
    assert result["emulator"] == "/usr/bin/qemu-system-x86_64"
    assert "q35" in result["machines"]
    assert "pc-q35-7.2" in result["machines"]
    assert len(result["machines"]) == len(set(result["machines"]))
    # The i686 guest's machines are not the host's.
    assert result["numa"] == [
        {
            "node_id": 0,
            "cpus": [
                {"id": 0, "core": 0, "socket": 0, "siblings": [0], "online": True},
                {"id": 1, "core": 1, "socket": 0, "siblings": [1], "online": True},
            ],
            "memory": {
                "total": 5204180 // 1024,
                "hugepages": [{"page_size": 2097152, "total": 0}, {"page_size": 1073741824, "total": 0}],
            },
        }
    ]


def test_two_sockets_with_hyperthreads_and_hugepage_pools():
    result = parse_capabilities(fixture("hand_capabilities_2socket_ht_hugepages.xml"))
    node0, node1 = result["numa"]
    assert node0["memory"] == {
        "total": 16384,
        "hugepages": [{"page_size": 2097152, "total": 512}, {"page_size": 1073741824, "total": 2}],
    }
    assert node1["memory"]["hugepages"] == [
        {"page_size": 2097152, "total": 1024},
        {"page_size": 1073741824, "total": 0},
    ]
    by_id = {cpu["id"]: cpu for node in result["numa"] for cpu in node["cpus"]}
    # Threads of one core share its core number; socket 1's core_id 0 is a different core from socket 0's.
    assert by_id[0]["core"] == by_id[4]["core"] == 0
    assert by_id[1]["core"] == by_id[5]["core"] == 1
    assert by_id[2]["core"] == by_id[6]["core"] == 2
    assert by_id[3]["core"] == by_id[7]["core"] == 3
    assert by_id[6]["siblings"] == [2, 6]
    assert by_id[6]["socket"] == 1


def test_records_built_from_capabilities_pass_the_capacity_core():
    for name in (
        "testdrv_capabilities.xml",
        "qemu_host_capabilities.xml",
        "hand_capabilities_2socket_ht_hugepages.xml",
    ):
        numa = parse_capabilities(fixture(name))["numa"]
        state = parse_host({"name": "h", "type": "libvirt", "numa": numa})
        assert len(state.cpus) == sum(len(node["cpus"]) for node in numa)


def test_core_numbers_without_socket_and_core_ids_follow_siblings():
    cells = (
        "<topology><cells num='1'><cell id='0'><memory unit='KiB'>1048576</memory><cpus num='3'>"
        "<cpu id='0' siblings='0-1'/><cpu id='1' siblings='0-1'/><cpu id='2'/>"
        "</cpus></cell></cells></topology>"
    )
    cpus = parse_capabilities(caps(cells))["numa"][0]["cpus"]
    assert [(cpu["id"], cpu["core"], cpu["siblings"]) for cpu in cpus] == [(0, 0, [0, 1]), (1, 0, [0, 1]), (2, 2, [2])]


def test_siblings_default_to_threads_of_the_same_core():
    cells = (
        "<topology><cells num='1'><cell id='0'><cpus num='2'>"
        "<cpu id='0' socket_id='0' core_id='5'/><cpu id='1' socket_id='0' core_id='5'/>"
        "</cpus></cell></cells></topology>"
    )
    node = parse_capabilities(caps(cells))["numa"][0]
    assert [cpu["siblings"] for cpu in node["cpus"]] == [[0, 1], [0, 1]]
    # A cell without <memory> (CPU-only node) has none.
    assert node["memory"] == {"total": 0, "hugepages": []}


def test_cores_on_different_dies_are_different_cores():
    cells = (
        "<topology><cells num='1'><cell id='0'><cpus num='2'>"
        "<cpu id='0' socket_id='0' die_id='0' core_id='0' siblings='0'/>"
        "<cpu id='1' socket_id='0' die_id='1' core_id='0' siblings='1'/>"
        "</cpus></cell></cells></topology>"
    )
    cpus = parse_capabilities(caps(cells))["numa"][0]["cpus"]
    assert [cpu["core"] for cpu in cpus] == [0, 1]


def test_memory_only_node_and_base_pages_skipped():
    cells = (
        "<topology><cells num='2'>"
        "<cell id='0'><memory unit='KiB'>2097152</memory><pages unit='KiB' size='4'>262144</pages>"
        "<pages unit='KiB' size='2048'>512</pages><cpus num='1'><cpu id='0' socket_id='0' core_id='0' siblings='0'/>"
        "</cpus></cell>"
        "<cell id='1'><memory unit='KiB'>1048576</memory></cell>"
        "</cells></topology>"
    )
    node0, node1 = parse_capabilities(caps(cells))["numa"]
    assert node0["memory"] == {"total": 2048, "hugepages": [{"page_size": 2097152, "total": 512}]}
    assert node1 == {"node_id": 1, "cpus": [], "memory": {"total": 1024, "hugepages": []}}


def test_without_numa_topology_one_node_from_the_cpu_topology():
    cpu = "<topology sockets='2' dies='1' cores='2' threads='2'/>"
    result = parse_capabilities(caps(cpu=cpu))
    assert len(result["numa"]) == 1
    node = result["numa"][0]
    assert node["node_id"] == 0
    assert node["memory"] == {"total": 0, "hugepages": []}
    assert [cpu["id"] for cpu in node["cpus"]] == list(range(8))
    assert [(cpu["core"], cpu["socket"], cpu["siblings"]) for cpu in node["cpus"][:4]] == [
        (0, 0, [0, 1]),
        (0, 0, [0, 1]),
        (2, 0, [2, 3]),
        (2, 0, [2, 3]),
    ]
    assert node["cpus"][4]["socket"] == 1
    assert result["hugepage_sizes"] == [2097152]


def test_without_any_topology_node_0_has_no_cpus():
    result = parse_capabilities(caps())
    assert result["numa"] == [{"node_id": 0, "cpus": [], "memory": {"total": 0, "hugepages": []}}]
    assert result["domain_types"] == []
    assert result["emulator"] is None
    assert result["machines"] == []


def test_guest_of_other_arch_or_os_type_is_ignored_and_per_domain_machines_are_read():
    guests = (
        "<guest><os_type>xen</os_type><arch name='x86_64'><emulator>/xen</emulator>"
        "<domain type='xen'/></arch></guest>"
        "<guest><os_type>hvm</os_type><arch name='aarch64'><emulator>/arm</emulator>"
        "<domain type='qemu'/></arch></guest>"
        "<guest><os_type>hvm</os_type><arch name='x86_64'><machine>pc</machine>"
        "<domain type='qemu'/><domain type='kvm'><emulator>/usr/bin/kvm</emulator>"
        "<machine>pc</machine><machine>q35</machine></domain></arch></guest>"
    )
    result = parse_capabilities(caps(guests=guests))
    assert result["domain_types"] == ["qemu", "kvm"]
    assert result["emulator"] == "/usr/bin/kvm"
    assert result["machines"] == ["pc", "q35"]


def cell(body: str, cell_id: str = "0") -> str:
    return f"<topology><cells num='1'><cell id='{cell_id}'>{body}</cell></cells></topology>"


@pytest.mark.parametrize(
    "xml, message",
    [
        ("<capabilities/>", "capabilities: there is no <host> element"),
        ("<capabilities><host><cpu/></host></capabilities>", "capabilities: <host><cpu> has no <arch>"),
        ("<domain/>", "capabilities: root element is <domain>, expected <capabilities>"),
        ("<capabilities><host>", "capabilities: XML is not well-formed"),
        (
            caps(cell("<memory unit='XB'>1</memory>")),
            "capabilities: NUMA cell 0: <memory unit='XB'> is not a known unit",
        ),
        (caps(cell("<memory>x</memory>")), "capabilities: NUMA cell 0: <memory>: 'x' is not a whole number of KiB"),
        (caps(cell("", "a")), "capabilities: <cell>: <cell id='a'> id: 'a' is not a whole number"),
        (caps(cell("<pages unit='KiB'>1</pages>")), "NUMA cell 0: <pages unit='KiB'> has no size attribute"),
        (caps(cell("<pages size='4'>x</pages>")), "NUMA cell 0: <pages size='4'>: 'x' is not a whole number"),
        (
            caps(cell("<pages size='4'>1</pages><pages size='4'>2</pages>")),
            "NUMA cell 0: pages of 4096 bytes are listed twice",
        ),
        (caps(cell("<cpus><cpu socket_id='0'/></cpus>")), "NUMA cell 0: <cpu socket_id='0'> has no id attribute"),
        (caps(cell("<cpus><cpu id='0' siblings='0-x'/></cpus>")), "cpu 0 siblings: cpuset '0-x'"),
        (caps(cell("<cpus><cpu id='0'/><cpu id='0'/></cpus>")), "capabilities: cpu 0 is listed twice"),
        (
            caps("<topology><cells><cell id='0'/><cell id='0'/></cells></topology>"),
            "capabilities: NUMA cell 0 is listed twice",
        ),
        (caps(cpu="<topology sockets='0' cores='1' threads='1'/>"), "sockets: 0 is below 1"),
        (caps(cpu="<topology cores='1' threads='1'/>"), "has no sockets attribute"),
        (
            "<capabilities><host><cpu><arch>x86_64</arch><pages size='4' unit='XB'/></cpu></host></capabilities>",
            "capabilities: <host><cpu>: <pages size='4' unit='XB'> is not a known unit",
        ),
    ],
)
def test_errors_name_what_was_read(xml, message):
    with pytest.raises(LibvirtXmlError) as err:
        parse_capabilities(xml)
    assert message in str(err.value)
