# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The certificate an LXD server presents, read from a TLS handshake of our own so it can be reported and compared.

requests does not hand out the peer certificate of a pinned connection; this handshake does, and sends nothing
else. The certificate is not trusted because of it: the caller compares its fingerprint with the pin (and every
API request is pinned on its own connection anyway).
"""

from __future__ import annotations

import socket
import ssl
from urllib.parse import urlsplit

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError

DEFAULT_PORT = 8443


def host_and_port(endpoint: str) -> tuple:
    parts = urlsplit(endpoint)
    try:
        port = parts.port or DEFAULT_PORT
    except ValueError:
        raise DriverError("bad_address", f"address: {endpoint!r} has no valid port") from None
    if not parts.hostname:
        raise DriverError("bad_address", f"address: {endpoint!r} names no host")
    return parts.hostname, port


def _is_ip(host: str) -> bool:
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, host)
            return True
        except OSError:
            continue
    return False


def peer_certificate_der(endpoint: str, timeout: float = 15) -> bytes:
    """DER bytes of the certificate the server at https://host:port presents; DriverError when unreachable."""
    host, port = host_and_port(endpoint)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # read only: the caller checks the fingerprint before trusting anything
    try:
        with socket.create_connection((host, port), timeout=timeout) as raw:
            server_name = None if _is_ip(host) else host
            with context.wrap_socket(raw, server_hostname=server_name) as tls:
                der = tls.getpeercert(binary_form=True)
    except (OSError, ssl.SSLError) as error:
        raise DriverError("unreachable", f"{endpoint}: cannot connect: {error}") from None
    if not der:
        raise DriverError("unreachable", f"{endpoint}: the server presented no certificate")
    return der
