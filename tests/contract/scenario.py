"""Helpers the contract scenarios share: order builders and polling with a deadline."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from brokerhub.brokers.base import Broker
from brokerhub.core.capabilities import Capability
from brokerhub.core.instruments import Instrument, OptionContract, OptionRight
from brokerhub.core.marketdata import Timeframe
from brokerhub.core.orders import (
    Order,
    OrderAction,
    OrderLeg,
    OrderRequest,
    OrderStatus,
    OrderType,
)
from brokerhub.sim.clock import ManualClock

START = datetime(2025, 1, 6, 15, 0, tzinfo=UTC)
"""Monday 2025-01-06 10:00 New York: where every contract test's clock starts."""
SYMBOL = "AAPL"
DEADLINE_SECONDS = 20.0


def equity_order(
    action: OrderAction,
    quantity: int,
    order_type: OrderType = OrderType.MARKET,
    *,
    symbol: str = SYMBOL,
    limit_price: Decimal | None = None,
    client_order_id: str | None = None,
) -> OrderRequest:
    """Return a single-leg DAY stock order."""
    return OrderRequest(
        legs=[
            OrderLeg(
                instrument=Instrument.equity(symbol), action=action, quantity=Decimal(quantity)
            )
        ],
        order_type=order_type,
        limit_price=limit_price,
        client_order_id=client_order_id,
    )


async def wait_for(
    broker: Broker,
    account_id: str,
    order_id: str,
    statuses: set[OrderStatus],
    clock: ManualClock,
) -> Order:
    """Return the order once its status is in ``statuses``, moving the clock a second a poll.

    Raises:
        AssertionError: the status was not reached before the deadline.
    """
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        order = await broker.get_order(account_id, order_id)
        if order.status in statuses:
            return order
        assert time.monotonic() < deadline, f"order {order_id} stuck in {order.status}"
        clock.advance(timedelta(seconds=1))


def _option_leg(right: OptionRight, strike: int, action: OrderAction) -> OrderLeg:
    contract = OptionContract(
        underlying=SYMBOL, expiration=date(2025, 2, 21), right=right, strike=Decimal(strike)
    )
    return OrderLeg(instrument=Instrument.from_option(contract), action=action, quantity=Decimal(1))


async def _drain_one(stream: AsyncIterator[Any]) -> None:
    await stream.__anext__()


def _stream(open_stream: Callable[[], AsyncIterator[Any]]) -> Awaitable[None]:
    return _drain_one(open_stream())


def unsupported_call(
    broker: Broker, account_id: str, capability: Capability
) -> Callable[[], Awaitable[Any]]:
    """Return a call that exercises ``capability`` with plausible arguments."""
    if capability is Capability.OPTION_ORDERS:
        request = OrderRequest(
            legs=[_option_leg(OptionRight.CALL, 200, OrderAction.BUY_TO_OPEN)],
            order_type=OrderType.LIMIT,
            limit_price=Decimal("1.00"),
        )
        return lambda: broker.place_order(account_id, request)
    if capability is Capability.MULTI_LEG_ORDERS:
        spread = OrderRequest(
            legs=[
                _option_leg(OptionRight.CALL, 200, OrderAction.BUY_TO_OPEN),
                _option_leg(OptionRight.CALL, 210, OrderAction.SELL_TO_OPEN),
            ],
            order_type=OrderType.LIMIT,
            limit_price=Decimal("1.00"),
        )
        return lambda: broker.place_order(account_id, spread)
    call = _CALLS[capability]
    return lambda: call(broker, account_id)


_order = equity_order(OrderAction.BUY, 1)

_CALLS: dict[Capability, Callable[[Broker, str], Awaitable[Any]]] = {
    Capability.ACCOUNTS: lambda b, a: b.accounts(),
    Capability.BALANCE: lambda b, a: b.balance(a),
    Capability.POSITIONS: lambda b, a: b.positions(a),
    Capability.TRANSACTIONS: lambda b, a: b.transactions(a),
    Capability.ORDERS: lambda b, a: b.orders(a),
    Capability.GET_ORDER: lambda b, a: b.get_order(a, "missing"),
    Capability.PREVIEW_ORDER: lambda b, a: b.preview_order(a, _order),
    Capability.PLACE_ORDER: lambda b, a: b.place_order(a, _order),
    Capability.CANCEL_ORDER: lambda b, a: b.cancel_order(a, "missing"),
    Capability.REPLACE_ORDER: lambda b, a: b.replace_order(a, "missing", _order),
    Capability.QUOTES: lambda b, a: b.quotes([SYMBOL]),
    Capability.BARS: lambda b, a: b.bars(SYMBOL, Timeframe.DAY, START, START + timedelta(days=1)),
    Capability.OPTION_EXPIRATIONS: lambda b, a: b.option_expirations(SYMBOL),
    Capability.OPTION_CHAIN: lambda b, a: b.option_chain(SYMBOL, date(2025, 2, 21)),
    Capability.SYMBOL_SEARCH: lambda b, a: b.search_symbols("apple"),
    Capability.STREAM_QUOTES: lambda b, a: _stream(lambda: b.stream_quotes([SYMBOL])),
    Capability.STREAM_ORDER_UPDATES: lambda b, a: _stream(lambda: b.stream_order_updates(a)),
}
