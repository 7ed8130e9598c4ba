"""Fixtures: the Alpaca adapter over real HTTP against the emulator on a loopback port."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import pytest

from brokerhub.brokers.alpaca import AlpacaAdapter
from brokerhub.brokers.alpaca.config import load_config
from brokerhub.brokers.http import RetryPolicy, Timeouts
from brokerhub.emulators.alpaca import AlpacaEmulator, create_app
from brokerhub.emulators.serve import LoopbackServer
from brokerhub.sim.clock import ManualClock
from brokerhub.sim.config import SimConfig
from brokerhub.sim.exchange import SimExchange

START = datetime(2025, 1, 6, 15, 0, tzinfo=UTC)
TIMEOUTS = Timeouts(connect=2.0, read=0.5, total=0.5)
"""Short enough that a delayed order answer is lost, long enough for everything else."""


@pytest.fixture
def clock() -> ManualClock:
    """Return a clock at Monday 2025-01-06 10:00 New York."""
    return ManualClock(START)


@pytest.fixture
def emulator(clock: ManualClock) -> AlpacaEmulator:
    """Return an emulator over an always-open in-memory exchange."""
    return AlpacaEmulator(SimExchange.in_memory(clock, SimConfig(seed=3)), stream_poll_seconds=0.02)


@pytest.fixture
def server(emulator: AlpacaEmulator) -> Iterator[LoopbackServer]:
    """Serve the emulator on 127.0.0.1."""
    with LoopbackServer(create_app(emulator)) as running:
        yield running


@pytest.fixture
async def adapter(server: LoopbackServer) -> AsyncIterator[AlpacaAdapter]:
    """Yield an adapter pointed at the emulator, with short timeouts and quick retries."""
    config = load_config(
        {"api_key_id": "PKADAPTER", "api_secret_key": "secret", "base_url": server.url}
    )
    broker = AlpacaAdapter(
        config, timeouts=TIMEOUTS, retry=RetryPolicy(base_delay=0.01, total_timeout=10)
    )
    try:
        yield broker
    finally:
        await broker.close()


@pytest.fixture
async def account_id(adapter: AlpacaAdapter) -> str:
    """Return the adapter's account number."""
    return (await adapter.accounts())[0].account_id
