"""Fixtures: the Alpaca emulator over an in-memory exchange, served on a loopback port."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from brokerhub.emulators.alpaca import AlpacaEmulator, create_app
from brokerhub.emulators.serve import LoopbackServer
from brokerhub.sim.clock import ManualClock
from brokerhub.sim.config import SimConfig
from brokerhub.sim.exchange import SimExchange

START = datetime(2025, 1, 6, 15, 0, tzinfo=UTC)
KEY_ID = "PKTESTKEY"
SECRET = "test-secret"


@pytest.fixture
def clock() -> ManualClock:
    """Return a clock at Monday 2025-01-06 10:00 New York."""
    return ManualClock(START)


@pytest.fixture
def emulator(clock: ManualClock) -> AlpacaEmulator:
    """Return an emulator accepting any key pair, over an always-open exchange."""
    return AlpacaEmulator(SimExchange.in_memory(clock, SimConfig(seed=5)))


@pytest.fixture
def server(emulator: AlpacaEmulator) -> Iterator[LoopbackServer]:
    """Serve the emulator on 127.0.0.1 for the test."""
    with LoopbackServer(create_app(emulator)) as running:
        yield running
