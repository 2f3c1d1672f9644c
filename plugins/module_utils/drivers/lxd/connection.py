# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Opening an LXD client: which socket, which certificates, and a server certificate that is always checked.

MAAS connected to LXD with verification off. Here an HTTPS connection is accepted only when the server presents
the pinned certificate (``server_cert``), a certificate with the pinned SHA-256 fingerprint
(``server_fingerprint``), or one a CA of the system vouches for (with the host name checked); there is no option to
turn that off, and plain ``http://`` is refused. A pinned connection uses its own TLS context (TLS 1.2 or later),
never the process-wide one requests shares, so pinning one server cannot loosen the checks of another.
"""

from __future__ import annotations

import os
import ssl
from urllib.parse import quote

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.locations import local_socket
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError
from ansible_collections.vmfleet.hosts.plugins.module_utils.trust import certs

try:
    import requests
    import requests.adapters
    from pylxd import Client
    from pylxd.client import get_session_for_url
    from pylxd.exceptions import ClientConnectionFailed

    HAS_PYLXD = True
    IMPORT_ERROR = None
except ImportError as error:  # reported as missing_binding when an LXD host is asked for
    HAS_PYLXD = False
    IMPORT_ERROR = str(error)
    requests = None

    class ClientConnectionFailed(Exception):
        pass


TIMEOUT = 60
TRUST_HINT = "vmfleet.hosts.lxd_trust reports it, as does `lxc info` on the host"


def api_root(address: str) -> str:
    """The API's root URL for an address as resolve_address gives it, spelled as pylxd's Client spells it (a
    socket path becomes ``http+unix://`` and the quoted path)."""
    if address.startswith("/"):
        return f"http+unix://{quote(address, safe='')}/1.0"
    return address.rstrip("/") + "/1.0"


def normalise_fingerprint(value: str) -> str:
    """A SHA-256 fingerprint as 64 lowercase hex digits (colons and spaces, as tools print it, are dropped)."""
    try:
        return certs.normalise_fingerprint(value, "server_fingerprint")
    except SpecError as error:
        raise DriverError("bad_address", str(error)) from None


def resolve_address(address) -> str:
    """``https://...`` as given, or a unix socket path (``unix:`` prefix allowed; none means the local one)."""
    if not address:
        return local_socket()
    address = address.strip()
    if address.startswith("unix:"):
        address = "/" + address[len("unix:") :].lstrip("/")
    if address.startswith("/"):
        return address
    if address.lower().startswith("http://"):
        raise DriverError(
            "bad_address",
            f"address: {address!r} is plain HTTP; LXD's API is only reached over https:// (with the server's "
            f"certificate verified) or its local unix socket",
        )
    if address.lower().startswith("https://"):
        rest = address[len("https://") :].rstrip("/")
        if not rest or "/" in rest or "?" in rest or "@" in rest:
            raise DriverError(
                "bad_address", f"address: {address!r} is not https://host:port (no path, query or user part)"
            )
        return "https://" + rest
    raise DriverError(
        "bad_address", f"address: {address!r} is not an LXD address (a unix socket path or https://host:8443)"
    )


def server_fingerprint_of(pem: bytes) -> str:
    from cryptography import x509  # noqa: PLC0415 - only pinned connections need it

    return certs.fingerprint(x509.load_pem_x509_certificate(pem))


def _read(path: str, option: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as error:
        raise DriverError("bad_address", f"{option}: cannot read {path}: {error.strerror}") from None


def pinned_fingerprint(connection: dict):
    """The fingerprint the server must present (from server_cert or server_fingerprint), or None for CA checks."""
    if connection.get("server_cert"):
        data = _read(connection["server_cert"], "server_cert")
        try:
            return certs.fingerprint(certs.load_certificate(data, "server_cert"))
        except SpecError as error:
            raise DriverError("bad_address", f"{error} ({connection['server_cert']})") from None
    if connection.get("server_fingerprint"):
        return normalise_fingerprint(connection["server_fingerprint"])
    return None


def _client_pair(connection: dict):
    """(cert path, key path) after checking they make a usable pair, or None without a client certificate."""
    if not connection.get("client_cert") and not connection.get("client_key"):
        return None
    if not (connection.get("client_cert") and connection.get("client_key")):
        raise DriverError("bad_address", "client_cert and client_key are given together or not at all")
    from ansible_collections.vmfleet.hosts.plugins.module_utils.trust.pem import validate_pair  # noqa: PLC0415

    try:
        validate_pair(_read(connection["client_cert"], "client_cert"), _read(connection["client_key"], "client_key"))
    except SpecError as error:
        raise DriverError("bad_address", str(error)) from None
    return (connection["client_cert"], connection["client_key"])


if HAS_PYLXD:

    class _PinnedAdapter(requests.adapters.HTTPAdapter):
        """Accepts exactly the server certificate whose SHA-256 fingerprint is pinned (as LXD's own client does).

        urllib3 compares the fingerprint of the certificate the server presents during the handshake and refuses
        the connection on any difference; the CA chain and host name do not matter for a pinned certificate. The
        pool gets a TLS context of its own: requests' shared default context is never switched to CERT_NONE.
        """

        def __init__(self, fingerprint: str, **kwargs):
            self._fingerprint = fingerprint
            super().__init__(**kwargs)

        def init_poolmanager(self, connections, maxsize, block=False, **pool_kwargs):
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE  # the fingerprint below is the check
            pool_kwargs.update(ssl_context=context, assert_fingerprint=self._fingerprint, assert_hostname=False)
            super().init_poolmanager(connections, maxsize, block=block, **pool_kwargs)

        def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
            # verify=False only stops requests from loading CA bundles into our context; assert_fingerprint stays
            return super().send(request, stream=stream, timeout=timeout, verify=False, cert=cert, proxies=proxies)

        def cert_verify(self, conn, url, verify, cert):
            super().cert_verify(conn, url, False, cert)
            conn.assert_fingerprint = self._fingerprint


def session_for(endpoint: str, connection: dict, with_client_cert: bool = True):
    """A requests session that authenticates with the client certificate and verifies the server."""
    if endpoint.startswith("/"):
        # over the socket the daemon knows the caller by its unix user; certificates play no part
        return get_session_for_url("http+unix://", cert=None, verify=True)
    cert = _client_pair(connection) if with_client_cert else None
    pin = pinned_fingerprint(connection)
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
            "untrusted_server",
            f"{where}: the server's certificate does not match the pinned one (server_cert / server_fingerprint); "
            f"the connection was refused. If the server's certificate was replaced on purpose, pin the new one "
            f"({TRUST_HINT})",
        )
    if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
        return DriverError(
            "untrusted_server",
            f"{where}: the server's certificate is not signed by a CA this system trusts (or not for this host "
            f"name); pin it with server_cert or server_fingerprint ({TRUST_HINT}; a trust token carries it)",
        )
    if "WRONG_VERSION_NUMBER" in text or "wrong version number" in text:
        return DriverError("unreachable", f"{where}: the server does not speak TLS there; is it LXD's HTTPS port?")
    if isinstance(error, PermissionError) or "Permission denied" in text:
        return DriverError("permission", f"{where}: permission denied ({text}); is the user in the lxd group?")
    return DriverError("unreachable", f"{where}: cannot connect: {text}")


def open_client(connection: dict, with_client_cert: bool = True):
    """A pylxd Client for the connection options, checked to answer; raises DriverError.

    ``with_client_cert=False`` connects anonymously (what lxd_trust does to look at a server before it has a
    certificate to show); the server is verified either way.
    """
    if not HAS_PYLXD:
        raise DriverError(
            "missing_binding",
            f"the LXD driver needs pylxd on the host that runs the module (pip install pylxd): {IMPORT_ERROR}",
        )
    endpoint = resolve_address(connection.get("address"))
    if endpoint.startswith("/") and not os.path.exists(endpoint):
        # pylxd would take a missing path for a URL and fail with a message about schemes
        raise DriverError("unreachable", f"{endpoint}: no such socket; is the LXD daemon running there?")
    project = connection.get("project") or "default"
    session = session_for(endpoint, connection, with_client_cert)
    try:
        return Client(endpoint=endpoint, project=project, session=session, timeout=TIMEOUT, cert=session.cert)
    except ClientConnectionFailed as error:
        cause = error.__context__ or error
        raise classify(cause, endpoint) from None
    except (requests.exceptions.RequestException, OSError) as error:
        raise classify(error, endpoint) from None
