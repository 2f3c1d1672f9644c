# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A lock backed by a dict, for the tests that need one job at a time (the race tests have their own)."""

from __future__ import annotations

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lease_lock import LeaseLock


class DictLock(LeaseLock):
    name = "compose.lock"

    def __init__(self, store, **kwargs):
        super().__init__("the fake host", "test", **kwargs)
        self.store = store

    def _create(self, name, content):
        if name in self.store:
            return False
        self.store[name] = content
        return True

    def _read(self, name):
        return self.store.get(name)

    def _delete(self, name):
        self.store.pop(name, None)

    def _names(self, prefix):
        return [name for name in self.store if name.startswith(prefix)]


@pytest.fixture
def dict_lock():
    return DictLock
