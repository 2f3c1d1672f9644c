# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vm_compose with boot: image against the real libvirtd: a copy of an image volume plus a cloud-init seed.

The image here is an empty qcow2 volume (there is no image server to fetch a cloud image from), so the guest
starts but finds no OS: these tests check what the VM is given (the copied and grown boot disk, the seed's
label and files, the boot order) with virsh, qemu-img and isoinfo, not that cloud-init ran inside a guest.
"""

from __future__ import annotations

import json
import subprocess
import xml.etree.ElementTree as ET

import pytest

from conftest import TEST_POOL_PREFIX, TEST_VM_PREFIX, virsh, volume_names
from playbook_runner import play

pytestmark = pytest.mark.integration

POOL = TEST_POOL_PREFIX + "img"
IMAGE = "base-image"
SECRET = "not-in-any-output-8d1f"
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHVtZmxlZXQtdGVzdC1rZXk test@vmfleet"
DEFAULTS = {"vmfleet.hosts.vm_compose": {"cpu_disabled_features": ["arch-capabilities"], "shutdown_timeout": 5}}


def isoinfo(path, *args) -> str:
    proc = subprocess.run(["isoinfo", "-i", str(path), *args], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def vm_request(name, **extra):
    options = {
        "name": name,
        "memory": 256,
        "storage": "root:1",
        "boot": "image",
        "image": {"pool": POOL, "volume": IMAGE},
        "interfaces": [{"name": "eth0", "network": "default", "ip": "192.168.122.50", "subnet": "192.168.122.0/24"}],
        "cloud_init": {"ssh_authorized_keys": [KEY], "user_data": {"packages": ["nginx"], "password": SECRET}},
        "state": "started",
        **extra,
    }
    return options


def host_with_image(tmp_path, pool_path):
    """A VM host with a test pool that holds an (empty) image volume."""
    options = {
        "default_storage_pool": POOL,
        "create_default_storage_pool": True,
        "default_storage_pool_path": str(pool_path),
        "networks": [{"name": "default", "default": True}],
    }
    results, proc = play(tmp_path, [{"name": "vm host", "vmfleet.hosts.vm_host": options}])
    assert proc.returncode == 0 and not results["vm host"].get("failed"), proc.stdout + proc.stderr
    virsh("vol-create-as", POOL, IMAGE, "64M", "--format", "qcow2")


def test_image_boot_copies_the_image_and_attaches_a_seed(tmp_path, pool_path, clean_libvirt):
    host_with_image(tmp_path, pool_path)

    name = TEST_VM_PREFIX + "img"
    tasks = [
        {"name": "first", "vmfleet.hosts.vm_compose": vm_request(name), "ignore_errors": True},
        {"name": "again", "vmfleet.hosts.vm_compose": vm_request(name), "ignore_errors": True},
        {
            "name": "other keys",
            "vmfleet.hosts.vm_compose": vm_request(name, cloud_init={"ssh_authorized_keys": [KEY + "2"]}),
            "ignore_errors": True,
        },
    ]
    results, proc = play(tmp_path, tasks, timeout=300, module_defaults=DEFAULTS)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    first = results["first"]
    assert first.get("failed") is not True, first
    assert first["created"] is True and results["again"]["changed"] is False
    # cloud-init settings cannot change in place, and saying so does not print them
    assert results["other keys"]["failed"] is True and results["other keys"]["option"] == "cloud_init"
    assert SECRET not in proc.stdout + proc.stderr + json.dumps(results)

    root = ET.fromstring(virsh("dumpxml", name))
    assert [b.get("dev") for b in root.findall("./os/boot")] == ["hd"]
    cdrom = root.find("./devices/disk[@device='cdrom']")
    assert cdrom.find("source").get("volume") == f"{name}-seed" and cdrom.find("readonly") is not None
    assert SECRET not in virsh("dumpxml", "--inactive", name)  # the metadata keeps only a digest
    assert sorted(volume_names(POOL)) == sorted([IMAGE, f"{name}-root", f"{name}-seed"])
    info = dict(
        line.split(":", 1) for line in virsh("vol-info", f"{name}-root", "--pool", POOL, "--bytes").splitlines()
    )
    assert int(info["Capacity"].split()[0]) >= 10**9  # the 64 MiB image, grown to the asked 1 GB
    assert virsh("domstate", name).strip() == "running"

    seed = pool_path / f"{name}-seed"
    assert "Volume id: cidata" in isoinfo(seed, "-d")
    user_data = isoinfo(seed, "-R", "-x", "/user-data")
    assert user_data.startswith("#cloud-config\n")
    config = json.loads(user_data.split("\n", 1)[1])  # JSON is YAML, which cloud-init reads
    assert config["ssh_authorized_keys"] == [KEY] and config["packages"] == ["nginx"]
    network = json.loads(isoinfo(seed, "-R", "-x", "/network-config"))
    mac = root.find("./devices/interface/mac").get("address")
    assert network["ethernets"]["eth0"] == {
        "match": {"macaddress": mac},
        "set-name": "eth0",
        "addresses": ["192.168.122.50/24"],
    }
    assert json.loads(isoinfo(seed, "-R", "-x", "/meta-data"))["local-hostname"] == name

    results, proc = play(
        tmp_path, [{"name": "absent", "vmfleet.hosts.vm_compose": {"name": name, "state": "absent"}}], timeout=120
    )
    assert sorted(results["absent"]["removed_volumes"]) == [f"{POOL}/{name}-root", f"{POOL}/{name}-seed"]
    assert volume_names(POOL) == [IMAGE]  # the image itself stays


@pytest.mark.parametrize(
    "extra, option, text",
    [
        ({"storage": "root:0.01"}, "disks[0].size", "is smaller than image"),
        ({"image": {"pool": POOL, "volume": "nope"}}, None, "image: volume"),
        ({"boot": "network", "image": None}, "cloud_init", "needs boot: image"),
        ({"image": None}, "image", "is required with boot: image"),
    ],
    ids=["root smaller than image", "missing image", "cloud-init without image", "image missing"],
)
def test_bad_image_requests_fail_before_anything_is_made(tmp_path, pool_path, clean_libvirt, extra, option, text):
    host_with_image(tmp_path, pool_path)

    name = TEST_VM_PREFIX + "badimg"
    request = {k: v for k, v in vm_request(name, **extra).items() if v is not None}
    results, proc = play(
        tmp_path,
        [{"name": "bad", "vmfleet.hosts.vm_compose": request, "ignore_errors": True}],
        module_defaults=DEFAULTS,
    )
    result = results["bad"]
    assert result["failed"] is True and text in result["msg"], result
    if option:
        assert result["option"] == option
    assert volume_names(POOL) == [IMAGE]
    assert name not in virsh("list", "--all", "--name").split()
