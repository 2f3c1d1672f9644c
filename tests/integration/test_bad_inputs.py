# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every bad input is a clear error (issue 10, deliver 5): a table of bad inputs across the five modules, run with
ansible-playbook against the real libvirtd (qemu:///system) and the local LXD.

For each case: the task failed, with no traceback (no module_stderr Traceback, no "MODULE FAILURE", no "Module
failed"), the option is named (the result's ``option``, or its name in ``msg``), and the host is unchanged: the
domains, pools and their volumes, networks and the stored policy on libvirt (``virsh``), the instances, profiles,
custom volumes and project config on LXD (``lxc``) are the same before and after. Secrets given to a case (a trust
password, user-data) appear nowhere in the results or the ``-vvv`` output. The cases run in one playbook, so the
whole table costs one ansible-playbook start.
"""

from __future__ import annotations

import json
import subprocess
import uuid

import pytest
from lxd_support import HTTPS_ADDRESS, TEST_IMAGE, lxc, lxc_json, query, server_fingerprint

from conftest import virsh, volume_names
from playbook_runner import play

pytestmark = pytest.mark.integration

PROJECT = "vmfleet-test-badinput"
POOL = "vmfleet-test-badinput"
VM = "vmft-bi"
LIBVIRT = {"address": "qemu:///system"}
LXD = {"type": "lxd", "project": PROJECT}
SECRET = f"vmft-secret-{uuid.uuid4().hex}"
HOST_CORES = int(subprocess.run(["nproc", "--all"], capture_output=True, text=True, check=True).stdout)


def compose(**options):
    return {"name": VM, "cores": 1, "memory": 256, **options}


def host_cases() -> list:
    """(label, module, options, option named); options without connection options get libvirt's."""
    bad_nic = [
        ({"vlan": 5000}, "interfaces[0].vlan"),
        ({"vlan": "ten"}, "interfaces[0].vlan"),
        ({"mac": "zz:zz"}, "interfaces[0].mac"),
        ({"ip": "300.1.1.1"}, "interfaces[0].ip"),
        ({"ip": "10.1.0.5", "subnet": "10.0.0.0/24"}, "interfaces[0].ip"),
        ({"subnet": "10.0.0.0/33"}, "interfaces[0].subnet"),
        ({"mode": "weird"}, "interfaces[0].mode"),
        ({"network": "default", "bridge": "br0"}, "interfaces[0].bridge"),
        ({"nosuch": 1}, "interfaces[0]"),
        ({"macvlan_mode": "vepa"}, "interfaces[0].macvlan_mode"),
        ({"name": "a-very-long-interface-name"}, "interfaces[0].name"),
        ({"vlan": []}, "interfaces[0].vlan"),
    ]
    cases = [
        ("compose: constraints unknown key", "vm_compose", {"name": VM, "constraints": "ram=1G"}, "constraints"),
        ("compose: constraints with cores", "vm_compose", compose(constraints="cores=2"), "constraints"),
        ("compose: constraints cloud key", "vm_compose", {"name": VM, "constraints": "cpu-power=100"}, "constraints"),
        (
            "compose: constraints zone not this host's",
            "vm_compose",
            {"name": VM, "memory": 256, "constraints": "zones=vmfleet-test-nosuch-zone"},
            "constraints",
        ),
        ("cpu features: XML", "vm_compose", compose(cpu_disabled_features=["x'/><evil"]), "cpu_disabled_features[0]"),
        (
            "cpu features: twice",
            "vm_compose",
            compose(cpu_disabled_features=["pdpe1gb", "pdpe1gb"]),
            "cpu_disabled_features[1]",
        ),
        ("cpu features: empty", "vm_compose", compose(cpu_disabled_features=[""]), "cpu_disabled_features[0]"),
        ("cpu features: space", "vm_compose", compose(cpu_disabled_features=["a b"]), "cpu_disabled_features[0]"),
        ("cpu features: long", "vm_compose", compose(cpu_disabled_features=["a" * 65]), "cpu_disabled_features[0]"),
        ("interfaces: text", "vm_compose", compose(interfaces="abc"), "interfaces"),
        ("interfaces: number", "vm_compose", compose(interfaces=5), "interfaces"),
        ("interfaces: mapping", "vm_compose", compose(interfaces={"a": 1}), "interfaces"),
        ("interfaces: [number]", "vm_compose", compose(interfaces=[5]), "interfaces[0]"),
        (
            "interfaces: duplicate names",
            "vm_compose",
            compose(interfaces=[{"name": "a"}, {"name": "a"}]),
            "interfaces[1].name",
        ),
        *[
            (f"nic {i}: {nic}", "vm_compose", compose(interfaces=[nic]), where)
            for i, (nic, where) in enumerate(bad_nic)
        ],
        ("disks: text", "vm_compose", compose(disks="abc"), "disks"),
        ("disks: [number]", "vm_compose", compose(disks=[1]), "disks"),
        ("disks: size unit", "vm_compose", compose(disks=[{"size": "12X"}]), "disks[0].size"),
        ("disks: size negative", "vm_compose", compose(disks=[{"size": -1}]), "disks[0].size"),
        ("disks: size zero", "vm_compose", compose(disks=[{"size": 0}]), "disks[0].size"),
        ("disks: size 10E", "vm_compose", compose(disks=[{"size": "10E"}]), "disks[0].size"),
        ("disks: unknown key", "vm_compose", compose(disks=[{"size": 1, "colour": "red"}]), "disks[0]"),
        (
            "disks: same name",
            "vm_compose",
            compose(disks=[{"name": "a", "size": 1}, {"name": "a", "size": 1}]),
            "disks[1].name",
        ),
        ("storage: words", "vm_compose", compose(storage="root:abc"), "storage"),
        ("disks and storage", "vm_compose", compose(disks=[{"size": 1}], storage="root:1"), "storage"),
        ("cores: 0", "vm_compose", compose(cores=0), "cores"),
        ("cores: 10**5", "vm_compose", compose(cores=10**5), "cores"),
        ("cores: text", "vm_compose", compose(cores="many"), "cores"),
        ("cores: list", "vm_compose", compose(cores=[1]), "cores"),
        ("memory: 5P", "vm_compose", compose(memory="5P"), "memory"),
        ("memory: words", "vm_compose", compose(memory="lots"), "memory"),
        ("memory: 0", "vm_compose", compose(memory=0), "memory"),
        ("memory: 1.5K", "vm_compose", compose(memory="1.5K"), "memory"),
        ("memory: negative", "vm_compose", compose(memory="-1G"), "memory"),
        ("pinned_cores: range words", "vm_compose", compose(pinned_cores="a-b"), "pinned_cores"),
        ("pinned_cores: mapping", "vm_compose", compose(pinned_cores={"a": 1}), "pinned_cores"),
        ("pinned_cores: huge core", "vm_compose", compose(pinned_cores=[70000]), "pinned_cores[0]"),
        ("pinned_cores: count differs", "vm_compose", compose(cores=2, pinned_cores=[0]), "cores"),
        ("hugepage_size without backing", "vm_compose", compose(hugepage_size="2M"), "hugepage_size"),
        (
            "hugepage_size not a power of 2",
            "vm_compose",
            compose(hugepages_backed=True, hugepage_size="3M"),
            "hugepage_size",
        ),
        (
            "hugepage memory not whole pages",
            "vm_compose",
            compose(memory=257, hugepages_backed=True, hugepage_size="2M"),
            "memory",
        ),
        ("name: punctuation", "vm_compose", compose(name="bad name!"), "name"),
        ("name: too long", "vm_compose", compose(name="vmft-" + "x" * 80), "name"),
        ("tags: empty", "vm_compose", compose(tags=[""]), "tags"),
        ("pool: empty", "vm_compose", compose(pool=" "), "pool"),
        ("lock_timeout: -5", "vm_compose", compose(lock_timeout=-5), "lock_timeout"),
        ("shutdown_timeout: 10**9", "vm_compose", compose(shutdown_timeout=10**9), "shutdown_timeout"),
        ("image: text", "vm_compose", compose(boot="image", image="abc"), "image"),
        ("image: list", "vm_compose", compose(boot="image", image=[1]), "image"),
        ("image: missing", "vm_compose", compose(boot="image"), "image"),
        ("image: without boot image", "vm_compose", compose(image={"pool": POOL, "volume": "x"}), "image"),
        ("image: LXD alias on libvirt", "vm_compose", compose(boot="image", image={"alias": "debian"}), "image"),
        ("cloud_init: text", "vm_compose", compose(boot="image", cloud_init="abc"), "cloud_init"),
        ("cloud_init: list", "vm_compose", compose(boot="image", cloud_init=[SECRET]), "cloud_init"),
        (
            "cloud_init: user_data a list",
            "vm_compose",
            compose(boot="image", image={"pool": POOL, "volume": "x"}, cloud_init={"user_data": [SECRET]}),
            "cloud_init.user_data",
        ),
        (
            "cloud_init: network boot",
            "vm_compose",
            compose(cloud_init={"user_data": f"#cloud-config\n# {SECRET}"}),
            "cloud_init",
        ),
        (
            "cloud_init: empty key",
            "vm_compose",
            compose(boot="image", image={"pool": POOL, "volume": "x"}, cloud_init={"ssh_authorized_keys": [""]}),
            "cloud_init.ssh_authorized_keys",
        ),
        ("instance_type on libvirt", "vm_compose", compose(instance_type="container"), "instance_type"),
        ("accelerator: xen", "vm_compose", compose(accelerator="xen"), "accelerator"),
        ("state: gone", "vm_compose", compose(state="gone"), "state"),
        ("numa_strict: maybe", "vm_compose", compose(numa_strict="maybe"), "numa_strict"),
        ("unknown option", "vm_compose", compose(corez=2), "corez"),
        ("name missing", "vm_compose", {"cores": 1}, "name"),
        ("disks: [null]", "vm_compose", compose(disks=[None]), "disks"),
        ("interfaces: [null]", "vm_compose", compose(interfaces=[None]), "interfaces[0]"),
        ("tags: [null]", "vm_compose", compose(tags=[None]), "tags[0]"),
        ("cpu features: [null]", "vm_compose", compose(cpu_disabled_features=[None]), "cpu_disabled_features[0]"),
        ("image: [null]", "vm_compose", compose(boot="image", image=[None]), "image"),
        ("networks: [null]", "vm_host", {"networks": [None]}, "networks[0]"),
        ("networks: name null", "vm_host", {"networks": [{"name": None}]}, "networks[0].name"),
        # vm_host on libvirt
        ("networks: text", "vm_host", {"networks": "abc"}, "networks"),
        ("networks: mapping", "vm_host", {"networks": {"name": "default"}}, "networks"),
        ("networks: [number]", "vm_host", {"networks": [1]}, "networks[0]"),
        ("networks: [text]", "vm_host", {"networks": ["default"]}, "networks[0]"),
        (
            "networks: vlan 5000",
            "vm_host",
            {"networks": [{"name": "default", "vlans": [5000]}]},
            "networks[0].vlans[0]",
        ),
        ("networks: vlan -1", "vm_host", {"networks": [{"name": "default", "vlans": [-1]}]}, "networks[0].vlans[0]"),
        ("networks: vlans text", "vm_host", {"networks": [{"name": "default", "vlans": "x"}]}, "vlans"),
        (
            "networks: bad subnet",
            "vm_host",
            {"networks": [{"name": "default", "subnets": ["10.0.0.0/40"]}]},
            "networks[0].subnets[0]",
        ),
        ("networks: twice", "vm_host", {"networks": [{"name": "default"}, {"name": "default"}]}, "networks[1].name"),
        (
            "networks: two defaults",
            "vm_host",
            {"networks": [{"name": "default", "default": True}, {"name": "lo", "default": True}]},
            "networks",
        ),
        ("networks: no name", "vm_host", {"networks": [{"vlans": [1]}]}, "name"),
        ("networks: not on host", "vm_host", {"networks": [{"name": "vmfleet-test-nosuch"}]}, "networks"),
        ("reserved: text", "vm_host", {"reserved": "abc"}, "reserved"),
        ("reserved: list", "vm_host", {"reserved": [1]}, "reserved"),
        ("reserved: number", "vm_host", {"reserved": 4}, "reserved"),
        ("reserved.cores: -1", "vm_host", {"reserved": {"cores": -1}}, "reserved.cores"),
        ("reserved.cores: 10**12", "vm_host", {"reserved": {"cores": 10**12}}, "reserved.cores"),
        ("reserved.cores: beyond host", "vm_host", {"reserved": {"cores": HOST_CORES + 1}}, "reserved.cores"),
        ("reserved.memory: 1P beyond host", "vm_host", {"reserved": {"memory": "1P"}}, "reserved.memory"),
        ("reserved.memory: 1E", "vm_host", {"reserved": {"memory": "1E"}}, "reserved.memory"),
        ("reserved.memory: words", "vm_host", {"reserved": {"memory": "lots"}}, "reserved.memory"),
        ("reserved.memory: negative", "vm_host", {"reserved": {"memory": "-1G"}}, "reserved.memory"),
        ("reserved: unknown key", "vm_host", {"reserved": {"disks": 1}}, "disks"),
        ("cpu ratio: 11", "vm_host", {"cpu_over_commit_ratio": 11}, "cpu_over_commit_ratio"),
        ("cpu ratio: -1", "vm_host", {"cpu_over_commit_ratio": -1}, "cpu_over_commit_ratio"),
        ("cpu ratio: words", "vm_host", {"cpu_over_commit_ratio": "lots"}, "cpu_over_commit_ratio"),
        ("memory ratio: 10.5", "vm_host", {"memory_over_commit_ratio": 10.5}, "memory_over_commit_ratio"),
        ("memory ratio: list", "vm_host", {"memory_over_commit_ratio": [1]}, "memory_over_commit_ratio"),
        ("tags: mapping", "vm_host", {"tags": {"a": 1}}, "tags"),
        ("tags: empty", "vm_host", {"tags": [""]}, "tags"),
        ("pool: empty", "vm_host", {"pool": " "}, "pool"),
        ("zone: empty", "vm_host", {"zone": ""}, "zone"),
        (
            "default pool: not on host",
            "vm_host",
            {"default_storage_pool": "vmfleet-test-nosuch"},
            "default_storage_pool",
        ),
        (
            "default pool path: relative",
            "vm_host",
            {
                "default_storage_pool": "vmfleet-test-nosuch",
                "create_default_storage_pool": True,
                "default_storage_pool_path": "vms/pool",
            },
            "default_storage_pool_path",
        ),
        ("create_project on libvirt", "vm_host", {"create_project": True}, "create_project"),
        ("state: maybe", "vm_host", {"state": "maybe"}, "state"),
        ("force: maybe", "vm_host", {"force": "maybe"}, "force"),
        # vm_host_info: its only options are the connection's
        ("info: address not a URI", "vm_host_info", {"address": "kvm-01"}, "address"),
        ("info: type virsh", "vm_host_info", {"type": "virsh"}, "type"),
        ("info: cert without key", "vm_host_info", {**LXD, "client_cert": "/nonexistent.crt"}, "client_key"),
        ("info: project list", "vm_host_info", {**LXD, "project": ["a"]}, "project"),
        ("info: missing project", "vm_host_info", {**LXD, "project": "vmfleet-test-badinput-nosuch"}, "project"),
        ("info: unknown option", "vm_host_info", {"adress": "qemu:///system"}, "adress"),
        # LXD
        (
            "lxd: cpu features",
            "vm_compose",
            {**LXD, **compose(cpu_disabled_features=["arch-capabilities"])},
            "cpu_disabled_features",
        ),
        (
            "lxd: cpu features XML",
            "vm_compose",
            {**LXD, **compose(cpu_disabled_features=["x'/><evil"])},
            "cpu_disabled_features[0]",
        ),
        ("lxd: accelerator", "vm_compose", {**LXD, **compose(accelerator="kvm")}, "accelerator"),
        (
            "lxd: libvirt image",
            "vm_compose",
            {**LXD, **compose(boot="image", image={"pool": "a", "volume": "b"})},
            "image",
        ),
        ("lxd: container from network", "vm_compose", {**LXD, **compose(instance_type="container")}, "instance_type"),
        ("lxd: interfaces text", "vm_compose", {**LXD, **compose(interfaces="abc")}, "interfaces"),
        ("lxd: networks text", "vm_host", {**LXD, "networks": "abc"}, "networks"),
        ("lxd: reserved list", "vm_host", {**LXD, "reserved": [1]}, "reserved"),
        (
            "lxd: reserved.cores beyond host",
            "vm_host",
            {**LXD, "reserved": {"cores": HOST_CORES + 1}},
            "reserved.cores",
        ),
        ("lxd: reserved.memory beyond host", "vm_host", {**LXD, "reserved": {"memory": "1P"}}, "reserved.memory"),
        (
            "lxd: default pool not on host",
            "vm_host",
            {**LXD, "default_storage_pool": "vmfleet-test-nosuch"},
            "default_storage_pool",
        ),
        ("lxd: network not on host", "vm_host", {**LXD, "networks": [{"name": "vmfleet-test-nosuch"}]}, "networks"),
        ("lxd: missing project", "vm_host", {**LXD, "project": "vmfleet-test-badinput-nosuch"}, "project"),
    ]
    return cases


def plan_cases() -> list:
    host = {"name": "h1", "numa": [{"node_id": 0, "cpus": 4, "memory": {"total": 8192}}],
            "storage_pools": [{"name": "p", "total": 10**11}]}  # fmt: skip

    def plan(hosts=None, requests=None, **more):
        return {"hosts": [host] if hosts is None else hosts, "requests": requests or [{"name": "a"}], **more}

    return [
        ("plan: hosts text", "vm_plan", plan(hosts="abc"), "hosts"),
        ("plan: hosts [number]", "vm_plan", plan(hosts=[1]), "hosts[0]"),
        ("plan: hosts numa text", "vm_plan", plan(hosts=[dict(host, numa="x")]), "hosts[0].numa"),
        (
            "plan: host cpus 10**9",
            "vm_plan",
            plan(hosts=[dict(host, numa=[{"node_id": 0, "cpus": 10**9, "memory": {"total": 1}}])]),
            "hosts[0].numa[0].cpus",
        ),
        (
            "plan: host ratio 50",
            "vm_plan",
            plan(hosts=[dict(host, cpu_over_commit_ratio=50)]),
            "hosts[0].cpu_over_commit_ratio",
        ),
        (
            "plan: host pool no total",
            "vm_plan",
            plan(hosts=[dict(host, storage_pools=[{"name": "p"}])]),
            "total",
        ),
        ("plan: requests text", "vm_plan", plan(requests="abc"), "requests"),
        ("plan: requests [number]", "vm_plan", plan(requests=[1]), "requests"),
        ("plan: request without name", "vm_plan", plan(requests=[{"cores": 1}]), "requests[0].name"),
        ("plan: count 0", "vm_plan", plan(requests=[{"name": "a", "count": 0}]), "requests[0].count"),
        ("plan: count 10**6", "vm_plan", plan(requests=[{"name": "a", "count": 10**6}]), "requests[0].count"),
        ("plan: cores 10**5", "vm_plan", plan(requests=[{"name": "a", "cores": 10**5}]), "requests[0].cores"),
        ("plan: memory words", "vm_plan", plan(requests=[{"name": "a", "memory": "lots"}]), "requests[0].memory"),
        ("plan: unknown key", "vm_plan", plan(requests=[{"name": "a", "coers": 1}]), "requests[0]"),
        ("plan: same name", "vm_plan", plan(requests=[{"name": "a"}, {"name": "a"}]), "requests[1].name"),
        (
            "plan: count with mac",
            "vm_plan",
            plan(requests=[{"name": "a", "count": 2, "interfaces": [{"mac": "52:54:00:00:00:01"}]}]),
            "requests[0].interfaces[0].mac",
        ),
        ("plan: strategy", "vm_plan", plan(strategy="random"), "strategy"),
        ("plan: no hosts option", "vm_plan", {"requests": [{"name": "a"}]}, "hosts"),
        ("plan: hosts [null]", "vm_plan", plan(hosts=[None]), "hosts[0]"),
        ("plan: requests [null]", "vm_plan", plan(requests=[None]), "requests"),
        (
            "plan: host pools [null]",
            "vm_plan",
            plan(hosts=[dict(host, storage_pools=[None])]),
            "hosts[0].storage_pools[0]",
        ),
        ("plan: host vms text", "vm_plan", plan(hosts=[dict(host, vms="x")]), "hosts[0].vms"),
        ("plan: host reserved list", "vm_plan", plan(hosts=[dict(host, reserved=[1])]), "hosts[0].reserved"),
        *(
            (
                f"plan: constraints {text!r}",
                "vm_plan",
                plan(requests=[{"name": "a", **extra, "constraints": text}]),
                "requests[0].constraints",
            )
            for text, extra in (
                ("cores=2 memory=4G", {}),
                ("cores=2 cores=4", {}),
                ("cores=two", {}),
                ("mem=4g", {}),
                ("root-disk=-1G", {}),
                ("tags=a,,b", {}),
                ("spaces=DMZ", {}),
                ("virt-type=kvm", {}),
                ("instance-type=m5.large", {}),
                ("container=lxd", {}),
                ("cores", {}),
                ("mem=4G", {"memory": "4G"}),
                (["cores=2"], {}),
            )
        ),
    ]


def trust_cases(tmp_path) -> list:
    pair = {"client_cert": str(tmp_path / "bi.crt"), "client_key": str(tmp_path / "bi.key")}
    https = {"address": HTTPS_ADDRESS, "server_fingerprint": server_fingerprint(), **pair}
    secret = {**https, "trust_password": SECRET}
    return [
        ("trust: key_size 5", "lxd_trust", {**secret, "key_type": "rsa", "key_size": 5}, "key_size"),
        ("trust: key_size for ec", "lxd_trust", {**secret, "key_size": 4096}, "key_size"),
        ("trust: curve for rsa", "lxd_trust", {**secret, "key_type": "rsa", "curve": "secp256r1"}, "curve"),
        ("trust: validity 0", "lxd_trust", {**secret, "validity_days": 0}, "validity_days"),
        ("trust: validity 10**6", "lxd_trust", {**secret, "validity_days": 10**6}, "validity_days"),
        ("trust: key_type dsa", "lxd_trust", {**secret, "key_type": "dsa"}, "key_type"),
        ("trust: curve p999", "lxd_trust", {**secret, "curve": "p999"}, "curve"),
        ("trust: projects mapping", "lxd_trust", {**secret, "projects": {"a": 1}}, "projects"),
        ("trust: token and password", "lxd_trust", {**secret, "trust_token": SECRET + "x"}, "trust_token"),
        ("trust: token garbage", "lxd_trust", {**https, "trust_token": SECRET}, "trust_token"),
        ("trust: fingerprint zz", "lxd_trust", {**secret, "server_fingerprint": "zz"}, "server_fingerprint"),
        ("trust: plain http", "lxd_trust", {**secret, "address": "http://127.0.0.1:8443"}, "address"),
        ("trust: cert without key", "lxd_trust", {**secret, "client_key": None}, "client_key"),
        ("trust: same file", "lxd_trust", {**secret, "client_key": pair["client_cert"]}, "client_key"),
        ("trust: state maybe", "lxd_trust", {**secret, "state": "maybe"}, "state"),
    ]


# ---- the host before and after, as the daemons' own clients show it ----


def libvirt_snapshot() -> dict:
    pools = virsh("pool-list", "--all", "--name", check=False).split()
    return {
        "domains": sorted(virsh("list", "--all", "--name", check=False).split()),
        "pools": sorted(pools),
        "volumes": {pool: sorted(volume_names(pool)) for pool in pools},
        "networks": sorted(virsh("net-list", "--all", "--name", check=False).split()),
        "policy": libvirt_policy_text(),
    }


def libvirt_policy_text():
    if "vmfleet" not in virsh("pool-list", "--all", "--name", check=False).split():
        return None
    proc = subprocess.run(
        ["virsh", "-q", "-c", "qemu:///system", "vol-download", "--pool", "vmfleet", "policy.json", "/dev/stdout"],
        capture_output=True, timeout=60, check=False,
    )  # fmt: skip
    return proc.stdout.rstrip(b"\0").decode("utf-8", "replace") if proc.returncode == 0 else None


def lxd_snapshot(project: str = PROJECT) -> dict:
    pools = [pool["name"] for pool in query("/1.0/storage-pools?recursion=1", check=False) or []]
    return {
        "instances": sorted(i["name"] for i in lxc_json("list", "--project", project, check=False) or []),
        "profiles": sorted(p["name"] for p in lxc_json("profile", "list", "--project", project, check=False) or []),
        "volumes": {
            pool: sorted(
                v["name"]
                for v in lxc_json("storage", "volume", "list", pool, "--project", project, check=False) or []
                if v["type"] == "custom"
            )
            for pool in pools
        },
        "pools": sorted(pools),
        "config": (query(f"/1.0/projects/{project}", check=False) or {}).get("config"),
        "projects": sorted(p["name"] for p in query("/1.0/projects?recursion=1") or []),
        "trusted": sorted(c["fingerprint"] for c in query("/1.0/certificates?recursion=1", check=False) or []),
    }


def snapshot() -> dict:
    return {"libvirt": libvirt_snapshot(), "lxd": lxd_snapshot()}


# ---- the checks every case gets ----


def refused_cleanly(label: str, result: dict, option: str) -> None:
    assert result.get("failed") is True, (label, result)
    text = json.dumps(result)
    assert "Traceback" not in result.get("module_stderr", ""), (label, result)
    assert "MODULE FAILURE" not in text and "Module failed" not in text, (label, result)
    named = result.get("option") == option or option in result.get("msg", "")
    assert named, (label, option, result)


def run_cases(tmp_path, cases: list, *args: str):
    tasks = []
    for index, (label, module, options, _option) in enumerate(cases):
        given = {key: value for key, value in options.items() if value is not None}
        if module in ("vm_compose", "vm_host", "vm_host_info") and "type" not in given and "address" not in given:
            given = {**LIBVIRT, **given}
        tasks.append({"name": f"case {index}: {label}", f"vmfleet.hosts.{module}": given, "ignore_errors": True})
    results, proc = play(tmp_path, tasks, *args, timeout=900)
    assert results, proc.stdout[-4000:] + proc.stderr[-4000:]
    return [results[f"case {index}: {label}"] for index, (label, *_rest) in enumerate(cases)], proc


@pytest.fixture
def vm_hosts(tmp_path, clean_libvirt, clean_lxd, pool_path):
    """The local libvirtd and an LXD project made VM hosts (so every compose reaches its host), with a test pool
    on libvirt; removed again after the test by the scrubs."""
    tasks = [
        {"name": "libvirt", "vmfleet.hosts.vm_host": {**LIBVIRT, "default_storage_pool": POOL,
         "create_default_storage_pool": True, "default_storage_pool_path": str(pool_path)}},
        {"name": "lxd", "vmfleet.hosts.vm_host": {**LXD, "create_project": True}},
    ]  # fmt: skip
    (tmp_path / "setup").mkdir()
    results, proc = play(tmp_path / "setup", tasks)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert results["libvirt"]["policy"]["default_storage_pool"] == POOL, results
    yield pool_path


def test_bad_inputs_are_refused_naming_the_option_and_leave_the_hosts_unchanged(tmp_path, vm_hosts):
    cases = host_cases() + plan_cases() + trust_cases(tmp_path)
    assert len(cases) >= 100, len(cases)
    (tmp_path / "cases").mkdir()
    before = snapshot()
    results, proc = run_cases(tmp_path / "cases", cases, "-vvv")
    after = snapshot()
    wrong = []
    for (label, _module, _options, option), result in zip(cases, results):
        try:
            refused_cleanly(label, result, option)
        except AssertionError as error:
            wrong.append(str(error))
    assert not wrong, "\n".join(wrong)
    assert after == before
    assert before["libvirt"]["policy"] and f'"default_storage_pool": "{POOL}"' in before["libvirt"]["policy"]
    for found in (json.dumps(results), proc.stdout, proc.stderr):
        assert SECRET not in found
    assert not (tmp_path / "bi.crt").exists() and not (tmp_path / "bi.key").exists()


# ---- a stored policy that cannot be read, and its repair ----

# (stored text, what the message must name besides the place)
CORRUPT_POLICIES = [
    ("[1, 2]", "JSON array"),
    ("null", "JSON null"),
    ('"a string"', "JSON string"),
    ('{"format": 1}', "no policy key"),
    ('{"format": 2, "policy": {}}', "format 2"),
    ('{"format": 1, "policy": []}', "policy that is a JSON array"),
    ('{"format": 1, "policy": {"cpu_over_commit_ratio": 99}}', "policy.cpu_over_commit_ratio"),
    ('{"format": 1, "policy": {"reserved": {"cores": -1, "memory": 0}}}', "policy.reserved.cores"),
    ('{"format": 1, "policy": {"tags": null}}', "policy.tags"),
    ('{"format": 1, "policy": {"networks": "abc"}}', "policy.networks"),
    ('{"format": 1, "policy": {"colour": "red"}}', "policy.colour"),
    ("{not json", "is not JSON"),
]
META_VOLUME_SIZE = 64 * 1024  # meta_pool.VOLUME_SIZE: the stored text is padded with NULs to it
PLACES = {
    "libvirt": "volume policy.json of storage pool 'vmfleet'",
    "lxd": f"user.vmfleet.policy of project '{PROJECT}'",
}
CONNECTIONS = {"libvirt": LIBVIRT, "lxd": LXD}


def write_policy_task(name: str, daemon: str, text: str, tmp_path) -> dict:
    """A task that stores ``text`` as the policy with the daemons' own clients, as a hand edit would."""
    if daemon == "lxd":
        argv = ["lxc", "project", "set", PROJECT, "user.vmfleet.policy", text]
    else:
        padded = tmp_path / f"policy-{uuid.uuid4().hex}.bin"
        padded.write_bytes(text.encode().ljust(META_VOLUME_SIZE, b"\0"))
        argv = ["virsh", "-c", "qemu:///system", "vol-upload", "--pool", "vmfleet", "policy.json", str(padded)]
    return {"name": name, "ansible.builtin.command": {"argv": argv}, "check_mode": False}


def read_policy_task(name: str, daemon: str) -> dict:
    if daemon == "lxd":
        command = f"lxc project get {PROJECT} user.vmfleet.policy"
    else:
        command = "virsh -c qemu:///system vol-download --pool vmfleet policy.json /dev/stdout | tr -d '\\0'"
    return {"name": name, "ansible.builtin.shell": command, "check_mode": False, "failed_when": False}


def module_task(label: str, module: str, daemon: str, **options) -> dict:
    return {"name": label, f"vmfleet.hosts.{module}": {**CONNECTIONS[daemon], **options}, "ignore_errors": True}


def corrupt_policy_tasks(daemon: str, tmp_path) -> list:
    tasks = []
    for index, (text, _words) in enumerate(CORRUPT_POLICIES):
        tag = f"{daemon} {index}"
        tasks += [
            write_policy_task(f"{tag} write", daemon, text, tmp_path),
            module_task(f"{tag} vm_host_info", "vm_host_info", daemon),
            module_task(f"{tag} vm_compose", "vm_compose", daemon, name=VM, cores=1, memory=256),
            module_task(f"{tag} vm_host", "vm_host", daemon, cpu_over_commit_ratio=2),
            read_policy_task(f"{tag} read", daemon),
        ]
    text = CORRUPT_POLICIES[0][0]
    tasks += [
        module_task(f"{daemon} absent without force", "vm_host", daemon, state="absent"),
        {**module_task(f"{daemon} force, check mode", "vm_host", daemon, cpu_over_commit_ratio=2, force=True),
         "check_mode": True},
        read_policy_task(f"{daemon} read after check mode", daemon),
        module_task(f"{daemon} force", "vm_host", daemon, cpu_over_commit_ratio=2, force=True),
        read_policy_task(f"{daemon} read after force", daemon),
        module_task(f"{daemon} again", "vm_host", daemon, cpu_over_commit_ratio=2),
        write_policy_task(f"{daemon} corrupt again", daemon, text, tmp_path),
        module_task(f"{daemon} absent with force", "vm_host", daemon, state="absent", force=True),
        read_policy_task(f"{daemon} read after absent", daemon),
    ]  # fmt: skip
    return tasks


def test_a_corrupt_stored_policy_is_named_by_every_module_and_repaired_with_force(tmp_path, vm_hosts):
    tasks = corrupt_policy_tasks("libvirt", tmp_path) + corrupt_policy_tasks("lxd", tmp_path)
    (tmp_path / "corrupt").mkdir()
    results, proc = play(tmp_path / "corrupt", tasks, "--diff", timeout=900)
    assert results, proc.stdout[-4000:] + proc.stderr[-4000:]
    wrong = []
    for daemon in ("libvirt", "lxd"):
        for index, (text, words) in enumerate(CORRUPT_POLICIES):
            for module in ("vm_host_info", "vm_compose", "vm_host"):
                label = f"{daemon} {index} {module}"
                result = results[f"{daemon} {index} {module}"]
                msg = result.get("msg", "")
                if not (
                    result.get("failed") and result.get("kind") == "corrupt_policy" and PLACES[daemon] in msg
                    and words in msg and "force: true" in msg and "Module failed" not in msg
                ):  # fmt: skip
                    wrong.append(f"{label}: {result}")
            if results[f"{daemon} {index} read"]["stdout"] != text:
                wrong.append(f"{daemon} {index}: the stored text changed: {results[f'{daemon} {index} read']}")
    assert not wrong, "\n".join(wrong)
    for daemon in ("libvirt", "lxd"):
        corrupt = CORRUPT_POLICIES[-1][0]  # the last one written is still there
        refused = results[f"{daemon} absent without force"]
        assert refused["failed"] and refused["kind"] == "corrupt_policy" and "force: true" in refused["msg"]
        checked = results[f"{daemon} force, check mode"]
        assert checked["changed"] is True and not checked.get("failed"), checked
        assert checked["diff"]["before"] == corrupt and checked["diff"]["after"]["cpu_over_commit_ratio"] == 2.0
        assert results[f"{daemon} read after check mode"]["stdout"] == corrupt
        forced = results[f"{daemon} force"]
        assert forced["changed"] is True and forced["policy"]["cpu_over_commit_ratio"] == 2.0, forced
        stored = json.loads(results[f"{daemon} read after force"]["stdout"])
        assert stored["format"] == 1 and stored["policy"] == forced["policy"]
        assert results[f"{daemon} again"]["changed"] is False, results[f"{daemon} again"]
        removed = results[f"{daemon} absent with force"]
        assert removed["changed"] is True and removed["diff"]["before"] == CORRUPT_POLICIES[0][0], removed
        assert results[f"{daemon} read after absent"]["stdout"] == ""
    assert virsh("list", "--all", "--name").split().count(VM) == 0
    assert VM not in [i["name"] for i in lxc_json("list", "--project", PROJECT)]


# ---- a stored default pool that is gone ----


def test_a_stored_default_pool_that_is_gone_is_refused_not_replaced(tmp_path, vm_hosts):
    gone = "vmfleet-test-badinput-gone"
    gone_path = vm_hosts.parent / f"{vm_hosts.name}-gone"
    tasks = [
        module_task("libvirt register", "vm_host", "libvirt", default_storage_pool=gone,
                    create_default_storage_pool=True, default_storage_pool_path=str(gone_path)),
        module_task("lxd register", "vm_host", "lxd", default_storage_pool=gone, create_default_storage_pool=True),
        {"name": "libvirt remove pool", "ansible.builtin.shell":
         f"virsh -c qemu:///system pool-destroy {gone} && virsh -c qemu:///system pool-undefine {gone}"},
        {"name": "lxd remove pool", "ansible.builtin.command": {"argv": ["lxc", "storage", "delete", gone]}},
    ]  # fmt: skip
    # LXD here runs containers only (no vhost_vsock), from the test image
    vm = {"libvirt": {}, "lxd": {"instance_type": "container", "boot": "image", "image": {"alias": TEST_IMAGE}}}
    for daemon in ("libvirt", "lxd"):
        tasks += [
            module_task(f"{daemon} compose", "vm_compose", daemon, name=VM, cores=1, memory=256, **vm[daemon]),
            {**module_task(f"{daemon} compose on a named pool", "vm_compose", daemon, name=VM, cores=1, memory=256,
                           disks=[{"size": "1G", "pool": POOL if daemon == "libvirt" else "default"}], **vm[daemon]),
             "check_mode": True},
            module_task(f"{daemon} info", "vm_host_info", daemon),
            module_task(f"{daemon} vm_host", "vm_host", daemon, cpu_over_commit_ratio=2),
        ]  # fmt: skip
    (tmp_path / "gone").mkdir()
    try:
        results, proc = play(tmp_path / "gone", tasks, timeout=600)
        assert results, proc.stdout[-4000:] + proc.stderr[-4000:]
        for daemon in ("libvirt", "lxd"):
            assert not results[f"{daemon} register"].get("failed"), results[f"{daemon} register"]
            refused = results[f"{daemon} compose"]
            assert refused["failed"] and refused["kind"] == "missing_default_pool", refused
            assert f"default_storage_pool {gone!r}" in refused["msg"] and "disks[0]" in refused["msg"], refused
            named = results[f"{daemon} compose on a named pool"]
            assert not named.get("failed") and named["changed"] is True, named
            info = results[f"{daemon} info"]
            assert not info.get("failed") and info["host"]["default_storage_pool"] is None, info
            assert any(gone in warning for warning in info.get("warnings", [])), info
            kept = results[f"{daemon} vm_host"]
            assert kept["failed"] and kept["option"] == "default_storage_pool", kept
            assert "kept from the stored policy" in kept["msg"], kept
        assert VM not in virsh("list", "--all", "--name").split()
        assert VM not in [i["name"] for i in lxc_json("list", "--project", PROJECT)]
    finally:
        lxc("storage", "delete", gone, check=False)
        subprocess.run(["rm", "-rf", str(gone_path)], check=False)
