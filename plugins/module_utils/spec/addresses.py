# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import ipaddress
import re

from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError

_MAC = re.compile(r"[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(\1[0-9A-Fa-f]{2}){4}|[0-9A-Fa-f]{12}")
_MAC_HELP = "use six hex bytes such as 52:54:00:12:34:56"


def parse_mac(value: object, option: str) -> str:
    """A unicast MAC address in lowercase colon form."""
    if not isinstance(value, str) or not _MAC.fullmatch(value.strip()):
        raise SpecError(option, value, f"is not a MAC address; {_MAC_HELP}")
    digits = re.sub(r"[:-]", "", value.strip()).lower()
    octets = [digits[index : index + 2] for index in range(0, 12, 2)]
    if int(octets[0], 16) & 1:
        raise SpecError(
            option, value, f"is a multicast address; a NIC needs a unicast MAC (even first byte), {_MAC_HELP}"
        )
    if digits == "0" * 12:
        raise SpecError(option, value, f"is the null address; {_MAC_HELP}")
    return ":".join(octets)


def parse_subnet(value: object, option: str) -> str:
    """A CIDR network; host bits are dropped (10.0.0.5/24 -> 10.0.0.0/24) as MAAS does."""
    if not isinstance(value, str) or "/" not in value:
        raise SpecError(option, value, "is not a subnet; use CIDR notation such as 10.0.0.0/24 or 2001:db8::/64")
    try:
        return str(ipaddress.ip_network(value.strip(), strict=False))
    except ValueError:
        raise SpecError(
            option, value, "is not a subnet; use CIDR notation such as 10.0.0.0/24 or 2001:db8::/64"
        ) from None


def parse_ip(value: object, option: str, subnet: str | None = None) -> str:
    """An IP address, inside `subnet` when one is given, and not its network or broadcast address."""
    if isinstance(value, str) and "/" in value:
        raise SpecError(option, value, "has a prefix; give the address alone (e.g. 10.0.0.5) and the network as subnet")
    try:
        # Only text: ip_address() would also take an int (5 -> 0.0.0.5), which is never what was meant.
        if not isinstance(value, str):
            raise ValueError(value)
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        raise SpecError(option, value, "is not an IP address; use e.g. 10.0.0.5 or 2001:db8::5") from None
    if subnet is not None:
        network = ipaddress.ip_network(subnet)
        if address.version != network.version or address not in network:
            raise SpecError(option, value, f"is not in subnet {subnet}; use an address inside it")
        reserved = network.version == 4 and network.prefixlen < 31
        if reserved and address in (network.network_address, network.broadcast_address):
            raise SpecError(option, value, f"is the network or broadcast address of {subnet}; use a host address")
    return str(address)
