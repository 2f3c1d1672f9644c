"""The services' tests run on the fake driver (tests/unit/fakes) with a fake clock."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fakes"))

from fake_driver import FakeClock, FakeDriver  # noqa: E402


@pytest.fixture
def driver():
    return FakeDriver()


@pytest.fixture
def clock():
    return FakeClock()
