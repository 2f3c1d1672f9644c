# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vm_compose's wait for an address: polls until one shows, never in check mode, fails with the option named."""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.vm_addresses import read_addresses, wait_failure

A = [{"interface": "eth0", "mac": "m", "family": "inet", "address": "10.0.0.2"}]


class Clock:
    def __init__(self):
        self.t = 0.0
        self.slept = []

    def now(self):
        return self.t

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.t += seconds


class Driver:
    def __init__(self, answers):
        self.answers = list(answers)
        self.asked = 0

    def addresses(self, name):
        self.asked += 1
        return self.answers.pop(0) if self.answers else []


RUNNING = {"created": False, "power_state": "running"}
WAIT = {"wait_for_address": True, "address_timeout": 10}


def test_polls_until_an_address_shows():
    driver, clock = Driver([[], [], A]), Clock()
    assert read_addresses(driver, "web", WAIT, RUNNING, False, clock) == A
    assert driver.asked == 3 and clock.t == 4.0


def test_gives_up_at_the_timeout_and_fails_naming_the_option():
    driver, clock = Driver([]), Clock()
    found = read_addresses(driver, "web", WAIT, RUNNING, False, clock)
    assert found == [] and clock.t == 10.0
    message = wait_failure("web", WAIT, {**RUNNING, "addresses": found}, False)
    assert message.startswith("wait_for_address:") and "address_timeout (10 s)" in message


def test_no_wait_without_the_option_in_check_mode_or_for_a_stopped_vm():
    clock = Clock()
    assert read_addresses(Driver([]), "web", {}, RUNNING, False, clock) == []
    assert read_addresses(Driver([]), "web", WAIT, RUNNING, True, clock) == []
    assert read_addresses(Driver([]), "web", WAIT, {"created": False, "power_state": "stopped"}, False, clock) == []
    assert clock.slept == []
    assert wait_failure("web", WAIT, {**RUNNING, "addresses": []}, True) is None
    assert wait_failure("web", {}, {**RUNNING, "addresses": []}, False) is None


def test_check_mode_never_asks_for_a_vm_it_would_create():
    driver = Driver([A])
    assert read_addresses(driver, "web", WAIT, {"created": True, "power_state": "running"}, True, Clock()) == []
    assert driver.asked == 0


def test_stopped_vm_fails_at_once_saying_why():
    message = wait_failure("web", WAIT, {"power_state": "stopped", "addresses": []}, False)
    assert "is stopped" in message and "state: started" in message
