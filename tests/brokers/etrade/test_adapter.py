"""The E*TRADE adapter against its emulator over loopback HTTP, OAuth verified on every call."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from brokerhub.brokers.etrade.adapter import etrade_client_order_id
from brokerhub.brokers.http import Timeouts
from brokerhub.core.instruments import Instrument
from brokerhub.core.orders import OrderAction, OrderLeg, OrderRequest, OrderStatus, OrderType
from brokerhub.errors import InsufficientFunds, ReauthorizationRequired
from brokerhub.sim.clock import ManualClock
from brokerhub.sim.config import SimConfig
from brokerhub.sim.exchange import SimExchange
from tests.brokers.etrade.emulated import connected

START = datetime(2025, 1, 6, 15, 0, tzinfo=UTC)


def _buy(quantity: int, client_order_id: str, limit: Decimal | None = None) -> OrderRequest:
    return OrderRequest(
        legs=[
            OrderLeg(
                instrument=Instrument.equity("AAPL"),
                action=OrderAction.BUY,
                quantity=Decimal(quantity),
            )
        ],
        order_type=OrderType.LIMIT if limit else OrderType.MARKET,
        limit_price=limit,
        client_order_id=client_order_id,
    )


@pytest.fixture
def exchange() -> SimExchange:
    """Return an in-memory exchange on a manual clock."""
    return SimExchange.in_memory(ManualClock(START), SimConfig(seed=5))


async def test_lost_place_answer_is_reconciled_and_placed_once(exchange: SimExchange) -> None:
    timeouts = Timeouts(connect=2.0, read=0.5, total=0.5)
    async with connected(exchange, timeouts=timeouts) as (adapter, emulator):
        key = (await adapter.accounts())[0].account_id
        emulator.hang_next("/orders/place", 1.5)
        order = await adapter.place_order(key, _buy(5, "bh-00112233445566778899aabb"))
        assert emulator.placements == 1
        assert order.client_order_id == "bh-00112233445566778899aabb"
        assert [o.order_id for o in await adapter.orders(key)] == [order.order_id]


async def test_preview_then_place_limit_then_replace_and_cancel(exchange: SimExchange) -> None:
    async with connected(exchange) as (adapter, _):
        key = (await adapter.accounts())[0].account_id
        request = _buy(3, "bh-limit-1", Decimal("1.00"))
        preview = await adapter.preview_order(key, request)
        assert preview.preview_id is not None
        placed = await adapter.place_order(key, request)
        assert placed.status is OrderStatus.OPEN
        changed = await adapter.replace_order(
            key, placed.order_id, _buy(4, "bh-limit-2", Decimal("2"))
        )
        assert changed.order_id != placed.order_id
        assert changed.replaces_order_id == placed.order_id
        cancelled = await adapter.cancel_order(key, changed.order_id)
        assert cancelled.status is OrderStatus.CANCELLED


async def test_too_big_order_is_insufficient_funds(exchange: SimExchange) -> None:
    async with connected(exchange, starting_cash=Decimal(100)) as (adapter, _):
        key = (await adapter.accounts())[0].account_id
        with pytest.raises(InsufficientFunds):
            await adapter.place_order(key, _buy(1000, "bh-big"))


async def test_expired_token_needs_a_new_login(exchange: SimExchange) -> None:
    async with connected(exchange) as (adapter, emulator):
        emulator.oauth.expire_all()
        with pytest.raises(ReauthorizationRequired, match="token_expired"):
            await adapter.accounts()


def test_client_order_id_fits_etrade() -> None:
    assert etrade_client_order_id("bh-0123456789abcdef01234567") == "456789abcdef01234567"
