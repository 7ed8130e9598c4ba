"""Option orders on the paper broker: multi-leg atomic fills, the 100 multiplier, Greeks."""

from __future__ import annotations

from decimal import Decimal

import pytest

from brokerhub.brokers.paper import PaperBroker
from brokerhub.core.instruments import Instrument
from brokerhub.core.orders import OrderAction, OrderLeg, OrderRequest, OrderStatus, OrderType
from brokerhub.core.portfolio import TransactionType
from brokerhub.errors import InsufficientFunds
from brokerhub.sim.clock import ManualClock
from tests.brokers.paper.conftest import CASH, PER_CONTRACT, order, quote, step


async def _vertical(broker: PaperBroker) -> tuple[str, str]:
    expiration = (await broker.option_expirations("AAPL"))[4]
    chain = await broker.option_chain("AAPL", expiration)
    return chain.calls[10].symbol, chain.calls[12].symbol


def _spread(long_call: str, short_call: str, quantity: int, **prices: Decimal) -> OrderRequest:
    return OrderRequest(
        legs=[
            OrderLeg(
                instrument=Instrument.from_occ(long_call),
                action=OrderAction.BUY_TO_OPEN,
                quantity=Decimal(quantity),
            ),
            OrderLeg(
                instrument=Instrument.from_occ(short_call),
                action=OrderAction.SELL_TO_OPEN,
                quantity=Decimal(quantity),
            ),
        ],
        order_type=OrderType.LIMIT if "limit_price" in prices else OrderType.MARKET,
        **prices,
    )


async def test_vertical_spread_fills_both_legs_at_once(
    broker: PaperBroker, account_id: str, clock: ManualClock
) -> None:
    long_call, short_call = await _vertical(broker)
    long_quote, short_quote = await quote(broker, long_call), await quote(broker, short_call)
    placed = await broker.place_order(account_id, _spread(long_call, short_call, 3))
    assert placed.status is OrderStatus.FILLED
    assert placed.filled_quantity == 3
    assert placed.average_fill_price == long_quote.ask - short_quote.bid
    debit = 3 * 100 * long_quote.ask - 3 * 100 * short_quote.bid
    fees = 6 * PER_CONTRACT
    assert (await broker.balance(account_id)).cash == CASH - debit - fees

    step(clock, 600)
    long_now, short_now = await quote(broker, long_call), await quote(broker, short_call)
    positions = {p.symbol: p for p in await broker.positions(account_id)}
    held_long, held_short = positions[long_call], positions[short_call]
    assert (held_long.quantity, held_short.quantity) == (Decimal(3), Decimal(-3))
    assert held_long.average_price == long_quote.ask
    assert held_short.average_price == short_quote.bid
    assert held_long.market_value == 300 * long_now.last
    assert held_short.market_value == -300 * short_now.last
    assert held_long.unrealized_pnl == 300 * (long_now.last - long_quote.ask)
    assert held_short.unrealized_pnl == 300 * (short_quote.bid - short_now.last)
    assert held_long.greeks is not None
    assert held_long.greeks.delta > 0
    assert held_short.greeks is not None
    trades = await broker.transactions(
        account_id, types=frozenset({TransactionType.BUY, TransactionType.SELL})
    )
    assert [t.amount for t in trades] == [
        -300 * long_quote.ask - 3 * PER_CONTRACT,
        300 * short_quote.bid - 3 * PER_CONTRACT,
    ]


async def test_unmarketable_combination_fills_no_leg(broker: PaperBroker, account_id: str) -> None:
    long_call, short_call = await _vertical(broker)
    natural = (await quote(broker, long_call)).ask - (await quote(broker, short_call)).bid
    placed = await broker.place_order(
        account_id, _spread(long_call, short_call, 2, limit_price=natural - Decimal("0.50"))
    )
    assert (placed.status, placed.fills) == (OrderStatus.OPEN, [])
    assert await broker.positions(account_id) == []
    assert (await broker.balance(account_id)).cash == CASH


async def test_combination_refused_as_a_whole_when_funds_are_short(broker: PaperBroker) -> None:
    poor = (await broker.open_account(Decimal(100))).account_id
    long_call, short_call = await _vertical(broker)
    with pytest.raises(InsufficientFunds):
        await broker.place_order(poor, _spread(long_call, short_call, 5))
    assert await broker.positions(poor) == []
    assert len(await broker.transactions(poor)) == 1


async def test_single_option_round_trip_uses_the_multiplier(
    broker: PaperBroker, account_id: str, clock: ManualClock
) -> None:
    expiration = (await broker.option_expirations("SPY"))[2]
    put = (await broker.option_chain("SPY", expiration)).puts[8].symbol
    entry = await quote(broker, put)
    await broker.place_order(account_id, order(put, OrderAction.BUY_TO_OPEN, 2))
    step(clock, 120)
    exit_quote = await quote(broker, put)
    await broker.place_order(account_id, order(put, OrderAction.SELL_TO_CLOSE, 2))
    raw = (await broker.balance(account_id)).raw
    assert raw is not None
    assert Decimal(str(raw["realized_pnl"])) == 200 * (exit_quote.bid - entry.ask)
    assert (await broker.balance(account_id)).cash == (
        CASH - 200 * entry.ask + 200 * exit_quote.bid - 4 * PER_CONTRACT
    )
