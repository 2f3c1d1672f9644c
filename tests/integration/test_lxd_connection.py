# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reaching the real LXD through the collection: the unix socket, HTTPS with a trusted certificate and a pinned
server, and each refusal (untrusted client, wrong pin, no pin and no CA, plain HTTP) with its own kind and message.

vm_host_info is the probe: it goes through the driver factory and LxdDriver like every other module.
"""

from __future__ import annotations

import subprocess

import pytest
from lxd_support import current, query, server_fingerprint, trust_record

from playbook_runner import play

pytestmark = pytest.mark.integration

INFO = "vmfleet.hosts.vm_host_info"


def openssl_pair(directory, name: str) -> dict:
    key, cert = directory / f"{name}.key", directory / f"{name}.crt"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-nodes"]
        + ["-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", f"/CN={name}"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return {"client_cert": str(cert), "client_key": str(key)}


@pytest.mark.incus
def test_socket_and_https_reach_the_same_daemon_and_refusals_say_why(tmp_path, clean_lxd):
    daemon = current()
    # the server certificate sits beside the socket (/var/lib/lxd, /var/lib/incus)
    server_cert = daemon.socket.rsplit("/", 1)[0] + "/server.crt"
    trusted = openssl_pair(tmp_path, "vmfleet-test-conn-trusted")
    stranger = openssl_pair(tmp_path, "vmfleet-test-conn-stranger")
    real = server_fingerprint()
    https = {"address": daemon.https}
    # an HTTPS address says nothing of the daemon's kind: Incus needs type: incus there (a socket path says it)
    kind = {"type": daemon.type}

    def info(name, **options):
        return {"name": name, INFO: options, "ignore_errors": True}

    results, proc = play(
        tmp_path,
        [
            info("socket", address=None, type=daemon.type),  # the local socket, found without being named
            info("socket path", address=daemon.socket),
            # group defaults carry the connection to lxd_trust and vm_host_info alike
            {"name": "trust", "vmfleet.hosts.lxd_trust": {"address": f"unix:{daemon.socket}"}},
            info("https by fingerprint", server_fingerprint=real.upper(), **kind),
            info("https by server cert", server_cert=server_cert, **kind),
            info("untrusted", server_fingerprint=real, **stranger, **kind),
            info("wrong pin", server_fingerprint="cd" * 32, **kind),
            info("no pin", server_fingerprint=None, **kind),
            info("plain http", address=daemon.https.replace("https:", "http:"), server_fingerprint=real, **kind),
            info("no socket", address="/run/vmfleet-test-no-such.socket", client_cert=None, client_key=None),
        ],
        module_defaults={"group/vmfleet.hosts.vmhost": {**https, **trusted}},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    server_name = query("/1.0")["environment"]["server_name"]

    for name in ("socket", "socket path", "https by fingerprint", "https by server cert"):
        result = results[name]
        assert not result.get("failed"), (name, result.get("msg"))
        assert result["host"]["type"] == daemon.type
        assert result["host"]["name"] == server_name
        assert result["host"]["total"] == results["socket"]["host"]["total"]

    assert results["trust"]["changed"] and trust_record(results["trust"]["fingerprint"]) is not None

    untrusted = results["untrusted"]
    assert untrusted["failed"] and untrusted["kind"] == "permission"
    assert "does not trust this client's certificate" in untrusted["msg"]
    assert "lxd_trust" in untrusted["msg"]

    assert results["wrong pin"]["kind"] == "untrusted_server"
    assert "does not match the pinned one" in results["wrong pin"]["msg"]
    assert results["no pin"]["kind"] == "untrusted_server"
    assert "not signed by a CA" in results["no pin"]["msg"]
    assert "server_fingerprint" in results["no pin"]["msg"]
    assert results["plain http"]["kind"] == "bad_address"
    assert "plain HTTP" in results["plain http"]["msg"]
    assert results["no socket"]["kind"] == "unreachable"
