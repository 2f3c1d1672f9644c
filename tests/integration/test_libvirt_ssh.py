# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The modules over qemu+ssh, as a controller reaches a remote VM host: here, this machine's own libvirtd through
the sshd that tools/sshd.sh runs on 127.0.0.1:2222 (``make daemons`` starts it).

Host key checking stays on throughout: the server's key is recorded in root's known_hosts by tools/sshd.sh, and
the failures below come from OpenSSH refusing a key it does not know. Every test fails (never skips) when that
sshd is not there, so a broken harness cannot pass as a green run.
"""

from __future__ import annotations

import functools
import socket
import subprocess
from pathlib import Path

import pytest

from conftest import TEST_POOL_PREFIX, TEST_VM_PREFIX, virsh, volume_names
from playbook_runner import play

pytestmark = pytest.mark.integration

SSH_HOST = "127.0.0.1"
SSH_PORT = 2222
KEYFILE = Path("/root/.ssh/vmfleet_test_ed25519")
KNOWN_HOSTS = Path("/root/.ssh/known_hosts")
HOST_KEY = Path("/etc/ssh/vmfleet-test/ssh_host_ed25519_key.pub")
SSH_URI = f"qemu+ssh://root@{SSH_HOST}:{SSH_PORT}/system?keyfile={KEYFILE}"
LOCAL_URI = "qemu:///system"
POOL = TEST_POOL_PREFIX + "ssh"
# Room for the test's VM next to whatever else runs on this machine (it is not about capacity).
ROOMY = {"cpu_over_commit_ratio": 10, "memory_over_commit_ratio": 4}
# Nested KVM on this kind of machine refuses the MSR behind arch-capabilities (see vm_compose's docs).
DEFAULTS = {"vmfleet.hosts.vm_compose": {"cpu_disabled_features": ["arch-capabilities"], "shutdown_timeout": 5}}


@functools.lru_cache(maxsize=1)
def _sshd_problem() -> str:
    """Why qemu+ssh to this machine cannot work, or '' when it can."""
    try:
        with socket.create_connection((SSH_HOST, SSH_PORT), timeout=5):
            pass
    except OSError as error:
        return f"nothing listens on {SSH_HOST}:{SSH_PORT} ({error})"
    if not KEYFILE.exists():
        return f"the client key {KEYFILE} is missing"
    recorded = subprocess.run(
        ["ssh-keygen", "-F", f"[{SSH_HOST}]:{SSH_PORT}", "-f", str(KNOWN_HOSTS)],
        capture_output=True,
        text=True,
        check=False,
    )
    if recorded.returncode != 0:
        return f"the host key of [{SSH_HOST}]:{SSH_PORT} is not in {KNOWN_HOSTS}"
    proc = subprocess.run(
        ["virsh", "-q", "-c", SSH_URI, "uri"], capture_output=True, text=True, timeout=60, check=False
    )
    if proc.returncode != 0:
        return f"virsh -c {SSH_URI} fails: {proc.stderr.strip()}"
    return ""


def require_sshd():
    """Fail the calling test (a skip would hide a broken harness) unless qemu+ssh to this machine works."""
    problem = _sshd_problem()
    if problem:
        pytest.fail(f"qemu+ssh harness not ready: {problem}; run `make daemons` (tools/sshd.sh) as root")


def task(label, module, **options):
    return {"name": label, f"vmfleet.hosts.{module}": options, "ignore_errors": True}


def run(tmp_path, tasks, *args):
    """The registered results of a play (tasks ignore their errors, so the play itself succeeds)."""
    results, proc = play(tmp_path, tasks, *args, timeout=300, module_defaults=DEFAULTS)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for name, result in results.items():
        assert name.startswith("bad") or not result.get("failed"), (name, result)
    return results


def ssh_wrapper(tmp_path, known_hosts: Path) -> Path:
    """An ssh command for libvirt's ``command=`` parameter: the system's ssh with host key checking as configured,
    looking up host keys in ``known_hosts`` only: a controller that has (or has not) recorded some key."""
    wrapper = tmp_path / "ssh"
    wrapper.write_text(
        f'#!/bin/sh\nexec ssh -o UserKnownHostsFile="{known_hosts}" -o GlobalKnownHostsFile=/dev/null "$@"\n'
    )
    wrapper.chmod(0o755)
    return wrapper


def test_info_over_ssh_reads_the_same_host_as_the_local_socket(tmp_path, clean_libvirt):
    require_sshd()
    # Other jobs may change the host between two reads: compare when the local reads around the SSH one agree.
    for attempt in range(3):
        workdir = tmp_path / str(attempt)
        workdir.mkdir()
        results = run(
            workdir,
            [
                task("local", "vm_host_info"),
                task("ssh", "vm_host_info", address=SSH_URI),
                task("local again", "vm_host_info"),
            ],
        )
        local, remote, again = (results[name]["host"] for name in ("local", "ssh", "local again"))
        if local == again:
            break
    else:
        pytest.fail("the host kept changing between reads; cannot compare the two connections")
    assert results["ssh"]["changed"] is False
    assert results["ssh"]["registered"] == results["local"]["registered"]
    for key in ("name", "numa", "total"):
        assert remote[key] == local[key], key
    assert remote == local


def test_two_controllers_share_the_policy_stored_on_the_host(tmp_path, clean_libvirt):
    require_sshd()
    results = run(
        tmp_path,
        [
            task("store locally", "vm_host", cpu_over_commit_ratio=3, memory_over_commit_ratio=1.5, zone="az-ssh"),
            task("read over ssh", "vm_host_info", address=SSH_URI),
            task("change over ssh", "vm_host", address=SSH_URI, cpu_over_commit_ratio=2),
            task("change over ssh again", "vm_host", address=SSH_URI, cpu_over_commit_ratio=2),
            task("read locally", "vm_host_info"),
        ],
    )
    remote = results["read over ssh"]
    assert remote["registered"] is True
    assert remote["host"]["cpu_over_commit_ratio"] == 3.0 and remote["host"]["memory_over_commit_ratio"] == 1.5
    assert remote["host"]["zone"] == "az-ssh"
    assert results["change over ssh"]["changed"] is True
    assert results["change over ssh"]["policy"]["memory_over_commit_ratio"] == 1.5  # kept what it left out
    assert results["change over ssh again"]["changed"] is False
    local = results["read locally"]
    assert local["registered"] is True
    assert local["host"]["cpu_over_commit_ratio"] == 2.0 and local["host"]["memory_over_commit_ratio"] == 1.5
    assert local["host"]["zone"] == "az-ssh"
    assert "policy.json" in virsh("vol-list", "vmfleet")  # stored on the host, where virsh finds it


def test_compose_and_remove_a_vm_from_a_controller_over_ssh(tmp_path, pool_path, clean_libvirt):
    require_sshd()
    name = TEST_VM_PREFIX + "ssh"
    vm = {"memory": 128, "storage": "root:1", "interfaces": "eth0:"}
    results = run(
        tmp_path,
        [
            task(
                "vm host",
                "vm_host",
                address=SSH_URI,
                default_storage_pool=POOL,
                create_default_storage_pool=True,
                default_storage_pool_path=str(pool_path),
                networks=[{"name": "default", "default": True}],
                **ROOMY,
            ),
            task("compose", "vm_compose", address=SSH_URI, name=name, state="present", **vm),
            task("again locally", "vm_compose", name=name, state="present", **vm),
        ],
    )
    composed = results["compose"]
    assert composed["changed"] is True and composed["created"] is True and composed["power_state"] == "stopped"
    assert results["again locally"]["changed"] is False  # the other controller sees the same VM, unchanged
    # the local daemon, asked by a client we did not write, has the VM and its volume
    assert virsh("domstate", name).strip() == "shut off"
    assert "Max memory:     131072 KiB" in virsh("dominfo", name)
    assert volume_names(POOL) == [f"{name}-root"]
    assert "running" in virsh("pool-info", POOL)  # the pool created over ssh exists on the host
    assert "compose.lock" not in volume_names("vmfleet")  # the lock taken over ssh was given back

    results = run(tmp_path, [task("absent", "vm_compose", address=SSH_URI, name=name, state="absent")])
    assert results["absent"]["changed"] is True
    assert results["absent"]["removed_volumes"] == [f"{POOL}/{name}-root"]
    assert name not in virsh("list", "--all", "--name").split()
    assert volume_names(POOL) == []


def test_unreachable_host_over_ssh_fails_clearly(tmp_path, clean_libvirt):
    require_sshd()
    address = f"qemu+ssh://root@{SSH_HOST}:1/system?keyfile={KEYFILE}"
    results = run(tmp_path, [task("bad", "vm_host_info", address=address)])
    result = results["bad"]
    assert result["failed"] is True and result["kind"] == "unreachable", result
    assert result["msg"].startswith(f"cannot reach the libvirt daemon at {address}: "), result["msg"]
    assert f"connect to host {SSH_HOST} port 1: Connection refused" in result["msg"]


def test_a_user_the_host_refuses_gets_a_permission_error(tmp_path, clean_libvirt):
    require_sshd()
    address = f"qemu+ssh://nobody@{SSH_HOST}:{SSH_PORT}/system?keyfile={KEYFILE}"
    results = run(tmp_path, [task("bad", "vm_host_info", address=address)])
    result = results["bad"]
    assert result["failed"] is True and result["kind"] == "permission", result
    assert f"not allowed to use libvirt at {address}" in result["msg"]
    assert "Permission denied (publickey)" in result["msg"]


def test_unknown_host_key_is_refused_not_accepted(tmp_path, clean_libvirt):
    # A controller that never recorded the host's key. (libvirt's known_hosts= URI parameter belongs to the
    # libssh transports; qemu+ssh ignores it, so the controller's known_hosts is chosen through command=.)
    require_sshd()
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    address = f"{SSH_URI}&command={ssh_wrapper(tmp_path, empty)}"
    results = run(tmp_path, [task("bad", "vm_host_info", address=address)])
    result = results["bad"]
    assert result["failed"] is True and result["kind"] == "unreachable", result
    assert "SSH host key verification failed" in result["msg"]
    assert "record the host's key in the controller's known_hosts" in result["msg"]
    assert "Host key verification failed." in result["msg"]  # OpenSSH's own words, kept in the message
    assert empty.read_text() == ""  # nothing was accepted on first use


def test_unknown_host_name_is_refused_though_its_address_is_known(tmp_path, clean_libvirt):
    # root's known_hosts records [127.0.0.1]:2222; the same server under another name is not trusted blindly.
    require_sshd()
    recorded = subprocess.run(
        ["ssh-keygen", "-F", f"[localhost]:{SSH_PORT}", "-f", str(KNOWN_HOSTS)], capture_output=True, check=False
    )
    assert recorded.returncode != 0, f"[localhost]:{SSH_PORT} is in {KNOWN_HOSTS}; this test needs it not to be"
    address = f"qemu+ssh://root@localhost:{SSH_PORT}/system?keyfile={KEYFILE}"
    results = run(tmp_path, [task("bad", "vm_host_info", address=address)])
    result = results["bad"]
    assert result["failed"] is True and result["kind"] == "unreachable", result
    assert "SSH host key verification failed" in result["msg"]


def test_changed_host_key_is_refused(tmp_path, clean_libvirt):
    # The controller recorded another key for the host: OpenSSH's man-in-the-middle warning, and a failure.
    require_sshd()
    other = tmp_path / "other_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(other)], check=True)
    assert other.with_suffix(".pub").read_text().split()[1] != HOST_KEY.read_text().split()[1]
    wrong = tmp_path / "known_hosts"
    key_type, key = other.with_suffix(".pub").read_text().split()[:2]
    wrong.write_text(f"[{SSH_HOST}]:{SSH_PORT} {key_type} {key}\n")
    address = f"{SSH_URI}&command={ssh_wrapper(tmp_path, wrong)}"
    results = run(tmp_path, [task("bad", "vm_host_info", address=address)])
    result = results["bad"]
    assert result["failed"] is True and result["kind"] == "unreachable", result
    assert "SSH host key verification failed" in result["msg"]
    assert "REMOTE HOST IDENTIFICATION HAS CHANGED" in result["msg"]
    assert wrong.read_text() == f"[{SSH_HOST}]:{SSH_PORT} {key_type} {key}\n"
