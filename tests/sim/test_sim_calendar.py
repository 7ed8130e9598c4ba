"""Trading hours: the NYSE calendar setting, DAY expiry at the close, waiting for the open."""

from __future__ import annotations

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
from brokerhub.errors import MarketClosed
from brokerhub.sim.calendar import AlwaysOpenCalendar, NyseCalendar
from brokerhub.sim.clock import ManualClock
from brokerhub.sim.config import SimConfig
from brokerhub.sim.exchange import SimExchange

MONDAY_CLOSE = datetime(2025, 1, 6, 21, 0, tzinfo=UTC)  # 16:00 New York
TUESDAY_OPEN = datetime(2025, 1, 7, 14, 30, tzinfo=UTC)  # 09:30 New York
CALENDAR_CONFIG = SimConfig(seed=5, follow_market_calendar=True)


def _request(order_type: OrderType, tif: TimeInForce, **prices: Decimal) -> OrderRequest:
    leg = OrderLeg(instrument=Instrument.equity("SPY"), action=OrderAction.BUY, quantity=Decimal(3))
    return OrderRequest(legs=[leg], order_type=order_type, time_in_force=tif, **prices)


def test_nyse_sessions_skip_weekends_and_holidays() -> None:
    calendar = NyseCalendar(datetime(2025, 1, 1, tzinfo=UTC).date())
    friday_evening = datetime(2025, 1, 17, 22, 0, tzinfo=UTC)
    # Monday 2025-01-20 is Martin Luther King Jr. Day
    assert calendar.session_at_or_after(friday_evening) == (
        datetime(2025, 1, 21, 14, 30, tzinfo=UTC),
        datetime(2025, 1, 21, 21, 0, tzinfo=UTC),
    )
    inside = datetime(2025, 1, 6, 15, 0, tzinfo=UTC)
    assert calendar.session_at_or_after(inside) == (
        datetime(2025, 1, 6, 14, 30, tzinfo=UTC),
        MONDAY_CLOSE,
    )


def test_always_open_sessions_end_at_new_york_midnight() -> None:
    at = datetime(2025, 1, 6, 3, 0, tzinfo=UTC)  # 22:00 New York on the 5th
    assert AlwaysOpenCalendar().session_at_or_after(at) == (
        at,
        datetime(2025, 1, 6, 5, 0, tzinfo=UTC),
    )


def test_day_order_expires_at_the_close_and_gtc_stays() -> None:
    clock = ManualClock(MONDAY_CLOSE - timedelta(minutes=5))
    exchange = SimExchange.in_memory(clock, CALENDAR_CONFIG)
    account = exchange.open_account("p", Decimal(10_000)).account_id
    bid = exchange.quote("SPY").bid
    assert bid is not None
    far = bid - Decimal(50)
    day = exchange.place(account, _request(OrderType.LIMIT, TimeInForce.DAY, limit_price=far))
    gtc = exchange.place(account, _request(OrderType.LIMIT, TimeInForce.GTC, limit_price=far))
    assert day.status is gtc.status is OrderStatus.OPEN
    clock.set(MONDAY_CLOSE + timedelta(minutes=1))
    expired = exchange.order(account, day.order_id)
    assert expired.status is OrderStatus.EXPIRED
    assert expired.updated_at == MONDAY_CLOSE
    clock.set(TUESDAY_OPEN + timedelta(minutes=1))
    assert exchange.order(account, gtc.order_id).status is OrderStatus.OPEN


def test_order_outside_the_session_waits_for_the_open() -> None:
    clock = ManualClock(TUESDAY_OPEN - timedelta(hours=2))
    exchange = SimExchange.in_memory(clock, CALENDAR_CONFIG)
    account = exchange.open_account("p", Decimal(10_000)).account_id
    request = _request(OrderType.MARKET, TimeInForce.DAY)
    preview = exchange.preview(account, request)
    assert any("market is closed" in warning for warning in preview.warnings)
    pending = exchange.place(account, request)
    assert (pending.status, pending.fills) == (OrderStatus.PENDING, [])
    with pytest.raises(MarketClosed):
        exchange.place(account, _request(OrderType.MARKET, TimeInForce.IOC))
    clock.set(TUESDAY_OPEN)
    opening_ask = exchange.quote("SPY").ask
    filled = exchange.order(account, pending.order_id)
    assert filled.status is OrderStatus.FILLED
    assert filled.fills[0].filled_at == TUESDAY_OPEN
    assert filled.average_fill_price == opening_ask
