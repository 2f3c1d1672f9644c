# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The real LXD daemon as the tests see it: the `lxc` client (which we did not write) and a scrub.

The same suite runs against Incus 6.0 beside it where the test asks (``@pytest.mark.incus`` and the ``daemon``
fixture of conftest.py): ``DAEMON`` then names Incus, and ``lxc()`` runs the ``incus`` client on Incus's socket.
Everything a test reads about "the daemon" (client, host type, HTTPS address, bridge, socket) comes from it.

Naming rules every LXD test keeps, so the scrub can find what a test made and nothing else:
instances ``vmft-*``; projects ``vmfleet-test*``; custom volumes ``vmft-*``; storage pools ``vmfleet-test-*``;
trusted certificates named ``vmfleet-test*``. The local LXD is reached over its unix socket (``lxc`` as root)
and over https://127.0.0.1:8443 (tools/lxd_daemon.sh sets it up).
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass


@dataclass(frozen=True)
class Daemon:
    """One daemon of the LXD family on this machine, as tools/lxd_daemon.sh and tools/incus_daemon.sh set it up."""

    type: str  # the connection option type: lxd / incus
    cli: str  # its command-line client
    socket: str
    https: str
    bridge: str  # the managed NAT bridge of its default profile
    subnet: str
    image_tool: str  # what imports the test image into it (tools/)

    def trust_add_certificate(self, path: str, name: str) -> list:
        """The client's words for "trust this certificate file" (Incus renamed LXD 5.0's `trust add FILE`)."""
        if self.cli == "incus":
            return ["config", "trust", "add-certificate", path, "--name", name]
        return ["config", "trust", "add", path, "--name", name]

    def trust_add_token(self, name: str) -> list:
        if self.cli == "incus":
            return ["config", "trust", "add", name]
        return ["config", "trust", "add", "--name", name]


LXD = Daemon("lxd", "lxc", "/var/lib/lxd/unix.socket", "https://127.0.0.1:8443", "lxdbr0", "10.83.0.0/24",
             "build_lxd_image.sh")  # fmt: skip
INCUS = Daemon("incus", "incus", "/var/lib/incus/unix.socket", "https://127.0.0.1:8444", "incusbr0", "10.84.0.0/24",
               "incus_image.sh")  # fmt: skip
DAEMONS = (LXD, INCUS)
# the daemon under test; conftest's daemon fixture switches it (tests of one daemon at a time, never in parallel)
DAEMON = LXD


def use(daemon: Daemon) -> None:
    global DAEMON  # noqa: PLW0603 - the one switch the suite's helpers read
    DAEMON = daemon


def current() -> Daemon:
    return DAEMON


HTTPS_ADDRESS = LXD.https  # LXD's; tests that also run on Incus read current().https
TEST_IMAGE = "vmfleet-test/debian12"  # tools/build_lxd_image.sh imports it
PREFIX = "vmft-"
PROJECT_PREFIX = "vmfleet-test"
POOL_PREFIX = "vmfleet-test-"
CERT_PREFIX = "vmfleet-test"


def lxc(*args: str, check: bool = True, timeout: int = 120) -> str:
    """Run the daemon's client (lxc, or incus for Incus) against the local daemon and return its output."""
    proc = subprocess.run([DAEMON.cli, *args], capture_output=True, text=True, timeout=timeout, check=False)
    if check and proc.returncode != 0:
        raise AssertionError(f"{DAEMON.cli} {' '.join(args)} failed: {proc.stderr.strip()}")
    return proc.stdout


def lxc_json(*args: str, check: bool = True):
    out = lxc(*args, "--format", "json", check=check)
    return json.loads(out) if out.strip() else []


def query(path: str, check: bool = True):
    """GET a REST path through `lxc query` (raw API, e.g. /1.0/projects/default)."""
    out = lxc("query", path, check=check)
    return json.loads(out) if out.strip() else None


def server_fingerprint() -> str:
    return query("/1.0")["environment"]["certificate_fingerprint"]


def projects() -> list:
    return [p["name"] for p in query("/1.0/projects?recursion=1")]


def _scrub_project(project: str) -> None:
    for inst in lxc_json("list", "--project", project, check=False) or []:
        if inst["name"].startswith(PREFIX):
            lxc("delete", "--force", "--project", project, inst["name"], check=False)
    for pool in query("/1.0/storage-pools?recursion=1", check=False) or []:
        for vol in lxc_json("storage", "volume", "list", pool["name"], "--project", project, check=False) or []:
            if vol["type"] == "custom" and vol["name"].startswith(PREFIX):
                lxc("storage", "volume", "delete", pool["name"], vol["name"], "--project", project, check=False)
    # a compose lock or lock breaker a test left behind (a profile keeps a project from being deleted)
    for profile in lxc_json("profile", "list", "--project", project, check=False) or []:
        if profile["name"].startswith("vmfleet-compose-lock"):
            lxc("profile", "delete", profile["name"], "--project", project, check=False)
    config = (query(f"/1.0/projects/{project}", check=False) or {}).get("config") or {}
    for key in config:
        if key.startswith("user.vmfleet"):
            lxc("project", "unset", project, key, check=False)


def scrub_all() -> None:
    """The scrub on every daemon of the family that runs here (LXD, and Incus when installed)."""
    was = DAEMON
    try:
        for daemon in DAEMONS:
            use(daemon)
            if subprocess.run([daemon.cli, "query", "/1.0"], capture_output=True, check=False).returncode == 0:
                scrub()
    finally:
        use(was)


def scrub() -> None:
    """Remove everything the tests may have made on the daemon under test (see the naming rules above)."""
    names = projects()
    for project in names:
        _scrub_project(project)
    for project in names:
        if project.startswith(PROJECT_PREFIX):
            # a project's default profile and empty image list do not keep it; anything else the tests made goes
            own_images = ((query(f"/1.0/projects/{project}", check=False) or {}).get("config") or {}).get(
                "features.images"
            ) != "false"  # a project without its own images lists the default project's: those are not ours
            for image in (query(f"/1.0/images?project={project}", check=False) or []) if own_images else []:
                lxc("image", "delete", "--project", project, image.rsplit("/", 1)[-1], check=False)
            lxc("project", "delete", project, check=False)
    for pool in query("/1.0/storage-pools?recursion=1", check=False) or []:
        if pool["name"].startswith(POOL_PREFIX):
            lxc("storage", "delete", pool["name"], check=False)
    for cert in query("/1.0/certificates?recursion=1", check=False) or []:
        if cert["name"].startswith(CERT_PREFIX):
            lxc("config", "trust", "remove", cert["fingerprint"], check=False)
    for name in pending_tokens():
        if name.startswith(CERT_PREFIX):
            lxc("config", "trust", "revoke-token", name, check=False)
    if DAEMON.type == "lxd":  # Incus has no such key
        lxc("config", "unset", "core.trust_password", check=False)


def trust_token(name: str, *flags: str) -> str:
    """A trust token made over the socket (`lxc config trust add --name NAME`, `incus config trust add NAME`)."""
    return lxc(*DAEMON.trust_add_token(name), *flags).strip().splitlines()[-1].strip()


def trust_record(fingerprint: str):
    """The server's record of a trusted certificate, or None when it is not in the trust store."""
    out = lxc("query", f"/1.0/certificates/{fingerprint}", check=False)
    return json.loads(out) if out.strip() else None


def pending_tokens() -> list:
    # LXD 5.0's client prints ClientName, Incus's client_name
    tokens = lxc_json("config", "trust", "list-tokens", check=False) or []
    return [token.get("ClientName") or token.get("client_name") for token in tokens]
