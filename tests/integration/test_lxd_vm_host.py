# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vm_host and vm_host_info against the real LXD daemon, and the LXD compose lock between real processes.

The tests marked incus run against Incus 6.0 too (lxd_support.current() is the daemon under test).

Assertions are made with the `lxc` client (which we did not write): `lxc query /1.0/resources`, `lxc storage info`,
`lxc project get/show`. Every project here is named vmfleet-test-host*, so the scrub of clean_lxd finds it.
"""

from __future__ import annotations

import json
import subprocess
import time

import pytest
from lxd_support import HTTPS_ADDRESS, TEST_IMAGE, current, lxc, lxc_json, projects, query, server_fingerprint
from start_line import run_from_start_line

from playbook_runner import play

pytestmark = pytest.mark.integration

PROJECT = "vmfleet-test-host"
POOL = "vmfleet-test-host-pool"
LOCK_PROFILE = "vmfleet-compose-lock"
MIB = 1024**2
GIB = 1024**3


def defaults() -> dict:
    return {"group/vmfleet.hosts.vmhost": {"type": current().type}}


def task(name, module, **options):
    return {"name": name, f"vmfleet.hosts.{module}": options, "ignore_errors": True}


def make_project(name: str = PROJECT) -> str:
    lxc("project", "create", name, "-c", "features.images=false")
    return name


def stored_policy(project: str = PROJECT):
    text = lxc("project", "get", project, "user.vmfleet.policy").strip()
    return json.loads(text)["policy"] if text else None


@pytest.fixture
def trusted_client(tmp_path, clean_lxd):
    """A client certificate made with openssl and trusted with `lxc config trust add` (as an operator would)."""
    cert, key = tmp_path / "client.crt", tmp_path / "client.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:secp384r1", "-nodes", "-days",
         "1", "-subj", "/CN=vmfleet-test-host", "-keyout", str(key), "-out", str(cert)],
        capture_output=True, check=True, timeout=60,
    )  # fmt: skip
    lxc(*current().trust_add_certificate(str(cert), "vmfleet-test-host"))
    return {"address": current().https, "client_cert": str(cert), "client_key": str(key)}


def node_pool(resources: dict, node_id: int) -> int:
    return next(n for n in resources["memory"]["nodes"] if n["numa_node"] == node_id)["hugepages_total"]


@pytest.mark.incus
def test_info_over_the_socket_matches_what_lxc_sees(tmp_path, clean_lxd):
    make_project()
    before = query("/1.0/resources")
    results, proc = play(tmp_path, [task("info", "vm_host_info", project=PROJECT)], module_defaults=defaults())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    info = results["info"]
    assert info["changed"] is False and info["registered"] is False, info
    host = info["host"]
    assert host["type"] == current().type and host["name"] == query("/1.0")["environment"]["server_name"]
    resources = query("/1.0/resources")
    threads = [t for s in resources["cpu"]["sockets"] for c in s["cores"] for t in c["threads"]]
    assert host["total"]["cores"] == sum(1 for t in threads if t["online"])
    assert sorted(c["id"] for n in host["numa"] for c in n["cpus"]) == sorted(t["id"] for t in threads)
    size = resources["memory"]["hugepages_size"]
    for node in resources["memory"]["nodes"]:
        ours = next(n for n in host["numa"] if n["node_id"] == node["numa_node"])
        assert ours["memory"]["total"] == node["total"] // MIB
        assert ours["memory"]["hugepages"][0]["page_size"] == size
        # other tests reserve hugepages at run time: the pool may have changed between the two reads
        pages = {node["hugepages_total"] // size, node_pool(before, node["numa_node"]) // size}
        assert ours["memory"]["hugepages"][0]["total"] in pages
    lxc_pools = {p["name"]: p for p in query("/1.0/storage-pools?recursion=1")}
    assert {p["name"] for p in host["storage_pools"]} == set(lxc_pools)
    default = next(p for p in host["storage_pools"] if p["name"] == "default")
    storage = lxc("storage", "info", "default", "--bytes")
    figures = dict(line.strip().split(": ", 1) for line in storage.splitlines() if ": " in line)
    assert default["total"] == int(figures["total space"].strip('"'))
    assert default["type"] == "dir" and default["path"] == lxc_pools["default"]["config"]["source"]
    # used is the filesystem's use plus what sized volumes may still grow by: never less than lxc reports
    assert default["used"] >= int(figures["space used"].strip('"')) - GIB
    bridge, subnet = current().bridge, current().subnet
    found = next(i for i in host["interfaces"] if i["name"] == bridge)
    address = query(f"/1.0/networks/{bridge}")["config"]["ipv4.address"]
    assert found["type"] == "network" and found["subnets"] == [subnet] and address == subnet.replace(".0/", ".1/")
    assert found["forward_mode"] == "nat" and found["dhcp"] is True
    assert [vm for vm in host["vms"] if "/" not in vm["name"]] == []  # a fresh project has no instances


@pytest.mark.incus
def test_policy_in_the_project_idempotent_check_diff_and_seen_over_https(tmp_path, trusted_client):
    make_project()
    policy = {
        "project": PROJECT,
        "cpu_over_commit_ratio": 4,
        "memory_over_commit_ratio": 1.5,
        "reserved": {"cores": 1, "memory": "512M"},
        "zone": "az1",
        "tags": ["ssd"],
        "networks": [{"name": current().bridge, "spaces": ["mgmt"], "default": True}],
        "default_storage_pool": "default",
    }
    https = {**trusted_client, "project": PROJECT, "server_fingerprint": server_fingerprint()}
    results, proc = play(
        tmp_path,
        [
            task("first", "vm_host", **policy),
            task("again", "vm_host", **policy),
            {**task("check", "vm_host", project=PROJECT, cpu_over_commit_ratio=2), "check_mode": True, "diff": True},
            task("over https", "vm_host_info", **https),
        ],
        "--diff",
        module_defaults=defaults(),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    first, again = results["first"], results["again"]
    assert first["changed"] is True and again["changed"] is False, (first, again)
    assert first["project_created"] is False
    host = first["host"]
    assert host["type"] == current().type and host["zone"] == "az1" and host["default_storage_pool"] == "default"
    assert host["total"]["vcpus"] == host["total"]["cores"] * 4 - 1
    assert next(i for i in host["interfaces"] if i["name"] == current().bridge)["spaces"] == ["mgmt"]
    # check mode predicts the change and leaves the stored policy alone
    assert results["check"]["changed"] is True
    assert results["check"]["diff"]["before"]["cpu_over_commit_ratio"] == 4.0
    assert results["check"]["diff"]["after"]["cpu_over_commit_ratio"] == 2.0
    stored = stored_policy()
    assert stored["cpu_over_commit_ratio"] == 4.0 and stored["reserved"] == {"cores": 1, "memory": 512}
    assert stored["networks"][0]["name"] == current().bridge
    # the default project is untouched: the policy belongs to this project only
    assert "user.vmfleet.policy" not in (query("/1.0/projects/default")["config"] or {})
    # a second controller over HTTPS with its own trusted certificate sees the same policy
    remote = results["over https"]
    assert remote.get("failed") is not True, remote
    assert remote["registered"] is True and remote["host"]["cpu_over_commit_ratio"] == 4.0
    assert remote["host"]["zone"] == "az1"


def test_missing_project_refused_created_when_asked_and_absent_keeps_it(tmp_path, clean_lxd):
    name = PROJECT + "-new"
    results, proc = play(
        tmp_path,
        [
            task("refused", "vm_host", project=name, cpu_over_commit_ratio=2),
            task("info refused", "vm_host_info", project=name),
            {**task("check", "vm_host", project=name, create_project=True), "check_mode": True},
        ],
        module_defaults=defaults(),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    refused = results["refused"]
    assert refused["failed"] is True and refused["option"] == "project" and name in refused["msg"]
    assert "create_project" in refused["msg"]
    info = results["info refused"]
    assert info["failed"] is True and f"project: {name!r} does not exist" in info["msg"]
    assert results["check"]["changed"] is True and results["check"]["project_created"] is True
    assert [vm for vm in results["check"]["host"]["vms"] if "/" not in vm["name"]] == []
    assert name not in projects()  # neither the refusal nor check mode made it

    results, proc = play(
        tmp_path,
        [
            task("create", "vm_host", project=name, create_project=True, cpu_over_commit_ratio=2),
            task("again", "vm_host", project=name, create_project=True, cpu_over_commit_ratio=2),
            {**task("absent check", "vm_host", project=name, state="absent"), "check_mode": True},
            {**task("absent", "vm_host", project=name, state="absent"), "diff": True},
            task("absent again", "vm_host", project=name, state="absent"),
            task("info after", "vm_host_info", project=name),
        ],
        "--diff",
        module_defaults=defaults(),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert results["create"]["changed"] is True and results["create"]["project_created"] is True
    assert results["again"]["changed"] is False and results["again"]["project_created"] is False
    shown = query(f"/1.0/projects/{name}")
    assert shown["config"]["features.images"] == "false"  # image aliases of the default project work in it
    assert results["absent check"]["changed"] is True
    absent = results["absent"]
    assert absent["changed"] is True and absent["diff"]["before"]["cpu_over_commit_ratio"] == 2.0
    assert results["absent again"]["changed"] is False
    assert stored_policy(name) is None and name in projects()  # the policy is gone, the project stays
    assert results["info after"]["registered"] is False


@pytest.mark.incus
def test_absent_with_remove_vms_removes_only_what_vmfleet_composed(tmp_path, clean_lxd):
    make_project()
    ours, theirs = "vmft-host-ours", "vmft-host-theirs"
    request = json.dumps({"request": {"name": ours, "cores": 1, "memory": 256}})
    lxc("init", TEST_IMAGE, ours, "--project", PROJECT, "-s", "default", "-c", f"user.vmfleet.request={request}")
    lxc("init", TEST_IMAGE, theirs, "--project", PROJECT, "-s", "default", "-c", "limits.cpu=1")
    results, proc = play(
        tmp_path,
        [
            task("register", "vm_host", project=PROJECT),
            task("info", "vm_host_info", project=PROJECT),
            {**task("check", "vm_host", project=PROJECT, state="absent", remove_vms=True), "check_mode": True},
            task("absent", "vm_host", project=PROJECT, state="absent", remove_vms=True),
        ],
        module_defaults=defaults(),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # both instances count on the host; only the one with our bookkeeping is ours to remove
    assert sorted(vm["name"] for vm in results["info"]["host"]["vms"] if "/" not in vm["name"]) == [ours, theirs]
    assert results["check"]["changed"] is True and results["check"]["removed_vms"] == [ours]
    absent = results["absent"]
    assert absent["changed"] is True and absent["removed_vms"] == [ours], absent
    left = [inst["name"] for inst in lxc_json("list", "--project", PROJECT)]
    assert left == [theirs] and stored_policy() is None


def test_create_default_storage_pool_where_lxd_chooses(tmp_path, clean_lxd):
    make_project()
    options = {"project": PROJECT, "default_storage_pool": POOL}
    results, proc = play(
        tmp_path,
        [
            task("refused", "vm_host", **options),
            {**task("check", "vm_host", create_default_storage_pool=True, **options), "check_mode": True},
            task("create", "vm_host", create_default_storage_pool=True, **options),
            task("again", "vm_host", create_default_storage_pool=True, **options),
        ],
        module_defaults=defaults(),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    refused = results["refused"]
    assert refused["failed"] is True and refused["option"] == "default_storage_pool"
    assert "create_default_storage_pool" in refused["msg"]
    assert results["check"]["changed"] is True
    assert results["create"]["changed"] is True and results["again"]["changed"] is False
    shown = query(f"/1.0/storage-pools/{POOL}")
    assert shown["driver"] == "dir" and shown["config"]["source"].endswith(f"/storage-pools/{POOL}")
    ours = next(p for p in results["create"]["host"]["storage_pools"] if p["name"] == POOL)
    assert ours["default"] is True and ours["total"] > 0 and ours["path"] == shown["config"]["source"]
    assert results["create"]["host"]["default_storage_pool"] == POOL


def test_undeclared_network_and_libvirt_only_options_are_refused(tmp_path, clean_lxd):
    make_project()
    results, proc = play(
        tmp_path,
        [
            task("network", "vm_host", project=PROJECT, networks=[{"name": "vmft-nonet"}]),
            task("libvirt", "vm_host", address="qemu:///system", create_project=True),
        ],
        module_defaults={},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert results["network"]["failed"] is True and "'vmft-nonet' is declared" in results["network"]["msg"]
    assert stored_policy() is None  # nothing stored
    libvirt = results["libvirt"]
    assert libvirt["failed"] is True and libvirt["option"] == "create_project"


# ---- the compose lock, between real processes on the real daemon ----


def _driver(project: str):
    from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.driver import LxdDriver

    return LxdDriver({"address": None, "project": project})


def register(project: str = PROJECT) -> None:
    make_project(project)
    lxc("project", "set", project, "user.vmfleet.policy", json.dumps({"format": 1, "policy": {}}))


def hold_lock(owner: str, expires: float) -> None:
    """Take the lock as another job would: create the profile, then write who holds it and until when."""
    lxc("profile", "create", LOCK_PROFILE, "--project", PROJECT)
    content = json.dumps({"token": "other-job", "owner": owner, "expires": expires})
    lxc("profile", "set", LOCK_PROFILE, "user.vmfleet.lock", content, "--project", PROJECT)


def lock_holder():
    """The lock profile's holder as lxc shows it, or None when there is no lock profile."""
    shown = query(f"/1.0/profiles/{LOCK_PROFILE}?project={PROJECT}", check=False)
    return json.loads(shown["config"]["user.vmfleet.lock"]) if shown else None


