"""The Alpaca adapter against its emulator over real HTTP: the behaviours the contract suite
does not cover (rate limits, lost answers, paging, the stream, errors, search)."""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal

import anyio
import pytest

from brokerhub.brokers.alpaca import AlpacaAdapter, create_alpaca_broker
from brokerhub.core.instruments import Instrument
from brokerhub.core.marketdata import Timeframe
from brokerhub.core.orders import OrderAction, OrderLeg, OrderRequest, OrderStatus, OrderType
from brokerhub.core.portfolio import TransactionType
from brokerhub.emulators.alpaca import AlpacaEmulator, create_app
from brokerhub.emulators.serve import LoopbackServer
from brokerhub.errors import (
    AuthenticationFailed,
    Conflict,
    CredentialError,
    InvalidOrder,
    NotFound,
)
from brokerhub.sim.clock import ManualClock
from tests.brokers.alpaca.conftest import START


def buy(quantity: int, client_order_id: str, **prices: Decimal) -> OrderRequest:
    """Return a DAY buy of AAPL (market unless a limit price is given)."""
    kind = OrderType.LIMIT if "limit_price" in prices else OrderType.MARKET
    leg = OrderLeg(
        instrument=Instrument.equity("AAPL"), action=OrderAction.BUY, quantity=Decimal(quantity)
    )
    return OrderRequest(legs=[leg], order_type=kind, client_order_id=client_order_id, **prices)


async def test_a_429_is_waited_out_and_the_read_succeeds(
    adapter: AlpacaAdapter, emulator: AlpacaEmulator, account_id: str
) -> None:
    emulator.faults.rate_limited = 1
    emulator.faults.retry_after = 1
    started = time.monotonic()
    balance = await adapter.balance(account_id)
    assert balance.cash == 100_000
    assert time.monotonic() - started >= 1.0
    assert emulator.faults.rate_limited == 0


async def test_a_lost_order_answer_is_reconciled_and_never_resent(
    adapter: AlpacaAdapter, emulator: AlpacaEmulator, account_id: str
) -> None:
    emulator.faults.delay_order_response = 1.5
    order = await adapter.place_order(account_id, buy(5, "hub-lost-1"))
    assert order.client_order_id == "hub-lost-1"
    assert order.status is OrderStatus.FILLED
    assert emulator.order_posts == 1
    (position,) = await adapter.positions(account_id)
    assert position.quantity == 5


async def test_a_duplicate_client_order_id_is_refused(
    adapter: AlpacaAdapter, account_id: str
) -> None:
    await adapter.place_order(account_id, buy(1, "hub-dup"))
    with pytest.raises(InvalidOrder, match="client_order_id"):
        await adapter.place_order(account_id, buy(1, "hub-dup"))


async def test_replace_then_cancel_and_errors(adapter: AlpacaAdapter, account_id: str) -> None:
    placed = await adapter.place_order(account_id, buy(2, "hub-r1", limit_price=Decimal(50)))
    assert placed.status is OrderStatus.OPEN
    new = await adapter.replace_order(
        account_id, placed.order_id, buy(3, "hub-r2", limit_price=Decimal(51))
    )
    assert new.replaces_order_id == placed.order_id
    assert new.limit_price == 51
    old = await adapter.get_order(account_id, placed.order_id)
    assert old.status is OrderStatus.REPLACED
    cancelled = await adapter.cancel_order(account_id, new.order_id)
    assert cancelled.status is OrderStatus.CANCELLED
    with pytest.raises(Conflict):
        await adapter.cancel_order(account_id, new.order_id)
    with pytest.raises(NotFound):
        await adapter.get_order(account_id, "00000000-0000-0000-0000-000000000000")
    with pytest.raises(NotFound):
        await adapter.positions("PA999999")


async def test_transactions_page_through_every_activity(
    adapter: AlpacaAdapter, emulator: AlpacaEmulator, account_id: str, clock: ManualClock
) -> None:
    for _ in range(130):
        clock.advance(timedelta(seconds=1))
        emulator.exchange.deposit(account_id, Decimal(1))
    await adapter.place_order(account_id, buy(1, "hub-t1"))
    everything = await adapter.transactions(account_id)
    assert len(everything) == 1 + 130 + 1
    assert [t.transaction_date for t in everything] == sorted(
        t.transaction_date for t in everything
    )
    deposits = await adapter.transactions(account_id, types=frozenset({TransactionType.DEPOSIT}))
    assert len(deposits) == 131
    (fill,) = await adapter.transactions(account_id, types=frozenset({TransactionType.BUY}))
    assert fill.symbol == "AAPL"
    assert fill.amount < 0


async def test_quotes_bars_and_search(adapter: AlpacaAdapter, clock: ManualClock) -> None:
    clock.advance(timedelta(hours=2))
    (quote,) = await adapter.quotes(["aapl"])
    assert quote.bid is not None
    assert quote.ask is not None
    assert quote.bid < quote.ask
    assert quote.last is not None
    bars = await adapter.bars("AAPL", Timeframe.MINUTE, START, START + timedelta(hours=2))
    assert len(bars) == 121
    assert bars[0].start == START
    hits = await adapter.search_symbols("apple")
    assert [h.symbol for h in hits] == ["AAPL"]


async def test_order_updates_stream(
    adapter: AlpacaAdapter, account_id: str, clock: ManualClock
) -> None:
    seen: list[OrderStatus] = []

    async def listen() -> None:
        async for order in adapter.stream_order_updates(account_id):
            seen.append(order.status)
            if order.status is OrderStatus.CANCELLED:
                return

    with anyio.fail_after(10):
        async with anyio.create_task_group() as group:
            group.start_soon(listen)
            await anyio.sleep(0.3)
            placed = await adapter.place_order(account_id, buy(1, "hub-s1", limit_price=Decimal(9)))
            await anyio.sleep(0.1)
            await adapter.cancel_order(account_id, placed.order_id)
    assert seen == [OrderStatus.OPEN, OrderStatus.CANCELLED]


async def test_wrong_keys_are_refused(emulator: AlpacaEmulator) -> None:
    emulator.key_id, emulator.secret_key = "PKGOOD", "good"
    with LoopbackServer(create_app(emulator)) as server:
        broker = create_alpaca_broker(
            {"api_key_id": "PKBAD", "api_secret_key": "bad", "base_url": server.url}
        )
        with pytest.raises(AuthenticationFailed):
            await broker.accounts()
        await broker.close()


def test_credentials_are_checked() -> None:
    with pytest.raises(CredentialError, match="api_secret_key"):
        create_alpaca_broker({"api_key_id": "PK"})
    with pytest.raises(CredentialError, match="environment"):
        create_alpaca_broker({"api_key_id": "PK", "api_secret_key": "s", "environment": "x"})
    live = create_alpaca_broker(
        {"api_key_id": "PK", "api_secret_key": "s", "environment": "production"}
    )
    assert live.config.trading_url == "https://api.alpaca.markets"
    assert live.config.data_url == "https://data.alpaca.markets"
    paper = create_alpaca_broker({"api_key_id": "PK", "api_secret_key": "s"})
    assert paper.config.trading_url == "https://paper-api.alpaca.markets"
    assert not paper.config.is_live
