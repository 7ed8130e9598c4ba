"""Exchange-level operations: deposits, dividends, ownership checks, catch-up after a jump."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from brokerhub.core.instruments import Instrument
from brokerhub.core.orders import (
    OrderAction,
    OrderLeg,
    OrderRequest,
    OrderStatus,
    OrderType,
    TimeInForce,
)
from brokerhub.core.portfolio import TransactionType
from brokerhub.errors import NotFound, ValidationFailed
from brokerhub.sim.clock import ManualClock
from brokerhub.sim.config import SimConfig
from brokerhub.sim.exchange import SimExchange

START = datetime(2025, 1, 6, 15, 0, tzinfo=UTC)


def _buy(symbol: str, quantity: int, **extra: object) -> OrderRequest:
    leg = OrderLeg(
        instrument=Instrument.equity(symbol), action=OrderAction.BUY, quantity=Decimal(quantity)
    )
    return OrderRequest.model_validate({"legs": [leg], **extra})


def test_deposits_and_dividends_are_transactions() -> None:
    exchange = SimExchange.in_memory(ManualClock(START))
    account = exchange.open_account("p", Decimal(1000)).account_id
    exchange.deposit(account, Decimal("250.50"))
    exchange.place(account, _buy("KO", 10))
    (dividend,) = exchange.pay_dividend("KO", Decimal("0.485"))
    assert dividend.amount == Decimal("4.85")
    kinds = [t.transaction_type for t in exchange.transactions(account)]
    assert kinds == [
        TransactionType.DEPOSIT,
        TransactionType.DEPOSIT,
        TransactionType.BUY,
        TransactionType.DIVIDEND,
    ]
    total = sum((t.amount for t in exchange.transactions(account)), start=Decimal(0))
    assert exchange.balance(account).cash == total


def test_accounts_and_orders_are_looked_up_by_owner() -> None:
    exchange = SimExchange.in_memory(ManualClock(START))
    mine = exchange.open_account("me", Decimal(1000), account_id="mine").account_id
    theirs = exchange.open_account("them", Decimal(1000)).account_id
    placed = exchange.place(mine, _buy("F", 1))
    with pytest.raises(NotFound):
        exchange.order(theirs, placed.order_id)
    with pytest.raises(NotFound):
        exchange.balance("nobody")
    with pytest.raises(ValidationFailed):
        exchange.open_account("me", Decimal(1), account_id="mine")
    assert [a.account_id for a in exchange.accounts("me")] == ["mine"]


def test_a_long_jump_is_matched_at_evenly_spaced_steps() -> None:
    clock = ManualClock(START)
    config = replace(SimConfig(), max_catchup_steps=500)
    exchange = SimExchange.in_memory(clock, config)
    account = exchange.open_account("p", Decimal(100_000)).account_id
    ask = exchange.quote("TSLA").ask
    assert ask is not None
    placed = exchange.place(
        account,
        _buy(
            "TSLA",
            1,
            order_type=OrderType.LIMIT,
            time_in_force=TimeInForce.GTC,
            limit_price=ask - 3,
        ),
    )
    clock.advance(timedelta(days=3))
    assert exchange.sync() == clock.now()
    assert exchange.state.processed_until == clock.now()
    order = exchange.order(account, placed.order_id)
    assert order.status is OrderStatus.FILLED
    assert order.average_fill_price is not None
    assert order.average_fill_price <= ask - 3
