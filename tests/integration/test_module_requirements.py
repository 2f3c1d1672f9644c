# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each module's documented `requirements` are what it needs, no more and no less.

The modules run under the Python of a fresh venv (no system site packages, not even ansible-core: a managed host
has only what AnsiballZ ships) holding only the libraries a module documents, as ``ansible_python_interpreter``.
What is there must be enough (against the real libvirtd and LXD); what is missing must fail as
``kind: missing_binding`` with the library's name, never as a traceback.

Installs come from pip's local cache and indexes at the versions requirements/dev.txt pins; libvirt-python's
wheel that pip built for the project's venv is reused rather than compiled again.
"""

from __future__ import annotations

import glob
import os
import subprocess
import venv
from pathlib import Path

import pytest

from conftest import TEST_POOL_PREFIX, virsh
from playbook_runner import play

pytestmark = pytest.mark.integration

DEV_PINS = Path(__file__).resolve().parents[2] / "requirements" / "dev.txt"
SOCKET = "unix:/var/lib/lxd/unix.socket"
POOL = TEST_POOL_PREFIX + "req"
INFO = "vmfleet.hosts.vm_host_info"


def pinned(name: str) -> str:
    """``name==version`` as requirements/dev.txt pins it, so the venvs test what the project runs."""
    for line in DEV_PINS.read_text().splitlines():
        if line.split("==")[0].strip().lower() == name.lower():
            return line.split("#")[0].strip()
    raise AssertionError(f"{name} is not pinned in {DEV_PINS}")


def cached_wheel(name: str):
    """The wheel pip already built from a source-only release (libvirt-python compiles for about a minute)."""
    requirement = pinned(name)
    version = requirement.split("==")[1]
    pattern = os.path.expanduser(f"~/.cache/pip/wheels/**/{name.replace('-', '_')}-{version}-*.whl")
    found = sorted(glob.glob(pattern, recursive=True))
    return found[-1] if found else requirement


def make_venv(path: Path, *packages: str) -> Path:
    """A venv with pip and exactly ``packages`` (and what they depend on); returns its python."""
    venv.EnvBuilder(with_pip=True, system_site_packages=False, clear=True).create(path)
    python = path / "bin" / "python"
    if packages:
        install(python, *packages)
    return python


def install(python: Path, *packages: str) -> None:
    proc = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-input", *packages],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def has(python: Path, module: str) -> bool:
    return subprocess.run([str(python), "-c", f"import {module}"], capture_output=True, check=False).returncode == 0


def run_with(python: Path, tmp_path: Path, tasks: list, **kwargs) -> dict:
    tasks = [{"ignore_errors": True, **task} for task in tasks]
    results, proc = play(tmp_path, tasks, "-e", f"ansible_python_interpreter={python}", **kwargs)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return results


def ok(result: dict) -> dict:
    assert not result.get("failed"), result.get("msg")
    return result


def missing(result: dict, library: str) -> None:
    """Failed as the documented missing_binding, naming the library, from the module itself (no traceback)."""
    assert result.get("failed"), result
    assert result.get("kind") == "missing_binding", result
    assert library in result["msg"], result["msg"]
    assert "module_stderr" not in result and "Traceback" not in result.get("msg", ""), result


TINY_HOST = {
    "name": "kvm01",
    "numa": [{"node_id": 0, "cpus": 4, "memory": {"total": 8192}}],
    "storage_pools": [{"name": "default", "type": "dir", "total": 10**11, "default": True}],
}


def compose_check(name: str, **extra) -> dict:
    request = {"name": "vmft-req", "cores": 1, "memory": 256, "storage": "root:1", "interfaces": "eth0:", **extra}
    return {"name": name, "vmfleet.hosts.vm_compose": request, "check_mode": True}


# boot from an image: the cloud-init seed is built (with pycdlib) when the compose is planned, check mode too
IMAGE_BOOT = {"boot": "image", "image": {"pool": POOL, "volume": "base-image"}, "cloud_init": {"hostname": "req"}}


def test_bare_python_runs_vm_plan_and_every_other_module_names_what_it_lacks(tmp_path):
    python = make_venv(tmp_path / "bare")
    assert not has(python, "ansible") and not has(python, "jinja2")
    pair = {"client_cert": str(tmp_path / "c.crt"), "client_key": str(tmp_path / "c.key")}
    results = run_with(
        python,
        tmp_path,
        [
            {"name": "plan", "vmfleet.hosts.vm_plan": {"hosts": [TINY_HOST], "requests": [{"name": "vm", "cores": 2}]}},
            {"name": "libvirt info", INFO: {"uri": "qemu:///system"}},
            {"name": "lxd info", INFO: {"url": SOCKET}},
            {"name": "libvirt compose", "vmfleet.hosts.vm_compose": {"name": "vmft-req", "cores": 1}},
            {"name": "trust", "vmfleet.hosts.lxd_trust": {"url": SOCKET, **pair}, "check_mode": True},
        ],
    )
    assert ok(results["plan"])["placements"][0]["host"] == "kvm01"
    missing(results["libvirt info"], "libvirt")
    missing(results["lxd info"], "pylxd")
    missing(results["libvirt compose"], "libvirt")
    missing(results["trust"], "cryptography")


def test_cryptography_alone_is_not_enough_for_lxd_trust(tmp_path):
    python = make_venv(tmp_path / "crypto", pinned("cryptography"))
    pair = {"client_cert": str(tmp_path / "c.crt"), "client_key": str(tmp_path / "c.key")}
    results = run_with(
        python, tmp_path, [{"name": "trust", "vmfleet.hosts.lxd_trust": {"url": SOCKET, **pair}, "check_mode": True}]
    )
    missing(results["trust"], "pylxd")


def test_libvirt_python_serves_libvirt_hosts_compose_needs_jinja2_and_image_boot_pycdlib(
    tmp_path, pool_path, clean_libvirt
):
    python = make_venv(tmp_path / "libvirt", cached_wheel("libvirt-python"))
    assert not has(python, "jinja2") and not has(python, "pylxd")
    register = {
        "default_storage_pool": POOL,
        "create_default_storage_pool": True,
        "default_storage_pool_path": str(pool_path),
        "networks": [{"name": "default", "default": True}],
    }
    results = run_with(
        python,
        tmp_path,
        [
            {"name": "register", "vmfleet.hosts.vm_host": register},
            {"name": "info", INFO: {}},
            compose_check("compose without jinja2"),
            {"name": "lxd info", INFO: {"url": SOCKET}},
        ],
    )
    assert ok(results["register"])["changed"]
    assert ok(results["info"])["host"]["type"] == "libvirt"
    missing(results["compose without jinja2"], "jinja2")
    missing(results["lxd info"], "pylxd")

    virsh("vol-create-as", POOL, "base-image", "64M", "--format", "qcow2")
    install(python, pinned("Jinja2"))
    assert not has(python, "pycdlib")
    results = run_with(
        python, tmp_path, [compose_check("compose with jinja2"), compose_check("image boot", **IMAGE_BOOT)]
    )
    assert ok(results["compose with jinja2"])["changed"]
    missing(results["image boot"], "pycdlib")

    install(python, pinned("pycdlib"))
    results = run_with(python, tmp_path, [compose_check("image boot with pycdlib", **IMAGE_BOOT)])
    assert ok(results["image boot with pycdlib"])["changed"]


def test_pylxd_serves_lxd_hosts_and_lxd_trust(tmp_path, clean_lxd):
    python = make_venv(tmp_path / "pylxd", pinned("pylxd"))
    assert not has(python, "libvirt") and not has(python, "jinja2")
    pair = {"client_cert": str(tmp_path / "c.crt"), "client_key": str(tmp_path / "c.key")}
    trust = {"url": SOCKET, "name": "vmfleet-test-req", "common_name": "vmfleet-test-req", **pair}
    results = run_with(
        python,
        tmp_path,
        [
            {"name": "info", INFO: {"url": SOCKET}},
            {"name": "trust", "vmfleet.hosts.lxd_trust": trust},
            {"name": "libvirt info", INFO: {"uri": "qemu:///system"}},
        ],
    )
    assert ok(results["info"])["host"]["type"] == "lxd"
    assert ok(results["trust"])["trusted"] and results["trust"]["generated"]
    missing(results["libvirt info"], "libvirt")
