# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Opening an LXD client: which socket, which certificates, and a server certificate that is always checked.

MAAS connected to LXD with verification off. Here an HTTPS connection is accepted only when the server presents
the pinned certificate (``server_cert``), a certificate with the pinned SHA-256 fingerprint
(``server_fingerprint``), or one a CA of the system vouches for; there is no option to turn that off.
"""

from __future__ import annotations

import os
import re

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError

try:
    import requests
    import requests.adapters
    from pylxd import Client
    from pylxd.client import get_session_for_url
    from pylxd.exceptions import ClientConnectionFailed, LXDAPIException

    HAS_PYLXD = True
    IMPORT_ERROR = None
except ImportError as error:  # reported as missing_binding when an LXD host is asked for
    HAS_PYLXD = False
    IMPORT_ERROR = str(error)
    requests = None
    LXDAPIException = ClientConnectionFailed = Exception

SOCKETS = ("/var/snap/lxd/common/lxd/unix.socket", "/var/lib/lxd/unix.socket")
_HEX = re.compile(r"^[0-9a-f]{64}$")


def socket_candidates(environ=None) -> list:
    """Where a local LXD listens: the snap, the distribution package, then $LXD_DIR."""
    environ = os.environ if environ is None else environ
    candidates = list(SOCKETS)
    if environ.get("LXD_DIR"):
        candidates.append(os.path.join(environ["LXD_DIR"], "unix.socket"))
    return candidates


def local_socket(environ=None, exists=os.path.exists) -> str:
    candidates = socket_candidates(environ)
    for path in candidates:
        if exists(path):
            return path
    raise DriverError(
        "unreachable",
        f"no local LXD socket ({', '.join(candidates)}): is LXD installed and its daemon running? "
        f"Give address to reach another one",
    )


def normalise_fingerprint(value: str) -> str:
    """A SHA-256 fingerprint as 64 lowercase hex digits (colons and spaces, as tools print it, are dropped)."""
    digits = re.sub(r"[\s:]", "", value or "").lower()
    if not _HEX.match(digits):
        raise DriverError(
            "bad_address",
            f"server_fingerprint: {value!r} is not a SHA-256 fingerprint (64 hex digits, colons allowed)",
        )
    return digits


def resolve_address(address) -> str:
    """``https://...`` as given, or a unix socket path (``unix:`` prefix allowed; none means the local one)."""
    if not address:
        return local_socket()
    if address.startswith("unix:"):
        address = address[len("unix:") :].lstrip("/")
        address = "/" + address
    if address.startswith("/"):
        return address
    if address.startswith("https://"):
        return address.rstrip("/")
    raise DriverError(
        "bad_address", f"address: {address!r} is not an LXD address (a unix socket path or https://host:8443)"
    )


if HAS_PYLXD:

    class _PinnedAdapter(requests.adapters.HTTPAdapter):
        """Accepts exactly the server certificate whose SHA-256 fingerprint is pinned (as LXD's own client does).

        urllib3 compares the fingerprint of the certificate the server presents during the handshake and refuses
        the connection on any difference; the CA chain and host name do not matter for a pinned certificate.
        """

        def __init__(self, fingerprint: str, **kwargs):
            self._fingerprint = fingerprint
            super().__init__(**kwargs)

        def cert_verify(self, conn, url, verify, cert):
            conn.assert_fingerprint = self._fingerprint
            super().cert_verify(conn, url, False, cert)


def server_fingerprint_of(pem: bytes) -> str:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    return x509.load_pem_x509_certificate(pem).fingerprint(hashes.SHA256()).hex()


def _read(path: str, option: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as error:
        raise DriverError("bad_address", f"{option}: cannot read {path}: {error.strerror}") from None


def _session(endpoint: str, connection: dict):
    """A requests session that authenticates with the client certificate and verifies the server."""
    cert = None
    if connection.get("client_cert"):
        for option in ("client_cert", "client_key"):
            _read(connection[option], option)  # a clear error before requests' own
        cert = (connection["client_cert"], connection["client_key"])
    if endpoint.startswith("/"):
        return get_session_for_url("http+unix://", cert=None, verify=True)
    pin = None
    if connection.get("server_cert"):
        try:
            pin = server_fingerprint_of(_read(connection["server_cert"], "server_cert"))
        except ValueError:
            raise DriverError(
                "bad_address", f"server_cert: {connection['server_cert']} holds no PEM certificate"
            ) from None
    elif connection.get("server_fingerprint"):
        pin = normalise_fingerprint(connection["server_fingerprint"])
    session = requests.Session()
    session.cert = cert
    session.verify = True
    if pin:
        session.mount(endpoint, _PinnedAdapter(pin))
    return session


def classify(error, where: str) -> DriverError:
    """An exception from requests/pylxd as a DriverError with a kind a playbook can branch on."""
    text = str(error)
    if "fingerprints did not match" in text.lower():
        return DriverError(
            "unreachable",
            f"{where}: the server's certificate does not match the pinned one (server_cert / server_fingerprint); "
            f"the connection was refused. If the server's certificate was replaced on purpose, pin the new one",
        )
    if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
        return DriverError(
            "unreachable",
            f"{where}: the server's certificate is not signed by a CA this system trusts; pin it with server_cert "
            f"or server_fingerprint (vmfleet.hosts.lxd_trust reports it, as does `lxc info` on the host)",
        )
    if isinstance(error, PermissionError) or "Permission denied" in text:
        return DriverError("permission", f"{where}: permission denied ({text}); is the user in the lxd group?")
    return DriverError("unreachable", f"{where}: cannot connect: {text}")


def open_client(connection: dict):
    """A pylxd Client for the connection options, checked to answer; raises DriverError."""
    if not HAS_PYLXD:
        raise DriverError(
            "missing_binding",
            f"the LXD driver needs pylxd on the host that runs the module (pip install pylxd): {IMPORT_ERROR}",
        )
    endpoint = resolve_address(connection.get("address"))
    project = connection.get("project") or "default"
    session = _session(endpoint, connection)
    try:
        return Client(endpoint=endpoint, project=project, session=session, timeout=60)
    except ClientConnectionFailed as error:
        cause = error.__context__ or error
        raise classify(cause, endpoint) from None
    except (requests.exceptions.RequestException, OSError) as error:
        raise classify(error, endpoint) from None