@pytest.fixture
def clean_lock(clean_lxd):
    """A lock profile a failed test left would keep its project from being deleted by the scrub."""

    def remove():
        for project in projects():
            if project.startswith(PROJECT):
                lxc("profile", "delete", LOCK_PROFILE, "--project", project, check=False)

    remove()
    yield
    remove()


def test_a_held_lock_times_out_naming_its_holder_and_stays(clean_lock):
    from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError

    register()
    hold_lock("vm_compose db-1 (pid 4242 on ctl-2)", time.time() + 3600)
    driver = _driver(PROJECT)
    started = time.monotonic()
    with pytest.raises(DriverError) as raised:
        driver.lock("vm_compose web-1", 2).acquire()
    assert time.monotonic() - started >= 2
    assert raised.value.kind == "lock_timeout"
    assert "held by vm_compose db-1 (pid 4242 on ctl-2)" in raised.value.message
    assert lock_holder()["token"] == "other-job"  # someone else's lock is not ours to release


def test_a_lock_whose_lease_ran_out_is_broken_and_released(clean_lock):
    register()
    hold_lock("vm_compose crashed-job (pid 1 on ctl-9)", time.time() - 1)
    driver = _driver(PROJECT)
    with driver.lock("vm_compose web-2", 5):
        assert lock_holder()["owner"].startswith("vm_compose web-2 (pid ")
    assert lock_holder() is None


