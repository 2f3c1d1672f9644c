"""Needs that no line of this repository's code names: commands and files that programs we start use on
this machine themselves. Each says who needs it; the checker finds its package and requires the Makefile to
install it. Keep a reason on every line: a package that nothing here needs is refused too."""

from __future__ import annotations

import sys

# The interpreter the Makefile builds the virtual environment from (PYTHON ?= /usr/bin/python3) is the
# checker's own, so its version names the right headers and ensurepip.
SYSTEM_PYTHON = "/usr/bin/python3"
PY = f"python{sys.version_info.major}.{sys.version_info.minor}"

COMMANDS = {
    "qemu-system-x86_64": "libvirtd starts every test and demo guest with it",
    "dnsmasq": "libvirt's default network and LXD's lxdbr0 hand out guest addresses with it",
    "ssh": "libvirt's qemu+ssh transport runs the ssh client (test_libvirt_ssh, docs)",
    "nc": "libvirt 9.0's qemu+ssh transport runs nc on the far end (this machine's test sshd)",
    "gcc": "pip compiles libvirt-python (make venv)",
    "pkg-config": "libvirt-python's build finds libvirt's headers and libraries with it (make venv)",
    "shellcheck": "ansible-test sanity runs its shellcheck test on tools/*.sh",
    "xmllint": "virt-xml-validate (test_libvirt_vm_compose) validates domain XML with it",
    "git": "antsibull-docs (make docs) asks git whether the collection copy lies in a work tree",
    "make": "runs this Makefile (.ci/run, the README's two commands)",
    "lxc": "the LXD tests, the molecule scenarios and the community.general.lxd connection drive LXD with it",
    # started through tools/without_inherited_fds.sh (a line's first word), so no line names them as a command
    "libvirtd": "tools/daemons.sh starts it through tools/without_inherited_fds.sh",
    "virtlogd": "tools/daemons.sh starts it through tools/without_inherited_fds.sh",
}

FILES = {
    "/usr/include/libvirt/libvirt.h": "pip compiles libvirt-python against libvirt's headers (make venv)",
    f"/usr/include/{PY}/Python.h": "pip compiles libvirt-python against the interpreter's headers (make venv)",
    f"/usr/lib/{PY}/ensurepip/__init__.py": "python3 -m venv needs ensurepip (make venv)",
    "/usr/libexec/incus/incusd": "tools/incus_daemon.sh starts Incus's daemon from there (Debian keeps it off PATH)",
    "/usr/lib/EXTLINUX/mbr.bin": "tools/build_test_image.sh writes extlinux's MBR onto the guest disk",
}

# Commands a program tries when they are there and does without otherwise (read in its source, and seen going on
# without them): the trace records them, but a fresh machine needs none of them.
OPTIONAL = {
    "getfacl": "antsibull-docs (antsibull_core.filesystem) reads ACLs with it when present, and passes its absence",
    "file": "ansible.builtin.stat adds a MIME type with it when get_bin_path finds it",
    "lsb_release": "bindep's distro library asks it first and falls back to /etc/os-release",
}
