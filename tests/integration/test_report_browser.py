# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The capacity report of real host records, opened in a real browser (headless Chromium).

The records come from the real libvirtd and LXD: a VM host policy on each, VMs composed by vm_compose (libvirt VMs
left shut off and small; on LXD a system container from the test image), and one libvirt domain defined with virsh
behind the collection's back, which puts the host past its policy. vm_report writes the page; Chromium renders it.
The DOM must show each host, NUMA node, CPU, VM, storage pool and finding with the records' figures; the page must
ask the network for nothing (checked in Chromium's net log, against a control page that does ask); screenshots at
1280 and 390 px wide are kept under tests/output/report/ for a person to look at, and at 390 px the page is no
wider than the screen. playbooks/report.yml is run on the same hosts as an inventory group.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from browser import chromium, dump_dom, page_requests, screenshot
from lxd_support import TEST_IMAGE, lxc_json

from ansible_collections.vmfleet.hosts.plugins.module_utils.report import formats as fmt

from conftest import TEST_POOL_PREFIX, TEST_VM_PREFIX, virsh
from playbook_runner import play, run_playbook

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
OUTPUT = REPO / "tests" / "output" / "report"
POOL = TEST_POOL_PREFIX + "report"
PROJECT = "vmfleet-test-report"
VM = TEST_VM_PREFIX + "rep-"
OUTSIDE = VM + "outside"
LIBVIRT_DEFAULTS = {"vmfleet.hosts.vm_compose": {"cpu_disabled_features": ["arch-capabilities"], "shutdown_timeout": 5}}
LXD = {"type": "lxd", "project": PROJECT}
LXD_DEFAULTS = {
    "vmfleet.hosts.vm_compose": {**LXD, "shutdown_timeout": 10},
    "vmfleet.hosts.vm_host": LXD,
    "vmfleet.hosts.vm_host_info": LXD,
}


class Dom(HTMLParser):
    """The rendered DOM as nested elements: (tag, attributes, children, text)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = {"tag": "#root", "attrs": {}, "children": [], "text": []}
        self.stack = [self.root]

    VOID = {"meta", "link", "br", "img", "input", "hr", "rect", "line"}

    def handle_starttag(self, tag, attrs):
        node = {"tag": tag, "attrs": dict(attrs), "children": [], "text": []}
        self.stack[-1]["children"].append(node)
        if tag not in self.VOID:
            self.stack.append(node)

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i]["tag"] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        for node in self.stack:  # each element keeps its whole text in document order
            node["text"].append(data)


def parse(dom: str) -> dict:
    parser = Dom()
    parser.feed(dom)
    return parser.root


def walk(node):
    yield node
    for child in node["children"]:
        yield from walk(child)


def find(node, tag=None, **attrs):
    return [
        n
        for n in walk(node)
        if (tag is None or n["tag"] == tag) and all(n["attrs"].get(k.replace("_", "-")) == v for k, v in attrs.items())
    ]


def text(node) -> str:
    return " ".join(" ".join(node["text"]).split())


def cells(row) -> list:
    return [text(c) for c in row["children"] if c["tag"] in ("td", "th")]


def define_outside_domain(vcpus: int) -> None:
    """A domain made with virsh, not by the collection: discovery counts it, as it would count anyone's."""
    xml = (
        f"<domain type='qemu'><name>{OUTSIDE}</name><memory unit='MiB'>64</memory><vcpu>{vcpus}</vcpu>"
        "<os><type arch='x86_64'>hvm</type></os></domain>"
    )
    path = OUTPUT.parent / "outside-domain.xml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(xml)
    virsh("define", str(path))


def libvirt_record(tmp_path, pool_path) -> dict:
    vm = {"memory": 128, "storage": "root:1", "interfaces": "eth0:", "state": "present"}
    results, proc = play(
        sub(tmp_path, "libvirt"),
        [
            {
                "name": "vm host",
                "vmfleet.hosts.vm_host": {
                    "default_storage_pool": POOL,
                    "create_default_storage_pool": True,
                    "default_storage_pool_path": str(pool_path),
                    "networks": [{"name": "default", "default": True}],
                    "cpu_over_commit_ratio": 2,
                    "reserved": {"memory": 256},
                    "zone": "lab",
                    "tags": ["report-test"],
                },
            },
            {
                "name": "pinned",
                "vmfleet.hosts.vm_compose": {"name": VM + "pinned", "cores": 1, "pinned_cores": [1], **vm},
            },
            {
                "name": "small",
                "vmfleet.hosts.vm_compose": {"name": VM + "small", "cores": 1, "tags": ["web"], **vm},
            },
            {"name": "info", "vmfleet.hosts.vm_host_info": {}},
        ],
        timeout=300,
        module_defaults=LIBVIRT_DEFAULTS,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # past the policy by one vCPU, whatever else runs on this libvirtd
    define_outside_domain(results["info"]["host"]["available"]["vcpus"] + 1)
    results, proc = play(sub(tmp_path, "libvirt-after"), [{"name": "info", "vmfleet.hosts.vm_host_info": {}}])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return results["info"]["host"]


def lxd_record(tmp_path) -> dict:
    if not any(a["name"] == TEST_IMAGE for a in lxc_json("image", "alias", "list")):
        subprocess.run(["bash", str(REPO / "tools" / "build_lxd_image.sh")], check=True, capture_output=True)
    results, proc = play(
        sub(tmp_path, "lxd"),
        [
            {
                "name": "vm host",
                "vmfleet.hosts.vm_host": {
                    "create_project": True,
                    "default_storage_pool": "default",
                    "networks": [{"name": "lxdbr0", "default": True}],
                    "memory_over_commit_ratio": 1.5,
                    "zone": "edge",
                },
            },
            {
                "name": "container",
                "vmfleet.hosts.vm_compose": {
                    "name": VM + "ct",
                    "boot": "image",
                    "image": {"alias": TEST_IMAGE},
                    "instance_type": "container",
                    "cores": 1,
                    "memory": 256,
                    "storage": "root:2",
                    "interfaces": [{"name": "eth0", "network": "lxdbr0"}],
                    "tags": ["edge"],
                    "state": "present",
                },
            },
            {"name": "info", "vmfleet.hosts.vm_host_info": {}},
        ],
        timeout=300,
        module_defaults=LXD_DEFAULTS,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return results["info"]["host"]


def sub(tmp_path: Path, name: str) -> Path:
    """A directory of its own for one play (each play writes its play.yml and results.json)."""
    path = tmp_path / name
    path.mkdir(exist_ok=True)
    return path


def labels(records) -> list:
    """The report's name for each host (records of one machine share its name; the report adds the type)."""
    names = [r["name"] for r in records]
    return [r["name"] if names.count(r["name"]) == 1 else f"{r['name']} ({r['type']})" for r in records]


def pool_percent(pool) -> float:
    return round(100 * pool["used"] / pool["total"], 1) if pool["total"] else None


def assert_host(article, record):
    rows = {r["attrs"]["data-resource"]: cells(r) for r in find(article, "tr") if "data-resource" in r["attrs"]}
    used, total, available = record["used"], record["total"], record["available"]
    # vCPUs: used, allowed (the policy's budget), physical cores, free
    assert rows["vcpus"][1:5] == [
        str(used["vcpus"]),
        str(total["vcpus"]),
        str(total["cores"]),
        str(total["vcpus"] - used["vcpus"]),
    ], rows["vcpus"]
    assert rows["vcpus"][5] == fmt.ratio(record["cpu_over_commit_ratio"])
    if used["memory"] <= used["memory"] + available["memory"]:
        assert rows["memory"][1] == fmt.mib(used["memory"])
    assert rows["memory"][5] == fmt.ratio(record["memory_over_commit_ratio"])
    pools = {r["attrs"]["data-pool"]: r for r in find(article, "tr") if "data-pool" in r["attrs"]}
    assert sorted(pools) == sorted(p["name"] for p in record["storage_pools"])
    for pool in record["storage_pools"]:
        row = cells(pools[pool["name"]])
        assert row[1:3] == [fmt.size(pool["used"]), fmt.size(pool["total"])], row
        assert row[4] == fmt.size(pool["available"])
        assert ("default" in row[0].split()) is bool(pool["default"]), row[0]
    nodes = {n["attrs"]["data-node"]: n for n in find(article, "section") if "data-node" in n["attrs"]}
    assert sorted(nodes) == sorted(str(n["node_id"]) for n in record["numa"])
    for node in record["numa"]:
        shown = nodes[str(node["node_id"])]
        cpus = {c["attrs"]["data-cpu"]: c["attrs"] for c in find(shown, "li") if "data-cpu" in c["attrs"]}
        assert sorted(cpus, key=int) == [str(c["id"]) for c in node["cpus"]]
        assert sorted(int(c) for c, a in cpus.items() if a["data-status"] == "pinned") == node["cores"]["allocated"]
        assert sorted(int(c) for c, a in cpus.items() if a["data-status"] == "free") == node["cores"]["free"]
        words = text(shown)
        assert (
            f"{len(node['cores']['allocated'])} of {len(node['cores']['free']) + len(node['cores']['allocated'])}"
            in words
        )
        for name in node["vms"]:
            assert name in words
    vms = {r["attrs"]["data-vm"]: cells(r) for r in find(article, "tr") if "data-vm" in r["attrs"]}
    assert sorted(vms) == sorted(vm["name"] for vm in record["vms"])
    for vm in record["vms"]:
        row = vms[vm["name"]]
        assert row[1] == (vm["power_state"] or "-")
        assert row[2] == str(vm["cores"]) and row[4] == fmt.mib(vm["memory"])
        assert row[3] == (fmt.cpuset(vm["pinned_cores"]) if vm["pinned_cores"] else "-")
        assert row[5] == fmt.hugepages(vm["hugepages"])
        for disk in vm["disks"]:
            assert f"{disk['name']} {fmt.size(disk['size'])} @ {disk['pool']}" in row[7]
        for tag in vm["tags"]:
            assert tag in row[10].split()


def test_report_of_real_hosts_in_chromium(tmp_path, pool_path, clean_libvirt, clean_lxd):
    kvm = libvirt_record(tmp_path, pool_path)
    lxd = lxd_record(tmp_path)
    records = [kvm, lxd]
    assert OUTSIDE in [vm["name"] for vm in kvm["vms"]] and kvm["used"]["vcpus"] > kvm["total"]["vcpus"]
    # every pool at or above the libvirt test pool's share counts as nearly full
    test_pool = next(p for p in kvm["storage_pools"] if p["name"] == POOL)
    threshold = max(1, math.floor(pool_percent(test_pool)))
    nearly_full = sorted(
        (label, p["name"])
        for label, r in zip(labels(records), records)
        for p in r["storage_pools"]
        if p["active"] and p["available"] >= 0 and p["total"] and pool_percent(p) >= threshold
    )
    assert (labels(records)[0], POOL) in nearly_full

    dest = tmp_path / "report"
    results, proc = play(
        sub(tmp_path, "report-play"),
        [
            {
                "name": "report",
                "vmfleet.hosts.vm_report": {
                    "hosts": records,
                    "dest": str(dest),
                    "pool_full_percent": threshold,
                    "title": "Report test <fleet>",
                },
            },
            {
                "name": "again",
                "vmfleet.hosts.vm_report": {
                    "hosts": records,
                    "dest": str(dest),
                    "pool_full_percent": threshold,
                    "title": "Report test <fleet>",
                },
            },
        ],
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report, again = results["report"], results["again"]
    assert report["changed"] is True and again["changed"] is False
    page = Path(report["files"]["html"])
    assert page == dest / "capacity-report.html" and Path(report["files"]["json"]).exists()
    facts = json.loads(Path(report["files"]["json"]).read_text())
    assert [h["name"] for h in facts["hosts"]] == sorted(labels(records))

    source = page.read_text(encoding="utf-8")
    dom, requests = dump_dom(tmp_path / "chromium", page)
    assert requests == [], f"the page asked the network for {requests}"
    root = parse(dom)
    assert text(find(root, "title")[0]) == "Report test <fleet>"
    # every src/href in the rendered page is a fragment of the page itself
    for node in walk(root):
        for key in ("src", "href"):
            value = node["attrs"].get(key)
            assert value is None or value.startswith("#"), (node["tag"], key, value)
    assert "http://" not in source and "https://" not in source

    articles = {a["attrs"]["data-host"]: a for a in find(root, "article")}
    assert sorted(articles) == sorted(labels(records))
    for label, record in zip(labels(records), records):
        assert_host(articles[label], record)
    summary = text(find(root, "ul", **{"aria_label": "Fleet at a glance"})[0])
    assert f"{len(kvm['vms']) + len(lxd['vms'])} VMs" in summary

    findings = [
        (f["attrs"]["data-host"], f["attrs"]["data-kind"], cells(f)[2])
        for f in find(find(root, "section", id="findings")[0], "tr")
        if "data-kind" in f["attrs"]
    ]
    over = (labels(records)[0], "over_policy", "vcpus")
    assert over in findings
    over_row = next(f for f in find(root, "tr") if f["attrs"].get("data-kind") == "over_policy")
    assert f"{kvm['used']['vcpus']} used, the policy allows {kvm['total']['vcpus']}" in text(over_row)
    assert sorted((h, s.removeprefix("pool ")) for h, k, s in findings if k == "pool_nearly_full") == nearly_full
    # one NUMA node and no SR-IOV card on this machine: no NUMA or VF finding can be true of its records
    assert not [f for f in findings if f[1] in ("nic_numa_mismatch", "vm_spans_numa_nodes", "vfs_exhausted")]
    assert len(findings) == len(report["findings"])

    # the net log check can fail: a control page that does fetch is caught
    control = tmp_path / "control.html"
    control.write_text('<!DOCTYPE html><html><body><img src="http://vmfleet-probe.invalid/x.png"></body></html>')
    _out, netlog = chromium(tmp_path / "control", control.as_uri(), "--dump-dom")
    assert page_requests(netlog) == ["http://vmfleet-probe.invalid/x.png"]

    for width in (1280, 390):
        shot = OUTPUT / f"report-{width}.png"
        size = screenshot(tmp_path / f"shot-{width}", page, shot, width)
        assert size["scroll-width"] <= width, f"at {width} px the page is {size['scroll-width']} px wide"
        print(f"screenshot {shot} ({width} x {size['scroll-height']} px)")
    (OUTPUT / "capacity-report.html").write_text(source, encoding="utf-8")


def test_report_playbook_for_an_inventory_group(tmp_path, pool_path, clean_libvirt, clean_lxd):
    kvm = libvirt_record(tmp_path, pool_path)
    lxd = lxd_record(tmp_path)
    host_vars = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(
        yaml.safe_dump(
            {
                # the controller, where the report is written (the runner lists localhost without a connection)
                "controller": {"hosts": {"localhost": host_vars}},
                "vm_hosts": {
                    "hosts": {
                        "kvm": {**host_vars, "vmfleet_type": "libvirt"},
                        "lxd": {**host_vars, "vmfleet_type": "lxd", "vmfleet_project": PROJECT},
                    }
                },
            }
        )
    )
    dest = tmp_path / "reports"
    proc = run_playbook(
        REPO / "playbooks" / "report.yml", "-i", str(inventory), "-e", f"report_dest={dest}", timeout=300
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    page = dest / "capacity-report.html"
    assert "capacity report of 2 VM host(s)" in proc.stdout and str(page) in proc.stdout
    assert "VM FLEET CAPACITY: 2 host(s)" in proc.stdout  # the tables in the job output
    dom, requests = dump_dom(tmp_path / "chromium", page, width=390)
    assert requests == []
    root = parse(dom)
    assert sorted(a["attrs"]["data-host"] for a in find(root, "article")) == sorted(labels([kvm, lxd]))
    shown = sorted(r["attrs"]["data-vm"] for r in find(root, "tr") if "data-vm" in r["attrs"])
    assert shown == sorted(vm["name"] for vm in kvm["vms"] + lxd["vms"])
    assert (dest / "capacity-report.txt").read_text().startswith("VM FLEET CAPACITY: 2 host(s)")


def test_check_mode_diff_and_bad_input_through_ansible_playbook(tmp_path):
    """Check mode writes nothing and says what would change, diff shows it; bad input fails naming the option."""
    hosts = yaml.safe_load((REPO / "playbooks" / "vars" / "demo_fleet.yml").read_text())["demo_fleet_hosts"]
    dest = tmp_path / "out"
    base = {"hosts": hosts, "dest": str(dest), "formats": ["html", "text"]}
    results, proc = play(
        sub(tmp_path, "modes"),
        [
            {"name": "predict", "vmfleet.hosts.vm_report": base, "check_mode": True},
            {"name": "write", "vmfleet.hosts.vm_report": base},
            {
                "name": "retitle",
                "vmfleet.hosts.vm_report": {**base, "title": "Other"},
                "check_mode": True,
                "diff": True,
            },
            {"name": "bad", "vmfleet.hosts.vm_report": {**base, "pool_full_percent": 120}, "ignore_errors": True},
            {"name": "bad name", "vmfleet.hosts.vm_report": {**base, "name": "../x"}, "ignore_errors": True},
        ],
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert results["predict"]["changed"] is True and results["write"]["changed"] is True
    assert sorted(p.name for p in dest.iterdir()) == ["capacity-report.html", "capacity-report.txt"]
    retitle = results["retitle"]
    assert (
        retitle["changed"] is True and "<title>VM fleet capacity</title>" in (dest / "capacity-report.html").read_text()
    )
    after = "".join(d.get("after", "") for d in retitle["diff"])
    assert "<title>Other</title>" in after and "OTHER: 4 host(s)" in after
    bad = results["bad"]
    assert bad["failed"] and bad["option"] == "pool_full_percent" and "120" in bad["msg"]
    assert results["bad name"]["failed"] and results["bad name"]["option"] == "name"
    assert not (tmp_path / "x.html").exists()