def test_lock_on_a_project_that_is_not_a_vm_host_is_refused(clean_lock):
    from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError

    make_project()
    with pytest.raises(DriverError) as raised:
        _driver(PROJECT).lock("vm_compose x", 1)
    assert raised.value.kind == "not_a_vm_host" and PROJECT in raised.value.message


def _race(project, hold, timeout, start, out):
    from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError

    driver = _driver(project)
    start.wait()
    try:
        with driver.lock("vm_compose racer", timeout):
            entered = time.time()
            time.sleep(hold)
            out.put(("held", entered, time.time()))
    except DriverError as error:
        out.put((error.kind, 0, 0))


def _run_racers(count, hold, timeout):
    return run_from_start_line(_race, [(PROJECT, hold, timeout)] * count, settle=2)


def test_two_processes_racing_for_the_lock_one_wins(clean_lock):
    register()
    results = _run_racers(2, hold=3, timeout=0.5)
    assert sorted(result[0] for result in results) == ["held", "lock_timeout"], results


def test_racing_processes_hold_the_lock_one_after_the_other(clean_lock):
    register()
    results = _run_racers(4, hold=0.5, timeout=60)
    spans = sorted((entered, left) for kind, entered, left in results if kind == "held")
    assert len(spans) == 4, results
    for before, after in zip(spans, spans[1:]):
        assert after[0] >= before[1], f"two processes held the lock at once: {spans}"
    assert lock_holder() is None


