"""Fixtures: a paper broker over an in-memory exchange driven by a manual clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from brokerhub.brokers.paper import PaperBroker
from brokerhub.core.instruments import Instrument
from brokerhub.core.orders import OrderAction, OrderLeg, OrderRequest, OrderType, TimeInForce
from brokerhub.sim.clock import ManualClock
from brokerhub.sim.config import SimConfig
from brokerhub.sim.exchange import SimExchange

START = datetime(2025, 1, 6, 15, 0, tzinfo=UTC)
CASH = Decimal(100_000)
PER_SHARE = Decimal("0.01")
PER_CONTRACT = Decimal("0.65")
CONFIG = SimConfig(
    seed=7,
    commission_per_share=PER_SHARE,
    commission_per_contract=PER_CONTRACT,
    liquidity_per_step=Decimal(100),
)


@pytest.fixture
def clock() -> ManualClock:
    """Return a clock at Monday 2025-01-06 10:00 New York."""
    return ManualClock(START)


@pytest.fixture
def exchange(clock: ManualClock) -> SimExchange:
    """Return an in-memory exchange, always open, seed 7, 100 units of liquidity a step."""
    return SimExchange.in_memory(clock, CONFIG)


@pytest.fixture
def broker(exchange: SimExchange) -> PaperBroker:
    """Return a paper broker for profile ``tester`` with 100,000 USD accounts."""
    return PaperBroker(exchange, "tester", CASH, poll_seconds=0)


@pytest.fixture
async def account_id(broker: PaperBroker) -> str:
    """Return the id of the tester's first account."""
    return (await broker.accounts())[0].account_id


def order(
    symbol: str,
    action: OrderAction,
    quantity: int,
    order_type: OrderType = OrderType.MARKET,
    time_in_force: TimeInForce = TimeInForce.DAY,
    **prices: Decimal,
) -> OrderRequest:
    """Return a single-leg order on a stock or an OCC symbol."""
    instrument = Instrument.from_occ(symbol) if len(symbol) > 6 else Instrument.equity(symbol)
    return OrderRequest(
        legs=[OrderLeg(instrument=instrument, action=action, quantity=Decimal(quantity))],
        order_type=order_type,
        time_in_force=time_in_force,
        **prices,
    )


@dataclass(frozen=True)
class Seen:
    """A quote as a test saw it, with every price present."""

    bid: Decimal
    ask: Decimal
    last: Decimal
    as_of: datetime


async def quote(broker: PaperBroker, symbol: str) -> Seen:
    """Return the broker's current quote of ``symbol``."""
    (result,) = await broker.quotes([symbol])
    assert result.bid is not None
    assert result.ask is not None
    assert result.last is not None
    return Seen(result.bid, result.ask, result.last, result.as_of)


def step(clock: ManualClock, seconds: int = 1) -> None:
    """Advance the clock by whole path steps."""
    clock.advance(timedelta(seconds=seconds))
