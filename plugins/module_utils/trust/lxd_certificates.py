# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""LXD's trust store over its REST API (/1.0/certificates): read a record, join, add, remove.

What LXD 5.0 does, checked against the daemon: a join by token takes the whole base64 token in ``password``
(newer LXD, API extension ``explicit_trust_token``, in ``trust_token``) and the certificate's name, ``restricted``
and ``projects`` come from the token, whatever the client sends; a join by trust password takes name,
``restricted`` and ``projects`` from the request. A restricted certificate may read its own record but not delete
it. LXD's error texts never contain the secret, and neither do the messages made here.
"""

from __future__ import annotations

import base64

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError

try:
    from pylxd.exceptions import LXDAPIException, NotFound
except ImportError:  # connection.open_client reports the missing binding first

    class LXDAPIException(Exception):
        pass

    class NotFound(LXDAPIException):
        pass


# The lxc client's spelling of the trust commands the messages tell an operator to run (LXD 5.0). A daemon that
# spells them otherwise passes its own, with the same keys (Incus: drivers/incus/dialect.py TRUST_WORDS).
TRUST_WORDS = {
    "server": "LXD",
    "token": "`lxc config trust add --name NAME`",
    "restricted_token": "`lxc config trust add --name NAME --restricted --projects p1,p2`",
    "info": "`lxc info`",
    "edit": "`lxc config trust edit`",
    "remove": "`lxc config trust remove {fingerprint}`",
    # LXD 5.0 also joins with core.trust_password
    "or_password": ", or use trust_password",
}


def _error_text(error) -> str:
    try:
        return error.response.json().get("error") or str(error)
    except (ValueError, AttributeError):
        return str(error)


def _status(error) -> int:
    return getattr(getattr(error, "response", None), "status_code", 0)


def record(client, fingerprint: str):
    """The server's record of a certificate (name, restricted, projects), or None when it is not trusted."""
    try:
        response = client.api.certificates[fingerprint].get()
    except NotFound:
        return None
    except LXDAPIException as error:
        if _status(error) == 403:
            return None
        raise DriverError("hypervisor", f"reading certificate {fingerprint}: {_error_text(error)}") from None
    data = response.json().get("metadata") or {}
    return {
        "name": data.get("name"),
        "restricted": bool(data.get("restricted")),
        "projects": list(data.get("projects") or []),
    }


def _refused(method: str, text: str, words=None) -> DriverError:
    words = words or TRUST_WORDS
    lowered = text.lower()
    if "expired" in lowered:
        return DriverError("permission", f"the server refused trust_token: it has expired ({text}); ask for a new one")
    if "no matching certificate add operation" in lowered:
        return DriverError(
            "permission",
            "the server refused trust_token: no such token is pending there (it was already used, revoked, or "
            f"made on another server); ask for a new one ({words['token']} on the host)",
        )
    if method == "trust_token":
        return DriverError(
            "permission",
            f"the server refused trust_token ({text}): it is not valid there (already used, revoked, or made "
            f"on another server); ask for a new one ({words['token']} on the host)",
        )
    return DriverError(
        "permission",
        f"the server refused trust_password ({text}): it is wrong, or the server has no core.trust_password "
        f"(LXD 6 has none: use trust_token)",
    )


def join(client, method: str, secret: str, name=None, projects=None, token_field=None, words=None) -> None:
    """Ask the server to trust the certificate this client presents, with a token or the trust password.

    ``token_field`` names the body field of the token when the caller knows it (Incus: drivers/incus/dialect.py);
    otherwise LXD's API extension says. ``words`` is the daemon's client spelling for the messages (TRUST_WORDS).
    """
    body = {"type": "client"}
    if method == "trust_token":
        field = token_field or (
            "trust_token" if "explicit_trust_token" in client.host_info.get("api_extensions", []) else "password"
        )
        body[field] = secret
    else:
        body["password"] = secret
        if name:
            body["name"] = name
        if projects:
            body.update(restricted=True, projects=list(projects))
    try:
        client.api.certificates.post(json=body)
    except LXDAPIException as error:
        if _status(error) in (401, 403) or "token" in _error_text(error).lower():
            raise _refused(method, _error_text(error), words) from None
        raise DriverError("hypervisor", f"the server refused the certificate: {_error_text(error)}") from None


def add(client, cert_der: bytes, name: str, projects=None) -> None:
    """Add a certificate as an administrator (over the unix socket), the way `lxc config trust add FILE` does."""
    body = {
        "type": "client",
        "certificate": base64.b64encode(cert_der).decode("ascii"),
        "name": name,
        "restricted": bool(projects),
        "projects": list(projects or []),
    }
    try:
        client.api.certificates.post(json=body)
    except LXDAPIException as error:
        raise DriverError("hypervisor", f"adding the certificate: {_error_text(error)}") from None


def remove(client, fingerprint: str, over_socket: bool, words=None) -> None:
    words = words or TRUST_WORDS
    try:
        client.api.certificates[fingerprint].delete()
    except NotFound:
        return
    except LXDAPIException as error:
        if _status(error) == 403 and not over_socket:
            raise DriverError(
                "permission",
                f"the server does not let this certificate remove itself ({_error_text(error)}): {words['server']} "
                f"keeps a restricted certificate from editing the trust store. Remove it over the host's unix socket "
                f"(run lxd_trust with state=absent on the host, without address) or with "
                f"{words['remove'].format(fingerprint=fingerprint[:12])}",
            ) from None
        raise DriverError("hypervisor", f"removing certificate {fingerprint}: {_error_text(error)}") from None
