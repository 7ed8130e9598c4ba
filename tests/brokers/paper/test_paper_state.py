"""Paper broker state: JSON snapshot round-trip, factory, profiles, determinism, streams."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import anyio
import pytest

from brokerhub.brokers.base import AuthMethod, get_registry
from brokerhub.brokers.paper import PAPER_BROKER, PaperBroker
from brokerhub.brokers.paper.factory import create_paper_broker, snapshot_path
from brokerhub.config import get_settings
from brokerhub.core.capabilities import Capability
from brokerhub.core.marketdata import Timeframe
from brokerhub.core.orders import OrderAction, OrderStatus, OrderType, TimeInForce
from brokerhub.core.portfolio import TransactionType
from brokerhub.errors import NotFound
from brokerhub.sim.clock import ManualClock
from brokerhub.sim.exchange import SimExchange
from tests.brokers.paper.conftest import CASH, CONFIG, START, order, quote, step


async def _trade_some(broker: PaperBroker, clock: ManualClock) -> str:
    account_id = (await broker.accounts())[0].account_id
    await broker.place_order(account_id, order("AAPL", OrderAction.BUY, 150))
    await broker.place_order(
        account_id,
        order(
            "AAPL",
            OrderAction.SELL,
            50,
            OrderType.LIMIT,
            TimeInForce.GTC,
            limit_price=Decimal(500),
        ),
    )
    await broker.place_order(account_id, order("SPY", OrderAction.SELL_SHORT, 5))
    step(clock, 30)
    return account_id


async def test_snapshot_round_trip_restores_everything(tmp_path: Path) -> None:
    path = tmp_path / "paper" / "exchange.json"
    clock = ManualClock(START)
    first = PaperBroker(SimExchange.open(path, CONFIG, clock), "me", CASH)
    account_id = await _trade_some(first, clock)
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(saved["accounts"][account_id]["ledger"]["cash"], str)
    assert not list(path.parent.glob("*.tmp"))

    restarted = PaperBroker(SimExchange.open(path, CONFIG, clock), "me", CASH)
    assert await restarted.accounts() == await first.accounts()
    assert await restarted.balance(account_id) == await first.balance(account_id)
    assert await restarted.positions(account_id) == await first.positions(account_id)
    assert await restarted.orders(account_id) == await first.orders(account_id)
    assert await restarted.transactions(account_id) == await first.transactions(account_id)
    assert restarted.exchange.state.anchor == START

    step(clock, 5)
    (working,) = await restarted.orders(account_id, status=frozenset({OrderStatus.OPEN}))
    await restarted.cancel_order(account_id, working.order_id)
    reloaded = SimExchange.open(path, CONFIG, clock)
    assert reloaded.order(account_id, working.order_id).status is OrderStatus.CANCELLED


async def test_same_seed_same_fills(tmp_path: Path) -> None:
    runs = []
    for _ in range(2):
        clock = ManualClock(START)
        broker = PaperBroker(SimExchange.in_memory(clock, CONFIG), "me", CASH)
        account_id = await _trade_some(broker, clock)
        runs.append((await broker.transactions(account_id), await broker.balance(account_id)))
    assert runs[0] == runs[1]


async def test_factory_opens_a_persistent_account_under_home() -> None:
    settings = get_settings()
    broker = PAPER_BROKER.factory({})
    assert isinstance(broker, PaperBroker)
    (account,) = await broker.accounts()
    assert account.is_paper
    deposits = await broker.transactions(
        account.account_id, types=frozenset({TransactionType.DEPOSIT})
    )
    assert [t.amount for t in deposits] == [settings.paper_starting_cash]
    assert snapshot_path(settings).is_file()
    assert snapshot_path(settings).is_relative_to(settings.home.resolve())

    again = PAPER_BROKER.factory({"account_id": account.account_id})
    assert await again.accounts() == [account]
    (fresh,) = await PAPER_BROKER.factory({}).accounts()
    assert fresh.account_id != account.account_id  # each connect without an id opens its own
    named = create_paper_broker({"account_id": "demo-1", "starting_cash": "2500"})
    (demo,) = await named.accounts()
    assert demo.account_id == "demo-1"
    assert (await named.balance("demo-1")).cash == Decimal(2500)
    second = await named.open_account(Decimal(10))
    assert [a.account_id for a in await named.accounts()] == ["demo-1", second.account_id]
    with pytest.raises(NotFound):
        await named.balance(account.account_id)


def test_spec_is_registered_and_declares_everything() -> None:
    assert get_registry().get("paper") is PAPER_BROKER
    assert PAPER_BROKER.auth_method is AuthMethod.NONE
    assert PAPER_BROKER.required_fields == ()
    assert not PAPER_BROKER.is_live_capable
    assert all(PAPER_BROKER.capability_map().values())
    assert PaperBroker.capabilities == frozenset(Capability)


async def test_market_data_endpoints(broker: PaperBroker, clock: ManualClock) -> None:
    step(clock, 3600)
    bars = await broker.bars("QQQ", Timeframe.MINUTE, START, START + timedelta(days=1))
    assert len(bars) == 61
    assert bars[-1].start == clock.now()
    (expiration, *_) = await broker.option_expirations("QQQ")
    chain = await broker.option_chain("QQQ", expiration)
    assert chain.underlying_price == (await quote(broker, "QQQ")).last
    assert [m.symbol for m in await broker.search_symbols("nvidia")] == ["NVDA"]


async def test_streams_yield_quotes_and_order_changes(
    broker: PaperBroker, account_id: str, clock: ManualClock
) -> None:
    quotes = broker.stream_quotes(["TSLA"])
    with anyio.fail_after(5):
        first = await anext(quotes)
        step(clock, 600)
        second = await anext(quotes)
    await quotes.aclose()
    assert second.as_of > first.as_of
    assert second.last != first.last

    entry = await quote(broker, "GLD")
    placed = await broker.place_order(
        account_id,
        order(
            "GLD",
            OrderAction.BUY,
            1,
            OrderType.LIMIT,
            TimeInForce.GTC,
            limit_price=entry.bid - 10,
        ),
    )
    updates = broker.stream_order_updates(account_id)
    seen = []

    async def consume() -> None:
        async for update in updates:
            seen.append(update)
            return

    with anyio.fail_after(5):
        async with anyio.create_task_group() as group:
            group.start_soon(consume)
            await anyio.sleep(0.05)
            await broker.cancel_order(account_id, placed.order_id)
    await updates.aclose()
    assert [(o.order_id, o.status) for o in seen] == [(placed.order_id, OrderStatus.CANCELLED)]
