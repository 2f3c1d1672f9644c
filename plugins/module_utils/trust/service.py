# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What lxd_trust does: make sure a client certificate is (or is no longer) in an LXD server's trust store.

Two ways to reach the server, chosen by ``address``:
- ``https://host:8443`` (or, with a trust token and no address, the token's first address): the client speaks for
  itself. The server's certificate is checked before anything is sent (pin from server_cert, server_fingerprint or
  the token; CA otherwise); an untrusted client joins with the token or the trust password; a trusted one removes
  itself for state=absent.
- the local unix socket (no address, or a socket path): the module runs on the LXD host as an administrator and
  adds or removes the certificate directly; no secret is needed.
Nothing is written or sent in check mode; generated files that could not be trusted are removed again.
"""

from __future__ import annotations

import os

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.incus import dialect as incus_dialect
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.connection import (
    open_client,
    pinned_fingerprint,
    resolve_address,
)
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import MISSING, SpecError
from ansible_collections.vmfleet.hosts.plugins.module_utils.trust import certs, lxd_certificates
from ansible_collections.vmfleet.hosts.plugins.module_utils.trust.client_pair import load_or_plan, require_paths
from ansible_collections.vmfleet.hosts.plugins.module_utils.trust.peer import peer_certificate_der
from ansible_collections.vmfleet.hosts.plugins.module_utils.trust.token import decode_token

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
except ImportError:  # certs.HAS_CRYPTOGRAPHY tells the module
    x509 = serialization = None


class TrustRun:
    """One run of lxd_trust: the options, check mode, and what was found and done, for the result."""

    def __init__(self, params: dict, check_mode: bool):
        self.params = params
        self.check_mode = check_mode
        self.incus = params.get("type") == incus_dialect.HOST_TYPE
        self.words = _words(params)
        if self.incus:
            incus_dialect.refuse_trust_password(params)
        self.warnings = []
        self.token = decode_token(params["trust_token"]) if params.get("trust_token") else None
        self.endpoint = self._endpoint()
        self.over_socket = self.endpoint.startswith("/")
        self.pin, self.pin_source = self._pin()
        self.server_pem = None
        self.server_fingerprint = None
        self.record = None

    # ---- what to talk to ----

    def _endpoint(self) -> str:
        if self.params.get("address"):
            return resolve_address(self.params["address"])
        if self.token:
            if not self.token.addresses:
                raise SpecError("address", MISSING, "is required: the trust token names no server address")
            return resolve_address(self.token.https_addresses()[0])
        # the local socket of the daemon asked for: Incus's own, never LXD's
        return incus_dialect.local_socket() if self.incus else resolve_address(None)

    def _pin(self):
        given = pinned_fingerprint(self.params)
        source = "server_cert" if self.params.get("server_cert") else "server_fingerprint"
        if self.token:
            if self.token.expired() and self.params["state"] == "present":
                raise SpecError(
                    "trust_token",
                    MISSING,
                    f"expired at {self.token.expires_at:%Y-%m-%d %H:%M:%S} UTC; ask for a new one "
                    f"({self.words['token']} on the host)",
                )
            if given and given != self.token.fingerprint:
                raise SpecError(
                    source,
                    MISSING,
                    f"pins the server certificate {given}, but the trust token was made by a server whose "
                    f"certificate is {self.token.fingerprint}; refusing to send the token (it is for another "
                    f"server, or the pin is stale)",
                )
            if not given:
                return self.token.fingerprint, "the trust token's fingerprint"
        return given, source

    def connection(self, pair=None) -> dict:
        return {
            "address": self.endpoint,
            "project": self.params.get("project"),
            "client_cert": pair.cert_path if pair is not None and pair.on_disk else None,
            "client_key": pair.key_path if pair is not None and pair.on_disk else None,
            "server_fingerprint": self.pin,
        }

    def check_server(self) -> None:
        """Read the server's certificate and compare it with the pin before any secret goes out."""
        if self.over_socket:
            return
        der = peer_certificate_der(self.endpoint)
        seen = certs.fingerprint_of_der(der)
        self.server_fingerprint = seen
        self.server_pem = certs.to_pem(x509.load_der_x509_certificate(der))
        if self.pin and seen != self.pin:
            raise DriverError(
                "untrusted_server",
                f"{self.endpoint}: the server presents the certificate {seen}, not the one pinned by "
                f"{self.pin_source} ({self.pin}); refused, nothing was sent. If the server's certificate was "
                f"replaced on purpose, pin the new one",
            )

    def open(self, pair=None):
        try:
            client = open_client(self.connection(pair), with_client_cert=pair is not None and pair.on_disk)
        except DriverError as error:
            if not self.pin and self.server_fingerprint and "not signed by a CA" in error.message:
                raise DriverError(
                    error.kind,
                    f"{error.message}. The server presented {self.server_fingerprint}: compare it with "
                    f"{self.words['info']} on the host before pinning it with server_fingerprint",
                ) from None
            raise
        if self.over_socket:
            if client.host_info.get("auth") != "trusted":
                raise DriverError(
                    "permission", f"{self.endpoint}: the local {self.words['server']} does not trust this user"
                )
            environment = client.host_info.get("environment") or {}
            self.server_pem = environment.get("certificate")
            self.server_fingerprint = environment.get("certificate_fingerprint")
        return client

    # ---- results ----

    def result(self, pair, trusted: bool, changed: bool, before: dict) -> dict:
        record = self.record or {}
        after = {"trusted": trusted, "client_cert": "present", "client_key": "present"}
        if self.params["state"] == "absent":
            after = dict(before, trusted=False)
            if self.params.get("remove_files"):
                after.update(client_cert="absent", client_key="absent")
        elif pair.generated:
            after["generated"] = True
        return {
            "changed": changed,
            "trusted": trusted,
            "generated": bool(pair is not None and pair.generated),
            "fingerprint": pair.fingerprint if pair is not None else None,
            "certificate": pair.pem if pair is not None else None,
            "name": record.get("name"),
            "restricted": record.get("restricted", False),
            "projects": record.get("projects", []),
            "server_fingerprint": self.server_fingerprint,
            "server_certificate": self.server_pem,
            "address": self.endpoint,
            "diff": {"before": before, "after": after},
            "warnings": self.warnings,
        }


