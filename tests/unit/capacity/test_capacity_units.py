"""Sizes in messages read the way operators wrote them."""

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.units import format_bytes


@pytest.mark.parametrize(
    "size, text",
    [
        (2 * 1024**2, "2 MiB"),
        (20 * 10**9, "20 GB"),
        (1024**3, "1 GiB"),
        (10**9, "1 GB"),
        (1536 * 1024**2, "1536 MiB"),
        (1000, "1 KB"),
        (1500, "1.5 KiB"),
        (12, "12 B"),
    ],
)
def test_format_bytes(size, text):
    assert format_bytes(size) == text
