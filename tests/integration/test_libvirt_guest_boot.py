# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vm_compose with boot: image, end to end: a real Debian 12 guest boots from a copy of an image volume,
cloud-init reads our NoCloud seed (static address, SSH key, host name, user-data) and we SSH into it.

The image is built from Debian's package mirror by tools/build_test_image.sh (``make test-image``, which
``make integration`` runs first) and cached under /var/cache/vmfleet-test. A missing image fails the test: a skip
would let a broken harness pass as green.
"""

from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import threading
import time
import tty
from pathlib import Path

import pytest

from conftest import TEST_POOL_PREFIX, TEST_VM_PREFIX, virsh, volume_names
from playbook_runner import play

pytestmark = pytest.mark.integration

IMAGE_FILE = Path(os.environ.get("VMFLEET_TEST_IMAGE", "/var/cache/vmfleet-test/debian12-cloud.qcow2"))
POOL = TEST_POOL_PREFIX + "guest"
VOLUME = "debian12"
NAME = TEST_VM_PREFIX + "debian"
# Not the VM's name: cloud_init is no_log, so Ansible masks its values (this one too) wherever they show up.
HOSTNAME = "vmft-guest"
# On libvirt's default NAT network (the host reaches it through virbr0); its DHCP range covers the whole subnet,
# so the test checks that no lease holds this address before it takes it.
GUEST_IP = "192.168.122.201"
SUBNET = "192.168.122.0/24"
# cloud-init's default user on Debian (default_user in the image's /etc/cloud/cloud.cfg); root login is disabled.
GUEST_USER = "debian"
MARKER = "vmfleet-ok"
# This machine's /dev/kvm is PVM (module kvm_pvm: KVM for machines that are VMs without hardware virtualisation
# themselves). It runs guest kernels built for PVM at speed but emulates a stock one instruction by instruction
# (Debian's kernel was still decompressing itself after 7 minutes; extlinux even stops on an "emulation failure"),
# while QEMU's TCG boots the image in under a minute: on such a host the test asks vm_compose for accelerator: tcg.
KVM_IS_PVM = Path("/sys/module/kvm_pvm").exists()
BOOT_TIMEOUT = 180  # seconds
DEFAULTS = {"vmfleet.hosts.vm_compose": {"cpu_disabled_features": ["arch-capabilities"], "shutdown_timeout": 5}}


class SerialConsole:
    """Reads a running domain's serial console (the pty vm_compose gives it) into memory, in a thread.

    QEMU drops console output while nobody holds the pty open, so it is opened as soon as the VM runs. The pty
    is switched to raw mode at once: with echo on, the guest would read its own output back as typed input.
    """

    def __init__(self, domain: str):
        self.path = virsh("ttyconsole", domain).strip()
        self.fd = os.open(self.path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        tty.setraw(self.fd)
        self.chunks: list = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        while not self.stopping.is_set():
            if not select.select([self.fd], [], [], 0.5)[0]:
                continue
            try:
                data = os.read(self.fd, 65536)
            except OSError:  # EIO once QEMU closes its end
                return
            if not data:
                return
            self.chunks.append(data)

    def text(self) -> str:
        return b"".join(self.chunks).decode("utf-8", "replace").replace("\r\n", "\n")

    def tail(self, lines: int = 60) -> str:
        return "\n".join(self.text().splitlines()[-lines:])

    def close(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)
        os.close(self.fd)


def upload_image() -> int:
    """The cached image as volume VOLUME of the test pool; returns its virtual size in bytes."""
    assert IMAGE_FILE.is_file(), f"{IMAGE_FILE} is missing: build it with `make test-image` (tools/build_test_image.sh)"
    info = subprocess.run(
        ["qemu-img", "info", "--output=json", str(IMAGE_FILE)], capture_output=True, text=True, check=True
    )
    virtual_size = json.loads(info.stdout)["virtual-size"]
    virsh("vol-create-as", POOL, VOLUME, f"{virtual_size}B", "--format", "qcow2")
    # The qcow2 file goes up as it is: vm_compose copies it with libvirt (createXMLFrom), which reads the format.
    virsh("vol-upload", "--pool", POOL, VOLUME, str(IMAGE_FILE))
    virsh("pool-refresh", POOL)
    return virtual_size


def vol_capacity(volume: str) -> int:
    info = dict(line.split(":", 1) for line in virsh("vol-info", volume, "--pool", POOL, "--bytes").splitlines())
    return int(info["Capacity"].split()[0])


def wait_for_port(host: str, port: int, deadline: float) -> bool:
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=2):
                return True
        except OSError:
            time.sleep(2)
    return False


def ssh_command(key: Path, known_hosts: Path, command: str, timeout: int = 120) -> subprocess.CompletedProcess:
    # A brand-new guest whose host key cloud-init made at its first boot: accept-new into a known_hosts file of
    # this test alone records it, and any later connection in the test is checked against it.
    return subprocess.run(
        [
            "ssh",
            "-F",
            "none",
            "-i",
            str(key),
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "BatchMode=yes",
            "-o",
            "StrictHostKeyChecking=accept-new",
            "-o",
            f"UserKnownHostsFile={known_hosts}",
            "-o",
            "GlobalKnownHostsFile=/dev/null",
            "-o",
            "ConnectTimeout=10",
            "-o",
            "LogLevel=ERROR",
            f"{GUEST_USER}@{GUEST_IP}",
            command,
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_debian_guest_boots_from_the_image_and_applies_the_seed(tmp_path, pool_path, clean_libvirt):
    assert IMAGE_FILE.is_file(), f"{IMAGE_FILE} is missing: build it with `make test-image` (tools/build_test_image.sh)"
    leases = virsh("net-dhcp-leases", "default", check=False)
    assert GUEST_IP not in leases, f"{GUEST_IP} is leased on the default network already:\n{leases}"

    key = tmp_path / "id_ed25519"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "vmfleet-guest-test", "-f", str(key)], check=True
    )
    pubkey = key.with_suffix(".pub").read_text().strip()
    known_hosts = tmp_path / "known_hosts"

    host = {
        "default_storage_pool": POOL,
        "create_default_storage_pool": True,
        "default_storage_pool_path": str(pool_path),
        "networks": [{"name": "default", "default": True}],
    }
    results, proc = play(tmp_path, [{"name": "vm host", "vmfleet.hosts.vm_host": host}])
    assert proc.returncode == 0 and not results["vm host"].get("failed"), proc.stdout + proc.stderr
    image_size = upload_image()
    assert vol_capacity(VOLUME) == image_size

    request = {
        "name": NAME,
        "memory": 512,
        "cores": 1,
        "storage": "root:3",
        "boot": "image",
        "image": {"pool": POOL, "volume": VOLUME},
        "interfaces": [{"name": "eth0", "network": "default", "ip": GUEST_IP, "subnet": SUBNET}],
        "cloud_init": {
            "ssh_authorized_keys": [pubkey],
            "hostname": HOSTNAME,
            "user_data": {"runcmd": [["sh", "-c", f"echo {MARKER} > /var/tmp/vmfleet-marker"]]},
        },
        "state": "started",
    }
    compose = {"name": "compose", "vmfleet.hosts.vm_compose": request, "ignore_errors": True}
    if KVM_IS_PVM:
        request["accelerator"] = "tcg"
    results, proc = play(tmp_path, [compose], timeout=300, module_defaults=DEFAULTS)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    composed = results["compose"]
    assert composed.get("failed") is not True and composed["changed"] is True, composed
    assert virsh("domstate", NAME).strip() == "running"
    console = SerialConsole(NAME)
    try:
        # The boot disk: the image, copied and grown to the asked 3 GB.
        blk = dict(line.split(":", 1) for line in virsh("domblkinfo", NAME, "vda").splitlines())
        capacity = int(blk["Capacity"].strip())
        assert capacity >= 3 * 10**9 > image_size, (capacity, image_size)
        assert vol_capacity(f"{NAME}-root") == capacity

        up = wait_for_port(GUEST_IP, 22, time.monotonic() + BOOT_TIMEOUT)
        assert up, f"no SSH on {GUEST_IP}:22 after {BOOT_TIMEOUT} s; serial console ({console.path}):\n{console.tail()}"
        # sshd starts after cloud-init's init stage (users, keys, host keys, network); runcmd runs in the final
        # stage, so wait for cloud-init to finish before looking for its marker.
        proc = ssh_command(
            key,
            known_hosts,
            "cloud-init status --wait --long; echo ---; hostname; cat /var/tmp/vmfleet-marker; echo ---; "
            "ip -4 -o addr show; echo ---; lsblk -b -d -n -o SIZE /dev/vda; findmnt -b -n -o SIZE /; echo ---; "
            r"sudo grep -E '\[(WARNING|ERROR|CRITICAL)\]|Traceback' /var/log/cloud-init.log || true",
        )
        assert proc.returncode == 0, (
            f"ssh {GUEST_USER}@{GUEST_IP} failed ({proc.returncode}): {proc.stderr}\n{proc.stdout}\n"
            f"serial console:\n{console.tail()}"
        )
    finally:
        console.close()
    status, names, addresses, sizes, complaints = proc.stdout.split("---\n")
    assert not complaints and not proc.stderr.strip(), proc.stderr + complaints  # nothing in our seed upset it
    assert "status: done" in status and "DataSourceNoCloud [seed=/dev/sr0]" in status, status
    assert names.split() == [HOSTNAME, MARKER], names
    nic = [line for line in addresses.splitlines() if f" inet {GUEST_IP}/24 " in line]
    assert nic and nic[0].split()[1] == "eth0", addresses  # the static address, on the NIC named as asked
    disk_size, root_size = (int(value) for value in sizes.split())
    assert disk_size == capacity, (disk_size, capacity)  # the guest sees the grown disk
    assert root_size > image_size, (root_size, image_size)  # and cloud-init grew its root file system into it

    results, proc = play(
        tmp_path,
        [{"name": "absent", "vmfleet.hosts.vm_compose": {"name": NAME, "state": "absent"}}],
        timeout=120,
        module_defaults=DEFAULTS,
    )
    assert proc.returncode == 0 and results["absent"]["changed"] is True, proc.stdout + proc.stderr
    assert sorted(results["absent"]["removed_volumes"]) == [f"{POOL}/{NAME}-root", f"{POOL}/{NAME}-seed"]
    assert NAME not in virsh("list", "--all", "--name").split()
    assert volume_names(POOL) == [VOLUME]  # the image itself stays
