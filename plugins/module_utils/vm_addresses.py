# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The addresses ``vm_compose`` returns, and its opt-in wait for one (``wait_for_address``).

Read after the power change, without the compose lock: an address changes nothing on the host's capacity. A
wait that ends without an address fails the task (the operator asked for one because the next play needs it),
but only after the compose itself is done and reported, so a rerun finds the VM as composed.
"""

from __future__ import annotations

POLL_SECONDS = 2.0
DEFAULT_TIMEOUT = 120  # the module's default: a cloud image boots and takes a DHCP lease well within it


def read_addresses(driver, name: str, params: dict, result: dict, check_mode: bool, clock) -> list:
    """The VM's addresses; with ``wait_for_address``, polled until one shows or ``address_timeout`` passes.

    Check mode never waits (nothing was started), and a VM check mode would create has none to read.
    """
    if check_mode and result.get("created"):
        return []
    found = driver.addresses(name)
    if found or check_mode or not params.get("wait_for_address") or result.get("power_state") != "running":
        return found
    deadline = clock.now() + params.get("address_timeout", DEFAULT_TIMEOUT)
    while not found and clock.now() < deadline:
        clock.sleep(min(POLL_SECONDS, max(0.0, deadline - clock.now())))
        found = driver.addresses(name)
    return found


def wait_failure(name: str, params: dict, result: dict, check_mode: bool):
    """The message a task asking for an address fails with when it has none; None when it need not fail."""
    if check_mode or not params.get("wait_for_address") or result.get("addresses"):
        return None
    if result.get("power_state") != "running":
        return (
            f"wait_for_address: VM {name!r} is {result.get('power_state')}, so it gets no address; use state: "
            f"started (a new VM from state: present is left shut off), or leave wait_for_address out"
        )
    timeout = params.get("address_timeout", DEFAULT_TIMEOUT)
    return (
        f"wait_for_address: VM {name!r} has no address after address_timeout ({timeout} s); it "
        f"is composed and running: check that its guest brings its NIC up (DHCP on its network, or the guest "
        f"agent), or raise address_timeout"
    )
