# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""lxd_trust against the real LXD 5.0 daemon: token and password joins, pinning, refusals, absent, check mode.

The tests marked incus run against Incus 6.0 too (type: incus; lxd_support.current() is the daemon under test),
and Incus's own refusal of a trust password and its bring-your-own certificate are tested on Incus alone.

Every claim is checked with the `lxc` client over the unix socket (`lxc config trust list`, `list-tokens`,
`lxc query /1.0/certificates/...`), never with the module's own word. Certificates and tokens are named
``vmfleet-test-trust-*`` so the clean_lxd scrub removes them.
"""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess

import pytest
from lxd_support import (
    HTTPS_ADDRESS,
    INCUS,
    current,
    lxc,
    lxc_json,
    pending_tokens,
    server_fingerprint,
    trust_record,
    trust_token,
)

from playbook_runner import play

pytestmark = pytest.mark.integration

MODULE = "vmfleet.hosts.lxd_trust"
SERVER_CERT = "/var/lib/lxd/server.crt"
PASSWORD = "vmfleet-test-pw-7c1d"
PROJECT = "vmfleet-test-trust-p"


def defaults() -> dict:
    return {MODULE: {"type": current().type}}


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)


def openssl_fingerprint(cert) -> str:
    out = subprocess.run(
        ["openssl", "x509", "-in", str(cert), "-noout", "-fingerprint", "-sha256"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return out.split("=", 1)[1].strip().replace(":", "").lower()


def openssl_pair(directory, name: str, passphrase: str | None = None) -> tuple:
    """A key and self-signed certificate made by openssl (not by the code under test)."""
    key, cert = directory / f"{name}.key", directory / f"{name}.crt"
    protect = ["-aes256", "-pass", f"pass:{passphrase}"] if passphrase else []
    openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", *protect, "-out", str(key))
    passin = ["-passin", f"pass:{passphrase}"] if passphrase else []
    openssl("req", "-x509", "-key", str(key), *passin, "-days", "30", "-subj", f"/CN={name}", "-out", str(cert))
    return str(cert), str(key)


def trusted_names() -> dict:
    return {cert["fingerprint"]: cert["name"] for cert in lxc_json("config", "trust", "list")}


def failed_with(result: dict, *fragments: str) -> str:
    assert result.get("failed"), result
    for fragment in fragments:
        assert fragment in result["msg"], result["msg"]
    return result["msg"]


@pytest.mark.incus
def test_token_generates_a_pair_gets_trusted_and_is_unchanged_after(tmp_path, clean_lxd):
    token = trust_token("vmfleet-test-trust-tok")
    secret = json.loads(base64.b64decode(token))["secret"]
    certs_dir = tmp_path / "vmfleet"
    pair = {"client_cert": str(certs_dir / "client.crt"), "client_key": str(certs_dir / "client.key")}
    results, proc = play(
        tmp_path,
        [
            {"name": "check", MODULE: {**pair, "trust_token": token}, "check_mode": True, "diff": True},
            {"name": "trust", MODULE: {**pair, "trust_token": token}, "diff": True},
            {"name": "again", MODULE: {**pair, "trust_token": token}},
            {
                "name": "again without token",
                # what a newcomer does after the join: the pin the first run reported (result_1 is "trust")
                MODULE: {**pair, "address": current().https, "server_fingerprint": "{{ result_1.server_fingerprint }}"},
            },
        ],
        "-vvv",
        module_defaults=defaults(),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    check, trust = results["check"], results["trust"]

    # check mode: predicted, nothing written or sent, the token still pending
    assert check["changed"] and check["generated"] and check["trusted"]
    assert check["fingerprint"] is None
    assert check["diff"]["before"] == {"trusted": False, "client_cert": "absent", "client_key": "absent"}
    assert check["server_fingerprint"] == server_fingerprint()

    # the real run: a P-384 pair written with safe modes, trusted under the token's name
    assert trust["changed"] and trust["generated"] and trust["trusted"]
    assert mode(certs_dir) == 0o700
    assert mode(pair["client_key"]) == 0o600
    assert mode(pair["client_cert"]) == 0o644
    assert openssl_fingerprint(pair["client_cert"]) == trust["fingerprint"]
    assert trust["certificate"] == (certs_dir / "client.crt").read_text()
    assert trust["server_fingerprint"] == server_fingerprint()
    assert trust["address"] == current().https  # taken from the token
    assert trust["diff"]["before"] == check["diff"]["before"]  # check mode wrote nothing
    assert trust["diff"]["after"]["trusted"] is True
    assert trusted_names()[trust["fingerprint"]] == "vmfleet-test-trust-tok"
    assert "vmfleet-test-trust-tok" not in pending_tokens()
    key_text = subprocess.run(
        ["openssl", "pkey", "-in", pair["client_key"], "-noout", "-text"], check=True, capture_output=True, text=True
    ).stdout
    assert "384 bit" in key_text

    # re-runs: the used token is not sent again, nothing changes, the files are not rewritten
    for name in ("again", "again without token"):
        assert not results[name]["changed"], results[name]
        assert results[name]["trusted"] and not results[name]["generated"]
        assert results[name]["fingerprint"] == trust["fingerprint"]

    # neither the key nor the token's secret shows up anywhere in the verbose output
    key_body = "".join((certs_dir / "client.key").read_text().splitlines()[1:-1])
    output = proc.stdout + proc.stderr
    assert key_body[:40] not in output
    assert "PRIVATE KEY" not in output
    assert secret not in output and token not in output


def test_password_join_restricted_to_a_project(tmp_path, clean_lxd):
    lxc("project", "create", PROJECT)
    lxc("config", "set", "core.trust_password", PASSWORD)
    cert, key = openssl_pair(tmp_path, "vmfleet-test-trust-byo")
    before = (tmp_path / "vmfleet-test-trust-byo.key").read_bytes()
    task = {
        "address": HTTPS_ADDRESS,
        "server_cert": SERVER_CERT,
        "client_cert": cert,
        "client_key": key,
        "trust_password": PASSWORD,
        "name": "vmfleet-test-trust-pw",
        "projects": [PROJECT],
    }
    results, proc = play(
        tmp_path,
        [
            {"name": "wrong password", MODULE: {**task, "trust_password": "nope"}, "ignore_errors": True},
            {"name": "trust", MODULE: task},
            {"name": "again", MODULE: task},
        ],
        "-v",
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    msg = failed_with(results["wrong password"], "the server refused trust_password")
    assert results["wrong password"]["kind"] == "permission"
    assert "nope" not in msg

    fingerprint = openssl_fingerprint(cert)
    trust = results["trust"]
    assert trust["changed"] and trust["trusted"] and not trust["generated"]
    assert trust["fingerprint"] == fingerprint
    assert (trust["restricted"], trust["projects"], trust["name"]) == (True, [PROJECT], "vmfleet-test-trust-pw")
    record = trust_record(fingerprint)
    assert record["restricted"] is True
    assert record["projects"] == [PROJECT]
    assert record["name"] == "vmfleet-test-trust-pw"
    assert not results["again"]["changed"]
    assert (tmp_path / "vmfleet-test-trust-byo.key").read_bytes() == before  # a given pair is never rewritten
    assert PASSWORD not in proc.stdout + proc.stderr


def test_bad_pairs_are_refused_each_with_its_message_and_nothing_sent(tmp_path, clean_lxd):
    lxc("config", "set", "core.trust_password", PASSWORD)
    locked_cert, locked_key = openssl_pair(tmp_path, "vmfleet-test-trust-locked", passphrase="hunter2")
    good_cert, good_key = openssl_pair(tmp_path, "vmfleet-test-trust-good")
    other_cert, other_key = openssl_pair(tmp_path, "vmfleet-test-trust-other")
    not_pem = tmp_path / "not.pem"
    not_pem.write_text("this is not a certificate\n")
    key_as_cert = tmp_path / "key-as-cert.pem"
    key_as_cert.write_bytes((tmp_path / "vmfleet-test-trust-good.key").read_bytes())
    common = {"address": HTTPS_ADDRESS, "server_cert": SERVER_CERT, "trust_password": PASSWORD}
    cases = {
        "passphrase": (
            {"client_cert": locked_cert, "client_key": locked_key},
            "client_key is protected by a passphrase",
        ),
        "bad pem": ({"client_cert": str(not_pem), "client_key": good_key}, "client_cert is not a PEM file"),
        "wrong type": ({"client_cert": str(key_as_cert), "client_key": good_key}, "client_cert holds a private key"),
        "mismatch": (
            {"client_cert": good_cert, "client_key": other_key},
            "client_key does not match the certificate in client_cert",
        ),
        "lone key": (
            {"client_cert": str(tmp_path / "missing.crt"), "client_key": good_key},
            "client_cert does not exist",
        ),
    }
    results, proc = play(
        tmp_path,
        [{"name": name, MODULE: {**common, **pair}, "ignore_errors": True} for name, (pair, _msg) in cases.items()],
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    messages = set()
    for name, (_pair, fragment) in cases.items():
        messages.add(failed_with(results[name], fragment))
        assert results[name]["option"] in ("client_cert", "client_key")
    assert len(messages) == len(cases)
    for cert in (locked_cert, good_cert, other_cert):
        assert trust_record(openssl_fingerprint(cert)) is None
    assert not (tmp_path / "missing.crt").exists()  # a lone key gets no certificate made up for it
    assert "hunter2" not in proc.stdout


def _forged_token(fingerprint: str, **fields) -> str:
    document = {
        "client_name": "vmfleet-test-trust-forged",
        "fingerprint": fingerprint,
        "addresses": ["127.0.0.1:8443"],
        "secret": "0" * 64,
        "expires_at": "0001-01-01T00:00:00Z",
    }
    document.update(fields)
    return base64.b64encode(json.dumps(document).encode()).decode()


def test_pinning_and_token_refusals(tmp_path, clean_lxd):
    lxc("config", "set", "core.trust_password", PASSWORD)
    real = server_fingerprint()
    wrong = "ab" * 32
    token = trust_token("vmfleet-test-trust-pin")
    pair = {
        "client_cert": str(tmp_path / "c.crt"),
        "client_key": str(tmp_path / "c.key"),
        "name": "vmfleet-test-trust-pin",
    }
    https = {**pair, "address": HTTPS_ADDRESS}
    colons = ":".join(real[i : i + 2] for i in range(0, 64, 2)).upper()
    results, proc = _play_ignoring(tmp_path, pair, https, token, real, wrong, colons)
    assert proc.returncode == 0, proc.stdout + proc.stderr

    failed_with(results["token vs pin"], "server_fingerprint", "trust token was made by a server", real)
    assert "vmfleet-test-trust-pin" in pending_tokens()  # refused before the token was sent
    failed_with(results["wrong pin"], "not the one pinned by server_fingerprint", "nothing was sent")
    failed_with(results["no pin no CA"], "not signed by a CA", "server_fingerprint", real)
    failed_with(results["expired token"], "trust_token expired at 2020-01-01")
    assert results["unknown token"]["kind"] == "permission"
    failed_with(results["unknown token"], "the server refused trust_token")
    failed_with(results["garbage token"], "trust_token is not an LXD trust token")
    assert results["unreachable"]["kind"] == "unreachable"
    failed_with(results["unreachable"], "https://127.0.0.1:9", "cannot connect")
    failed_with(results["plain http"], "plain HTTP")
    for name in ("no secret", "no secret check"):  # check mode foresees the failure too
        failed_with(results[name], "does not trust the certificate", "give trust_token")
    # a generated pair that could not be trusted is not left behind
    assert not (tmp_path / "refused.key").exists() and not (tmp_path / "refused.crt").exists()

    trust = results["server cert"]
    assert trust["changed"] and trust["trusted"] and trust["server_fingerprint"] == real
    assert trust_record(trust["fingerprint"])["name"] == "vmfleet-test-trust-pin"
    assert not results["fingerprint"]["changed"] and results["fingerprint"]["trusted"]
    with open(SERVER_CERT) as stream:
        assert results["fingerprint"]["server_certificate"] == stream.read()


def _play_ignoring(tmp_path, pair, https, token, real, wrong, colons):
    expired = _forged_token(real, expires_at="2020-01-01T00:00:00Z")
    tasks = [
        ("token vs pin", {**pair, "trust_token": token, "server_fingerprint": wrong}),
        ("wrong pin", {**https, "server_fingerprint": wrong, "trust_password": PASSWORD}),
        ("no pin no CA", {**https, "trust_password": PASSWORD}),
        ("expired token", {**pair, "trust_token": expired}),
        ("unknown token", {**pair, "trust_token": _forged_token(real)}),
        ("garbage token", {**pair, "trust_token": "bm90IGEgdG9rZW4="}),
        ("unreachable", {**pair, "address": "https://127.0.0.1:9", "server_fingerprint": real}),
        ("plain http", {**pair, "address": "http://127.0.0.1:8443", "trust_password": PASSWORD}),
        ("no secret", {**https, "server_fingerprint": real}),
    ]
    # the refused tasks use a pair path of their own: nothing may be left there
    refused = {"client_cert": str(tmp_path / "refused.crt"), "client_key": str(tmp_path / "refused.key")}
    return play(
        tmp_path,
        [
            {"name": "server cert", MODULE: {**https, "server_cert": SERVER_CERT, "trust_password": PASSWORD}},
            {"name": "fingerprint", MODULE: {**https, "server_fingerprint": colons}},
        ]
        + [{"name": name, MODULE: {**args, **refused}, "ignore_errors": True} for name, args in tasks]
        + [
            {
                "name": "no secret check",
                MODULE: {**https, **refused, "server_fingerprint": real},
                "check_mode": True,
                "ignore_errors": True,
            }
        ],
    )


@pytest.mark.incus
def test_absent_and_the_local_socket(tmp_path, clean_lxd):
    lxc("project", "create", PROJECT)
    cert, key = openssl_pair(tmp_path, "vmfleet-test-trust-sock")
    fingerprint = openssl_fingerprint(cert)
    pair = {"client_cert": cert, "client_key": key}
    https = {**pair, "address": current().https, "server_fingerprint": server_fingerprint()}
    results, proc = play(
        tmp_path,
        [
            {"name": "add over socket", MODULE: {**pair, "projects": [PROJECT]}, "diff": True},
            {"name": "restricted cannot leave", MODULE: {**https, "state": "absent"}, "ignore_errors": True},
            {"name": "absent check", MODULE: {**pair, "state": "absent"}, "check_mode": True},
            {"name": "absent", MODULE: {**pair, "state": "absent"}, "diff": True},  # still trusted after check
            {"name": "absent again", MODULE: {**pair, "state": "absent"}},
            {"name": "absent over https", MODULE: {**https, "state": "absent"}},
            {"name": "add unrestricted", MODULE: pair},
            {"name": "leave over https", MODULE: {**https, "state": "absent", "remove_files": True}},
            {"name": "leave again", MODULE: {**https, "state": "absent", "remove_files": True}},
        ],
        module_defaults=defaults(),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    added = results["add over socket"]
    assert added["changed"] and added["trusted"] and added["restricted"]
    assert added["server_fingerprint"] == server_fingerprint()
    # no name given: the certificate's common name, which openssl set
    assert (added["name"], added["projects"]) == ("vmfleet-test-trust-sock", [PROJECT])
    failed_with(results["restricted cannot leave"], "does not let this certificate remove itself", "unix socket")
    assert results["absent check"]["changed"]
    assert results["absent"]["changed"] and not results["absent"]["trusted"]
    assert results["absent"]["diff"]["before"]["trusted"] is True
    assert not results["absent again"]["changed"]
    assert not results["absent over https"]["changed"]

    assert results["add unrestricted"]["changed"]
    assert results["leave over https"]["changed"]
    assert trust_record(fingerprint) is None
    assert fingerprint not in trusted_names()
    assert not os.path.exists(cert) and not os.path.exists(key)
    assert not results["leave again"]["changed"]


@pytest.mark.parametrize("key_type, extra", [("rsa", {"key_size": 2048}), ("ed25519", {})])
def test_other_key_types_authenticate_over_tls(tmp_path, clean_lxd, key_type, extra):
    """LXD 5.0 takes RSA and Ed25519 client certificates too: added over the socket, then used over HTTPS."""
    pair = {"client_cert": str(tmp_path / "c.crt"), "client_key": str(tmp_path / "c.key")}
    name = f"vmfleet-test-trust-{key_type}"
    results, proc = play(
        tmp_path,
        [
            {"name": "add", MODULE: {**pair, "key_type": key_type, "common_name": name, **extra}},
            {
                "name": "over https",
                MODULE: {**pair, "address": HTTPS_ADDRESS, "server_fingerprint": server_fingerprint()},
            },
        ],
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert results["add"]["changed"] and results["add"]["generated"]
    assert trust_record(results["add"]["fingerprint"])["name"] == name
    # the TLS handshake with this key type authenticated the client: it is seen as trusted, nothing to do
    assert results["over https"]["trusted"] and not results["over https"]["changed"]
    algorithm = subprocess.run(
        ["openssl", "x509", "-in", pair["client_cert"], "-noout", "-text"], check=True, capture_output=True, text=True
    ).stdout
    assert {"rsa": "rsaEncryption", "ed25519": "ED25519"}[key_type] in algorithm


@pytest.mark.parametrize("daemon", [INCUS], ids=["incus"], indirect=True)
def test_incus_refuses_a_password_and_takes_a_certificate_its_administrator_added(tmp_path, clean_lxd, daemon):
    """Incus has no trust password: refused naming the option, nothing made. A pair brought along and added by
    an administrator (`incus config trust add-certificate`) is trusted as it is, over HTTPS."""
    cert, key = openssl_pair(tmp_path, "vmfleet-test-trust-byo")
    generated = {"client_cert": str(tmp_path / "new" / "c.crt"), "client_key": str(tmp_path / "new" / "c.key")}
    https = {"address": daemon.https, "server_fingerprint": server_fingerprint()}
    refused_before = [
        {"name": "password", MODULE: {**generated, **https, "trust_password": PASSWORD}, "ignore_errors": True}
    ]
    results, proc = play(tmp_path, refused_before, module_defaults=defaults())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    msg = failed_with(results["password"], "trust_password", "Incus has no trust password", "trust_token")
    assert PASSWORD not in msg and PASSWORD not in proc.stdout
    assert not os.path.exists(generated["client_cert"]) and not os.path.exists(generated["client_key"])

    untrusted = [
        {"name": "untrusted", MODULE: {"client_cert": cert, "client_key": key, **https}, "ignore_errors": True}
    ]
    results, proc = play(tmp_path, untrusted, module_defaults=defaults())
    failed_with(results["untrusted"], "does not trust the certificate", "incus config trust add-certificate")
    lxc(*daemon.trust_add_certificate(cert, "vmfleet-test-trust-byo"))
    results, proc = play(
        tmp_path,
        [{"name": "brought", MODULE: {"client_cert": cert, "client_key": key, **https}}],
        module_defaults=defaults(),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    brought = results["brought"]
    assert brought["trusted"] and not brought["changed"] and not brought["generated"], brought
    assert brought["fingerprint"] == openssl_fingerprint(cert) and trust_record(brought["fingerprint"])