def _words(params: dict) -> dict:
    """How the daemon's own client spells the commands the messages name (lxc for LXD, incus for Incus)."""
    return incus_dialect.TRUST_WORDS if params.get("type") == incus_dialect.HOST_TYPE else lxd_certificates.TRUST_WORDS


def _files_state(params: dict) -> dict:
    require_paths(params)
    return {
        option: "present" if os.path.exists(params[option]) else "absent" for option in ("client_cert", "client_key")
    }


def _check_options(params: dict) -> None:
    words = _words(params)
    if params.get("trust_token") and params.get("projects"):
        raise SpecError(
            "projects",
            params["projects"],
            f"cannot be set with trust_token: {words['server']} takes a token-joined certificate's restriction from "
            f"the token itself. Make the token with {words['restricted_token']}{words['or_password']}",
        )
    for project in params.get("projects") or []:
        if not project or not isinstance(project, str):
            raise SpecError("projects", params["projects"], "must name projects")


def _name(run: TrustRun, pair) -> str:
    if run.params.get("name"):
        return run.params["name"]
    return certs.common_name(pair.cert) if pair.cert is not None else None


def present(params: dict, check_mode: bool) -> dict:
    _check_options(params)
    run = TrustRun(params, check_mode)
    pair = load_or_plan(params, generate=not check_mode)
    before = dict(_files_state(params), trusted=False)
    run.check_server()
    client = run.open(pair if pair.on_disk else None)
    trusted = _is_trusted(run, client, pair)
    before["trusted"] = trusted
    if trusted:
        run.record = lxd_certificates.record(client, pair.fingerprint)
        _warn_on_differences(run)
        return run.result(pair, True, False, before)
    if not run.over_socket and not (run.token or params.get("trust_password")):
        how = (
            f"trust_token (made on the host with {run.words['token']}), or have an "
            f"administrator add this certificate (`{incus_dialect.CLI} config trust add-certificate FILE`)"
            if run.incus
            else f"trust_token (made on the host with {run.words['token']}) or trust_password"
        )
        raise DriverError(
            "permission",
            f"{run.endpoint} does not trust the certificate {pair.fingerprint or '(to be generated)'}; give {how}",
        )
    if check_mode:
        return run.result(pair, True, True, before)
    try:
        pair.write()
        _trust(run, pair, client)
    except BaseException:
        if pair.generated:
            pair.remove()  # a pair that never got trusted is not left behind to be mistaken for a good one
        raise
    return run.result(pair, True, True, before)