def test_instances_of_other_projects_count_against_the_host(tmp_path, clean_lxd):
    """The machine's cores and memory are shared by every project: another project's instances take from them."""
    make_project()
    other = make_project(PROJECT + "-other")
    lxc("init", TEST_IMAGE, "vmft-host-other", "--project", other, "-s", "default", "-c", "limits.cpu=2",
        "-c", "limits.memory=512MiB")  # fmt: skip
    results, proc = play(
        tmp_path,
        [task("register", "vm_host", project=PROJECT), task("info", "vm_host_info", project=PROJECT)],
        module_defaults=defaults(),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    host = results["info"]["host"]
    foreign = next(vm for vm in host["vms"] if vm["name"] == f"{other}/vmft-host-other")
    assert foreign["cores"] == 2 and foreign["memory"] == 512 and foreign["disks"] == []
    assert "never changed" in foreign["notes"][0]
    counted = [vm for vm in host["vms"] if not vm["hugepages_backed"]]
    assert host["used"]["vcpus"] == sum(vm["cores"] for vm in host["vms"]) >= 2
    assert host["used"]["memory"] >= sum(vm["memory"] for vm in counted) >= 512
    # and vm_host absent with remove_vms never touches it
    results, proc = play(
        tmp_path,
        [task("absent", "vm_host", project=PROJECT, state="absent", remove_vms=True)],
        module_defaults=defaults(),
    )
    assert proc.returncode == 0 and results["absent"]["removed_vms"] == []
    assert [inst["name"] for inst in lxc_json("list", "--project", other)] == ["vmft-host-other"]


def test_a_client_restricted_to_its_project_reads_the_host_and_is_warned_of_what_it_cannot_count(tmp_path, clean_lxd):
    """lxd_trust may restrict a certificate to projects: LXD then refuses it the all-projects view and project edits."""
    make_project()
    cert, key = tmp_path / "restricted.crt", tmp_path / "restricted.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:secp384r1", "-nodes", "-days",
         "1", "-subj", "/CN=vmfleet-test-host-restricted", "-keyout", str(key), "-out", str(cert)],
        capture_output=True, check=True, timeout=60,
    )  # fmt: skip
    lxc("config", "trust", "add", str(cert), "--name", "vmfleet-test-host-restricted", "--restricted",
        "--projects", PROJECT)  # fmt: skip
    restricted = {
        "address": HTTPS_ADDRESS,
        "client_cert": str(cert),
        "client_key": str(key),
        "server_fingerprint": server_fingerprint(),
        "project": PROJECT,
    }
    results, proc = play(
        tmp_path,
        [
            task("refused", "vm_host", **restricted, cpu_over_commit_ratio=2),
            task("register", "vm_host", project=PROJECT, cpu_over_commit_ratio=2),  # the owner, over the socket
            task("info", "vm_host_info", **restricted),
            {
                "name": "compose",
                "vmfleet.hosts.vm_compose": {
                    **restricted,
                    "name": "vmft-host-restricted",
                    "instance_type": "container",
                    "boot": "image",
                    "image": {"alias": TEST_IMAGE},
                    "cores": 1,
                    "memory": 256,
                    "storage": "root:2",
                },
                "ignore_errors": True,
            },
            {
                "name": "remove",
                "vmfleet.hosts.vm_compose": {**restricted, "name": "vmft-host-restricted", "state": "absent"},
                "ignore_errors": True,
            },
        ],
        module_defaults=defaults(),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # the restricted client composes and removes in its project, under the same lock
    assert results["compose"]["changed"] is True and results["compose"]["created"] is True, results["compose"]
    assert results["remove"]["changed"] is True
    assert lxc_json("list", "--project", PROJECT) == []
    refused = results["refused"]
    assert refused["failed"] is True and refused["kind"] == "permission", refused
    assert "restricted to projects" in refused["msg"] and "unix socket" in refused["msg"]
    assert results["register"]["changed"] is True and stored_policy()["cpu_over_commit_ratio"] == 2.0
    info = results["info"]
    assert info["registered"] is True and info["host"]["cpu_over_commit_ratio"] == 2.0
    assert any("restricted to project" in w for w in info.get("warnings", [])), info
    assert info["host"]["storage_pools"], "the pools are still read"
