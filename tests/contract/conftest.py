"""Fixtures of the contract suite: one exchange and clock per test, every target in turn."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from brokerhub.brokers.base import Broker
from brokerhub.sim.clock import ManualClock
from brokerhub.sim.config import SimConfig
from brokerhub.sim.exchange import SimExchange
from tests.contract.scenario import START
from tests.contract.targets import CONTRACT_TARGETS

CONFIG = SimConfig(seed=11)


@pytest.fixture
def clock() -> ManualClock:
    """Return a clock at Monday 2025-01-06 10:00 New York (the sim is always open)."""
    return ManualClock(START)


@pytest.fixture
def exchange(clock: ManualClock) -> SimExchange:
    """Return the in-memory exchange behind every target."""
    return SimExchange.in_memory(clock, CONFIG)


@pytest.fixture(params=sorted(CONTRACT_TARGETS))
async def broker(request: pytest.FixtureRequest, exchange: SimExchange) -> AsyncIterator[Broker]:
    """Yield each contract target's broker, connected to its emulator over ``exchange``."""
    async with CONTRACT_TARGETS[request.param](exchange) as connected:
        yield connected


@pytest.fixture
async def account_id(broker: Broker) -> str:
    """Return the id of the broker's first account."""
    accounts = await broker.accounts()
    assert accounts, "a connected broker lists at least one account"
    return accounts[0].account_id
