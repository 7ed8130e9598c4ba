"""Fixtures: an E*TRADE emulator on a loopback port over an in-memory exchange."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from brokerhub.emulators.etrade import ETradeEmulator
from brokerhub.emulators.serve import LoopbackServer
from brokerhub.sim.clock import ManualClock
from brokerhub.sim.config import SimConfig
from brokerhub.sim.exchange import SimExchange

START = datetime(2025, 1, 6, 15, 0, tzinfo=UTC)
CONSUMER_KEY = "c0ffee00c0ffee00c0ffee00c0ffee00"
CONSUMER_SECRET = "5ec7e75ec7e75ec7e75ec7e75ec7e75e"


@pytest.fixture
def clock() -> ManualClock:
    """Return a clock at Monday 2025-01-06 10:00 New York."""
    return ManualClock(START)


@pytest.fixture
def emulator(clock: ManualClock) -> ETradeEmulator:
    """Return an emulator accepting one consumer key, without rate limits."""
    exchange = SimExchange.in_memory(clock, SimConfig(seed=3))
    return ETradeEmulator(exchange, consumers={CONSUMER_KEY: CONSUMER_SECRET}, rate_limits=None)


@pytest.fixture
def served(emulator: ETradeEmulator) -> Iterator[str]:
    """Serve the emulator on loopback and yield its base URL."""
    with LoopbackServer(emulator) as server:
        yield server.url
