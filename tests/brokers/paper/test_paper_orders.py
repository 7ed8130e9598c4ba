"""Single-leg orders on the paper broker: cash, positions and P&L checked to the cent.

Expected values are computed here from the quotes the broker shows, never read back from
the ledger.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from brokerhub.brokers.paper import PaperBroker
from brokerhub.core.orders import OrderAction, OrderStatus, OrderType, TimeInForce
from brokerhub.core.portfolio import TransactionType
from brokerhub.errors import Conflict, InsufficientFunds, InvalidOrder
from brokerhub.sim.clock import ManualClock
from brokerhub.sim.exchange import SimExchange
from tests.brokers.paper.conftest import CASH, CONFIG, PER_SHARE, order, quote, step

BUY, SELL = OrderAction.BUY, OrderAction.SELL
CENT = Decimal("0.01")


async def realized(broker: PaperBroker, account_id: str) -> Decimal:
    """Return the realized P&L the balance reports."""
    raw = (await broker.balance(account_id)).raw
    assert raw is not None
    return Decimal(str(raw["realized_pnl"]))


async def test_market_buy_then_sell_books_cash_positions_and_pnl(
    broker: PaperBroker, account_id: str, clock: ManualClock
) -> None:
    entry = await quote(broker, "AAPL")
    placed = await broker.place_order(account_id, order("AAPL", BUY, 50))
    assert placed.status is OrderStatus.FILLED
    assert placed.average_fill_price == entry.ask
    fee = 50 * PER_SHARE
    cost = 50 * entry.ask
    assert (await broker.balance(account_id)).cash == CASH - cost - fee

    step(clock, 90)
    later = await quote(broker, "AAPL")
    (position,) = await broker.positions(account_id)
    assert position.quantity == 50
    assert position.average_price == entry.ask
    assert position.current_price == later.last
    assert position.market_value == 50 * later.last
    assert position.unrealized_pnl == 50 * later.last - cost
    assert position.unrealized_pnl_percent == ((50 * later.last - cost) / cost * 100).quantize(CENT)
    assert (await broker.balance(account_id)).total_value == CASH - cost - fee + 50 * later.last

    sold = await broker.place_order(account_id, order("AAPL", SELL, 20))
    assert sold.average_fill_price == later.bid
    sell_fee = 20 * PER_SHARE
    assert (await broker.balance(account_id)).cash == CASH - cost - fee + 20 * later.bid - sell_fee
    (position,) = await broker.positions(account_id)
    assert (position.quantity, position.cost_basis) == (Decimal(30), 30 * entry.ask)
    assert await realized(broker, account_id) == 20 * (later.bid - entry.ask)

    kinds = [t.transaction_type for t in await broker.transactions(account_id)]
    assert kinds == [TransactionType.DEPOSIT, TransactionType.BUY, TransactionType.SELL]
    buys = await broker.transactions(account_id, types=frozenset({TransactionType.BUY}))
    assert [(t.amount, t.fees, t.quantity, t.price) for t in buys] == [
        (-cost - fee, fee, Decimal(50), entry.ask)
    ]
    window = await broker.transactions(account_id, start=clock.now())
    assert [t.transaction_type for t in window] == [TransactionType.SELL]


async def test_slippage_moves_the_fill_against_the_order(clock: ManualClock) -> None:
    config = replace(CONFIG, slippage_bps=Decimal(10))
    broker = PaperBroker(SimExchange.in_memory(clock, config), "slip", CASH)
    account_id = (await broker.accounts())[0].account_id
    entry = await quote(broker, "MSFT")
    bought = await broker.place_order(account_id, order("MSFT", BUY, 10))
    assert bought.average_fill_price == (entry.ask * Decimal("1.001")).quantize(CENT)
    sold = await broker.place_order(account_id, order("MSFT", SELL, 10))
    assert sold.average_fill_price == (entry.bid * Decimal("0.999")).quantize(CENT)
    capped = await broker.place_order(
        account_id, order("MSFT", BUY, 1, OrderType.LIMIT, limit_price=entry.ask)
    )
    assert capped.average_fill_price == entry.ask


async def test_limit_buy_waits_until_the_ask_reaches_the_limit(
    broker: PaperBroker, account_id: str, clock: ManualClock
) -> None:
    entry = await quote(broker, "TSLA")
    limit = entry.ask - Decimal("0.30")
    placed = await broker.place_order(
        account_id, order("TSLA", BUY, 10, OrderType.LIMIT, TimeInForce.GTC, limit_price=limit)
    )
    assert placed.status is OrderStatus.OPEN
    for _ in range(3600):
        step(clock)
        current = await quote(broker, "TSLA")
        if current.ask <= limit:
            break
    else:
        pytest.fail("the path never reached the limit")
    filled = await broker.get_order(account_id, placed.order_id)
    assert filled.status is OrderStatus.FILLED
    assert filled.average_fill_price == current.ask
    assert (await broker.balance(account_id)).cash == CASH - 10 * current.ask - 10 * PER_SHARE


async def test_stop_sell_triggers_on_the_mid_and_fills_at_the_bid(
    broker: PaperBroker, account_id: str, clock: ManualClock
) -> None:
    await broker.place_order(account_id, order("NVDA", BUY, 40))
    entry = await quote(broker, "NVDA")
    stop = entry.last - Decimal("0.40")
    placed = await broker.place_order(
        account_id, order("NVDA", SELL, 40, OrderType.STOP, TimeInForce.GTC, stop_price=stop)
    )
    assert placed.status is OrderStatus.OPEN
    for _ in range(3600):
        step(clock)
        current = await quote(broker, "NVDA")
        if current.last <= stop:
            break
    else:
        pytest.fail("the path never reached the stop")
    filled = await broker.get_order(account_id, placed.order_id)
    assert filled.status is OrderStatus.FILLED
    assert filled.average_fill_price == current.bid
    assert await realized(broker, account_id) == 40 * (current.bid - entry.ask)
    assert await broker.positions(account_id) == []


async def test_stop_limit_triggers_then_waits_for_its_limit(
    broker: PaperBroker, account_id: str, clock: ManualClock
) -> None:
    entry = await quote(broker, "AMD")
    stop = entry.last + Decimal("0.20")
    limit = stop + Decimal("0.05")
    placed = await broker.place_order(
        account_id,
        order(
            "AMD", BUY, 5, OrderType.STOP_LIMIT, TimeInForce.GTC, stop_price=stop, limit_price=limit
        ),
    )
    triggered = False
    for _ in range(3600):
        step(clock)
        current = await quote(broker, "AMD")
        triggered = triggered or current.last >= stop
        if triggered and current.ask <= limit:
            break
    else:
        pytest.fail("the stop-limit never became marketable")
    filled = await broker.get_order(account_id, placed.order_id)
    assert filled.status is OrderStatus.FILLED
    assert filled.average_fill_price == current.ask <= limit


@pytest.mark.parametrize(
    "trail", [{"trail_amount": Decimal("0.25")}, {"trail_percent": Decimal("0.2")}]
)
async def test_trailing_stop_follows_the_high_and_sells_at_the_bid(
    broker: PaperBroker, account_id: str, clock: ManualClock, trail: dict[str, Decimal]
) -> None:
    await broker.place_order(account_id, order("META", BUY, 10))
    placed = await broker.place_order(
        account_id, order("META", SELL, 10, OrderType.TRAILING_STOP, TimeInForce.GTC, **trail)
    )
    high = (await quote(broker, "META")).last
    for _ in range(7200):
        step(clock)
        current = await quote(broker, "META")
        high = max(high, current.last)
        if "trail_amount" in trail:
            stop = high - trail["trail_amount"]
        else:
            stop = (high * (1 - trail["trail_percent"] / 100)).quantize(CENT)
        if current.last <= stop:
            break
        assert (await broker.get_order(account_id, placed.order_id)).status is OrderStatus.OPEN
    else:
        pytest.fail("the trailing stop never triggered")
    filled = await broker.get_order(account_id, placed.order_id)
    assert filled.status is OrderStatus.FILLED
    assert filled.average_fill_price == current.bid


async def test_large_order_fills_partially_step_by_step(
    broker: PaperBroker, account_id: str, clock: ManualClock
) -> None:
    asks = [(await quote(broker, "KO")).ask]
    placed = await broker.place_order(
        account_id, order("KO", BUY, 250, time_in_force=TimeInForce.GTC)
    )
    assert placed.status is OrderStatus.PARTIALLY_FILLED
    assert placed.filled_quantity == 100
    for _ in range(2):
        step(clock)
        asks.append((await quote(broker, "KO")).ask)
    filled = await broker.get_order(account_id, placed.order_id)
    assert filled.status is OrderStatus.FILLED
    assert [(f.quantity, f.price) for f in filled.fills] == list(
        zip([Decimal(100), Decimal(100), Decimal(50)], asks, strict=True)
    )
    notional = 100 * asks[0] + 100 * asks[1] + 50 * asks[2]
    assert filled.average_fill_price == notional / 250
    fees = 3 * (100 * PER_SHARE) - 50 * PER_SHARE
    assert (await broker.balance(account_id)).cash == CASH - notional - fees
    (position,) = await broker.positions(account_id)
    assert position.cost_basis == notional
    assert position.average_price == (notional / 250).quantize(Decimal("0.0001"))


async def test_ioc_cancels_the_rest_and_fok_fills_all_or_nothing(
    broker: PaperBroker, account_id: str
) -> None:
    ask = (await quote(broker, "F")).ask
    ioc = await broker.place_order(account_id, order("F", BUY, 250, time_in_force=TimeInForce.IOC))
    assert (ioc.status, ioc.filled_quantity) == (OrderStatus.CANCELLED, Decimal(100))
    fok = await broker.place_order(account_id, order("F", BUY, 250, time_in_force=TimeInForce.FOK))
    assert (fok.status, fok.fills) == (OrderStatus.CANCELLED, [])
    small = await broker.place_order(account_id, order("F", BUY, 60, time_in_force=TimeInForce.FOK))
    assert small.status is OrderStatus.FILLED
    (position,) = await broker.positions(account_id)
    assert position.quantity == 160
    assert (await broker.balance(account_id)).cash == CASH - 160 * ask - 160 * PER_SHARE


async def test_short_sale_needs_margin_and_cover_books_pnl(
    broker: PaperBroker, clock: ManualClock
) -> None:
    small = (await broker.open_account(Decimal(10_000))).account_id
    entry = await quote(broker, "JPM")
    # 150 shares: 10,000 + 150 x bid - 1.5 x 150 x mid < 0
    assert 10_000 + 150 * entry.bid - 150 * PER_SHARE - Decimal("1.5") * 150 * entry.last < 0
    with pytest.raises(InsufficientFunds):
        await broker.place_order(small, order("JPM", OrderAction.SELL_SHORT, 150))
    assert await broker.positions(small) == []
    short = await broker.place_order(small, order("JPM", OrderAction.SELL_SHORT, 60))
    assert short.average_fill_price == entry.bid
    balance = await broker.balance(small)
    assert balance.cash == 10_000 + 60 * entry.bid - 60 * PER_SHARE
    assert balance.short_market_value == -60 * entry.last
    assert balance.buying_power == balance.cash - Decimal("1.5") * 60 * entry.last
    with pytest.raises(InvalidOrder):
        await broker.place_order(small, order("JPM", BUY, 10))
    step(clock, 300)
    cover_quote = await quote(broker, "JPM")
    await broker.place_order(small, order("JPM", OrderAction.BUY_TO_COVER, 60))
    assert await realized(broker, small) == 60 * (entry.bid - cover_quote.ask)
    assert (await broker.balance(small)).cash == (
        10_000 + 60 * entry.bid - 60 * cover_quote.ask - 120 * PER_SHARE
    )
    with pytest.raises(InsufficientFunds):
        await broker.place_order(small, order("JPM", SELL, 1))


async def test_cancel_and_replace_working_orders(
    broker: PaperBroker, account_id: str, clock: ManualClock
) -> None:
    entry = await quote(broker, "DIS")
    far = entry.bid - 5
    placed = await broker.place_order(
        account_id, order("DIS", BUY, 10, OrderType.LIMIT, TimeInForce.GTC, limit_price=far)
    )
    replaced = await broker.replace_order(
        account_id,
        placed.order_id,
        order("DIS", BUY, 10, OrderType.LIMIT, TimeInForce.GTC, limit_price=far - 1),
    )
    assert replaced.replaces_order_id == placed.order_id
    assert (await broker.get_order(account_id, placed.order_id)).status is OrderStatus.REPLACED
    cancelled = await broker.cancel_order(account_id, replaced.order_id)
    assert cancelled.status is OrderStatus.CANCELLED
    with pytest.raises(Conflict):
        await broker.cancel_order(account_id, replaced.order_id)
    open_orders = await broker.orders(account_id, status=frozenset({OrderStatus.OPEN}))
    assert open_orders == []
    step(clock)
    assert len(await broker.orders(account_id)) == 2


async def test_preview_estimates_and_warns(broker: PaperBroker, account_id: str) -> None:
    entry = await quote(broker, "NFLX")
    preview = await broker.preview_order(account_id, order("NFLX", BUY, 10))
    assert preview.estimated_price == entry.ask
    assert preview.estimated_cost == -10 * entry.ask
    assert preview.commission == 10 * PER_SHARE
    assert preview.estimated_total == -10 * entry.ask - 10 * PER_SHARE
    assert preview.buying_power_after == CASH - 10 * entry.ask - 10 * PER_SHARE
    assert preview.warnings == []
    too_big = await broker.preview_order(account_id, order("NFLX", BUY, 1000))
    assert any("insufficient buying power" in w for w in too_big.warnings)
    assert await broker.orders(account_id) == []


async def test_whole_units_only(broker: PaperBroker, account_id: str) -> None:
    request = order("AAPL", BUY, 1).model_copy(deep=True)
    fractional = request.model_validate(
        {**request.model_dump(), "legs": [{**request.legs[0].model_dump(), "quantity": "0.5"}]}
    )
    with pytest.raises(InvalidOrder):
        await broker.place_order(account_id, fractional)