def _is_trusted(run: TrustRun, client, pair) -> bool:
    if pair.cert is None or not pair.on_disk:
        return False
    if run.over_socket:
        return lxd_certificates.record(client, pair.fingerprint) is not None
    return client.host_info.get("auth") == "trusted"


def _trust(run: TrustRun, pair, client) -> None:
    params = run.params
    if run.over_socket:
        if params.get("trust_token") or params.get("trust_password"):
            run.warnings.append(
                "trust_token/trust_password were not used: over the local socket the certificate is added directly"
            )
        der = pair.cert.public_bytes(serialization.Encoding.DER)
        lxd_certificates.add(client, der, _name(run, pair), params.get("projects"))
    else:
        if run.token:
            method, secret = "trust_token", run.token.raw
            if params.get("name") and params["name"] != run.token.client_name:
                run.warnings.append(
                    f"name was not used: LXD names a token-joined certificate after the token ({run.token.client_name})"
                )
        elif params.get("trust_password"):
            # without a pin the server passed the CA check in open(): a password never goes out unverified
            method, secret = "trust_password", params["trust_password"]
        else:  # present() refused this before anything was written
            raise DriverError("permission", f"{run.endpoint}: no trust_token or trust_password to join with")
        client = run.open(pair)  # the anonymous client of a just-generated pair presented no certificate
        if client.host_info.get("auth") == "trusted":
            run.record = lxd_certificates.record(client, pair.fingerprint)
            return
        lxd_certificates.join(
            client,
            method,
            secret,
            name=_name(run, pair),
            projects=params.get("projects"),
            token_field=incus_dialect.TOKEN_FIELD if run.incus else None,
            words=run.words,
        )
        client = run.open(pair)
        if client.host_info.get("auth") != "trusted":
            raise DriverError(
                "permission", f"{run.endpoint} accepted the request but still does not trust {pair.fingerprint}"
            )
    run.record = lxd_certificates.record(client, pair.fingerprint)


def _warn_on_differences(run: TrustRun) -> None:
    wanted = sorted(run.params.get("projects") or [])
    record = run.record or {}
    if wanted and wanted != sorted(record.get("projects") or []):
        run.warnings.append(
            f"the certificate is already trusted with projects {record.get('projects') or 'unrestricted'}; "
            f"lxd_trust does not change the restriction of a trusted certificate (an administrator can, with "
            f"{run.words['edit']})"
        )


def absent(params: dict, check_mode: bool) -> dict:
    run = TrustRun(params, check_mode)
    before = dict(_files_state(params), trusted=False)
    if before["client_cert"] == "absent":
        if before["client_key"] == "present" and params.get("remove_files"):
            raise SpecError("client_cert", MISSING, "does not exist; without it the certificate cannot be found")
        return run.result(None, False, False, before)
    pair = load_or_plan(params)
    run.check_server()
    client = run.open(pair)
    trusted = _is_trusted(run, client, pair)
    before["trusted"] = trusted
    changed = trusted or (params.get("remove_files") and "present" in before.values())
    if trusted:
        run.record = lxd_certificates.record(client, pair.fingerprint)
    if changed and not check_mode:
        if trusted:
            lxd_certificates.remove(client, pair.fingerprint, run.over_socket, run.words)
        if params.get("remove_files"):
            pair.remove()
    return run.result(pair, False, bool(changed), before)
