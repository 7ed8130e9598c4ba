"""Orders: stored before sending, updated from the broker, reconciled by client order id."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from brokerhub.core.instruments import Instrument, OptionContract, OptionRight
from brokerhub.core.orders import (
    Fill,
    Order,
    OrderAction,
    OrderLeg,
    OrderRequest,
    OrderStatus,
    OrderType,
    TimeInForce,
)
from brokerhub.store.models import ConnectionRow
from brokerhub.store.repos import orders

AT = datetime(2024, 5, 1, 14, 30, tzinfo=UTC)
AAPL = Instrument.equity("AAPL")


def _option(right: OptionRight, strike: int) -> Instrument:
    contract = OptionContract(
        underlying="SPY", expiration=date(2024, 6, 21), right=right, strike=Decimal(strike)
    )
    return Instrument.from_option(contract)


LIMIT_BUY = OrderRequest(
    legs=[OrderLeg(instrument=AAPL, action=OrderAction.BUY, quantity=Decimal("10"))],
    order_type=OrderType.LIMIT,
    time_in_force=TimeInForce.GTC,
    limit_price=Decimal("187.4321"),
)


def _report(status: OrderStatus, **changes: object) -> Order:
    fields: dict[str, object] = {
        "order_id": "B-1",
        "client_order_id": "c-1",
        "account_id": "PA-1",
        "status": status,
        "legs": LIMIT_BUY.legs,
        "order_type": OrderType.LIMIT,
        "time_in_force": TimeInForce.GTC,
        "limit_price": Decimal("187.4321"),
        "created_at": AT,
        "updated_at": AT,
        "raw": {"orderId": "B-1", "px": Decimal("187.4321")},
    }
    fields.update(changes)
    return Order.model_validate(fields)


async def test_order_lifecycle(session: AsyncSession, connection: ConnectionRow) -> None:
    cid = connection.id
    pending = await orders.create_pending(
        session, connection_id=cid, client_order_id="c-1", request=LIMIT_BUY
    )
    assert pending.status is OrderStatus.PENDING
    assert pending.submitted_at is None
    assert pending.broker_order_id is None
    assert pending.request == LIMIT_BUY.model_copy(update={"client_order_id": "c-1"})
    assert (pending.symbol, pending.limit_price) == ("AAPL", Decimal("187.4321"))

    sent = await orders.mark_sent(
        session, connection_id=cid, order_id=pending.id, order=_report(OrderStatus.OPEN)
    )
    assert sent is not None
    assert (sent.status, sent.broker_order_id) == (OrderStatus.OPEN, "B-1")
    assert sent.submitted_at is not None

    fill = Fill(
        fill_id="F1",
        symbol="AAPL",
        action=OrderAction.BUY,
        quantity=Decimal("10"),
        price=Decimal("187.40"),
        filled_at=AT,
    )
    filled = _report(
        OrderStatus.FILLED,
        filled_quantity=Decimal("10"),
        average_fill_price=Decimal("187.40"),
        fills=[fill],
    )
    await orders.update_from_broker(session, connection_id=cid, order=filled)

    session.expunge_all()
    stored = await orders.get(session, connection_id=cid, order_id=pending.id)
    assert stored is not None
    assert stored.status is OrderStatus.FILLED
    assert (stored.filled_quantity, stored.average_fill_price) == (Decimal(10), Decimal("187.40"))
    assert stored.report == filled.model_copy(update={"raw": {"orderId": "B-1", "px": "187.4321"}})
    assert stored.created_at.tzinfo is UTC
    assert await orders.get_by_broker_id(session, connection_id=cid, broker_order_id="B-1") == (
        stored
    )
    assert await orders.get_by_client_id(session, connection_id=cid, client_order_id="c-1") == (
        stored
    )
    assert await orders.get(session, connection_id=uuid.uuid4(), order_id=pending.id) is None


async def test_unknown_outcome_is_reconciled_by_client_id(
    session: AsyncSession, connection: ConnectionRow
) -> None:
    cid = connection.id
    pending = await orders.create_pending(
        session, connection_id=cid, client_order_id="c-1", request=LIMIT_BUY
    )
    unknown = await orders.mark_unknown(session, connection_id=cid, order_id=pending.id)
    assert unknown is not None
    assert unknown.status is OrderStatus.UNKNOWN
    reconciled = await orders.update_from_broker(
        session, connection_id=cid, order=_report(OrderStatus.OPEN)
    )
    assert reconciled.id == pending.id
    assert (reconciled.status, reconciled.broker_order_id) == (OrderStatus.OPEN, "B-1")


async def test_rejection_and_external_orders(
    session: AsyncSession, connection: ConnectionRow
) -> None:
    cid = connection.id
    pending = await orders.create_pending(
        session, connection_id=cid, client_order_id="c-1", request=LIMIT_BUY
    )
    rejected = await orders.mark_rejected(
        session, connection_id=cid, order_id=pending.id, reason="insufficient buying power"
    )
    assert rejected is not None
    assert (rejected.status, rejected.reject_reason) == (
        OrderStatus.REJECTED,
        "insufficient buying power",
    )
    spread_legs = [
        OrderLeg(
            instrument=_option(OptionRight.CALL, 500),
            action=OrderAction.BUY_TO_OPEN,
            quantity=Decimal(1),
        ),
        OrderLeg(
            instrument=_option(OptionRight.CALL, 510),
            action=OrderAction.SELL_TO_OPEN,
            quantity=Decimal(1),
        ),
    ]
    external = _report(
        OrderStatus.OPEN,
        order_id="B-9",
        client_order_id=None,
        legs=spread_legs,
        limit_price=Decimal("-1.25"),
        raw=None,
    )
    stored = await orders.update_from_broker(session, connection_id=cid, order=external)
    assert stored.request is None
    assert stored.client_order_id is None
    assert (stored.symbol, stored.limit_price) == ("SPY", Decimal("-1.25"))
    assert stored.report == external
    working = await orders.list_for_connection(
        session, connection_id=cid, statuses=[OrderStatus.OPEN]
    )
    assert [o.broker_order_id for o in working] == ["B-9"]
    assert len(await orders.list_for_connection(session, connection_id=cid)) == 2


async def test_client_order_id_is_unique_per_connection(
    session: AsyncSession, connection: ConnectionRow
) -> None:
    with pytest.raises(ValueError, match="client_order_id"):
        await orders.create_pending(
            session,
            connection_id=connection.id,
            client_order_id="c-2",
            request=LIMIT_BUY.model_copy(update={"client_order_id": "c-1"}),
        )
    await orders.create_pending(
        session, connection_id=connection.id, client_order_id="c-1", request=LIMIT_BUY
    )
    with pytest.raises(IntegrityError):
        async with session.begin_nested():
            await orders.create_pending(
                session, connection_id=connection.id, client_order_id="c-1", request=LIMIT_BUY
            )
