"""What the paper books remember as they grow: client order ids, order changes, transactions.

These run on a snapshot-backed exchange and restart it, because the engine keeps indexes over
its history (client order ids, orders by last change, transaction views) that a reloaded
snapshot must rebuild.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from brokerhub.brokers.paper import PaperBroker
from brokerhub.core.orders import OrderAction, OrderRequest, OrderStatus, OrderType, TimeInForce
from brokerhub.errors import Conflict, NotFound
from brokerhub.sim.clock import ManualClock
from brokerhub.sim.exchange import SimExchange
from tests.brokers.paper.conftest import CASH, CONFIG, START, order, quote, step


def _with_id(request: OrderRequest, client_order_id: str) -> OrderRequest:
    return request.model_copy(update={"client_order_id": client_order_id})


def _broker(path: Path, clock: ManualClock, profile: str = "me") -> PaperBroker:
    return PaperBroker(SimExchange.open(path, CONFIG, clock), profile, CASH, poll_seconds=0)


async def test_client_order_ids_are_unique_per_account_across_restarts(tmp_path: Path) -> None:
    path = tmp_path / "exchange.json"
    clock = ManualClock(START)
    broker = _broker(path, clock)
    first = (await broker.accounts())[0].account_id
    second = (await broker.open_account()).account_id
    entry = await quote(broker, "KO")

    def resting(limit: Decimal) -> OrderRequest:
        request = order(
            "KO", OrderAction.BUY, 5, OrderType.LIMIT, TimeInForce.GTC, limit_price=limit
        )
        return _with_id(request, "c1")

    placed = await broker.place_order(first, resting(entry.bid - 5))
    with pytest.raises(Conflict):
        await broker.place_order(first, _with_id(order("KO", OrderAction.BUY, 1), "c1"))
    # The same id in another account is that account's own.
    await broker.place_order(second, _with_id(order("KO", OrderAction.BUY, 1), "c1"))
    # A replacement may keep the id of the order it replaces.
    replaced = await broker.replace_order(first, placed.order_id, resting(entry.bid - 6))
    assert replaced.client_order_id == "c1"

    restarted = _broker(path, clock)
    with pytest.raises(Conflict):
        await restarted.place_order(first, _with_id(order("KO", OrderAction.BUY, 1), "c1"))
    filled = await restarted.place_order(first, _with_id(order("KO", OrderAction.BUY, 1), "c2"))
    assert filled.status is OrderStatus.FILLED
    with pytest.raises(NotFound):
        await _broker(path, clock, profile="someone else").place_order(
            first, _with_id(order("KO", OrderAction.BUY, 1), "c3")
        )


async def test_order_changes_return_each_changed_order_once_in_change_order(
    tmp_path: Path,
) -> None:
    path = tmp_path / "exchange.json"
    clock = ManualClock(START)
    broker = _broker(path, clock)
    account_id = (await broker.accounts())[0].account_id
    entry = await quote(broker, "PEP")
    old = await broker.place_order(
        account_id,
        order(
            "PEP",
            OrderAction.BUY,
            2,
            OrderType.LIMIT,
            TimeInForce.GTC,
            limit_price=entry.bid - 5,
        ),
    )
    newer = [await broker.place_order(account_id, order("PEP", OrderAction.BUY, 1)) for _ in "ab"]
    seq, changed = broker.exchange.order_changes(account_id, 0)
    assert [o.order_id for o in changed] == [old.order_id] + [o.order_id for o in newer]

    step(clock)
    await broker.cancel_order(account_id, old.order_id)
    later, changed = broker.exchange.order_changes(account_id, seq)
    assert [(o.order_id, o.status) for o in changed] == [(old.order_id, OrderStatus.CANCELLED)]
    assert broker.exchange.order_changes(account_id, later) == (later, [])

    restarted = _broker(path, clock)
    assert restarted.exchange.order_changes(account_id, seq) == (later, changed)
    _, everything = restarted.exchange.order_changes(account_id, 0)
    assert [o.order_id for o in everything] == [o.order_id for o in [*newer, old]]


async def test_transactions_read_between_trades_and_after_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "exchange.json"
    clock = ManualClock(START)
    broker = _broker(path, clock)
    account_id = (await broker.accounts())[0].account_id
    await broker.place_order(account_id, order("MSFT", OrderAction.BUY, 3))
    before = await broker.transactions(account_id)
    step(clock)
    await broker.place_order(account_id, order("MSFT", OrderAction.SELL, 3))
    after = await broker.transactions(account_id)
    assert after[: len(before)] == before
    assert [t.quantity for t in after[len(before) :]] == [Decimal(3)]
    assert (
        sum((t.amount for t in after), start=Decimal(0)) == (await broker.balance(account_id)).cash
    )

    restarted = _broker(path, clock)
    assert await restarted.transactions(account_id) == after
