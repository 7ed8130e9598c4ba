"""Orders: stored before they are sent, then updated from what the broker reports.

Lifecycle: :func:`create_pending` (status PENDING, ``submitted_at`` None) before sending;
then :func:`mark_sent` with the broker's answer, :func:`mark_rejected` when the broker refused
it, or :func:`mark_unknown` when the answer was lost (reconcile later by client order id with
:func:`update_from_broker`, which also records orders placed outside the hub).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from brokerhub.core.clock import utcnow
from brokerhub.core.orders import (
    Order,
    OrderLeg,
    OrderRequest,
    OrderStatus,
    OrderType,
    TimeInForce,
)
from brokerhub.store.models import ConnectionRow, OrderRow
from brokerhub.store.repos._json import jsonable


@dataclass(frozen=True, slots=True)
class StoredOrder:
    """An order as the hub stored it.

    ``request`` is what the hub sent (None for orders placed outside the hub); ``report`` is
    the broker's latest view (None until the broker answered). ``symbol`` is the single leg's
    symbol or a combination's underlying.
    """

    id: uuid.UUID
    connection_id: uuid.UUID
    client_order_id: str | None
    broker_order_id: str | None
    status: OrderStatus
    request: OrderRequest | None
    report: Order | None
    order_type: OrderType
    time_in_force: TimeInForce
    symbol: str
    limit_price: Decimal | None
    stop_price: Decimal | None
    filled_quantity: Decimal
    average_fill_price: Decimal | None
    reject_reason: str | None
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None


async def create_pending(
    session: AsyncSession, *, connection_id: uuid.UUID, client_order_id: str, request: OrderRequest
) -> StoredOrder:
    """Store an order about to be sent, under the hub's client order id.

    Raises:
        ValueError: when the request already carries a different client order id.
    """
    if request.client_order_id not in {None, client_order_id}:
        raise ValueError(
            f"request has client_order_id {request.client_order_id!r}, not {client_order_id!r}"
        )
    request = request.model_copy(update={"client_order_id": client_order_id})
    row = OrderRow(
        connection_id=connection_id,
        client_order_id=client_order_id,
        status=OrderStatus.PENDING,
        request=request.model_dump(mode="json"),
        order_type=request.order_type,
        time_in_force=request.time_in_force,
        symbol=_summary_symbol(request.legs),
        limit_price=request.limit_price,
        stop_price=request.stop_price,
        filled_quantity=Decimal(0),
    )
    session.add(row)
    await session.flush()
    return _to_stored(row)


async def mark_sent(
    session: AsyncSession, *, connection_id: uuid.UUID, order_id: uuid.UUID, order: Order
) -> StoredOrder | None:
    """Record the broker's acceptance of a pending order (its id, status and fills)."""
    row = await _row(session, connection_id, OrderRow.id == order_id)
    if row is None:
        return None
    row.submitted_at = row.submitted_at or utcnow()
    _apply_report(row, order)
    await session.flush()
    return _to_stored(row)


async def mark_rejected(
    session: AsyncSession, *, connection_id: uuid.UUID, order_id: uuid.UUID, reason: str
) -> StoredOrder | None:
    """Record that the broker (or the hub's checks) refused the order."""
    row = await _row(session, connection_id, OrderRow.id == order_id)
    if row is None:
        return None
    row.status = OrderStatus.REJECTED
    row.reject_reason = reason
    await session.flush()
    return _to_stored(row)


async def mark_unknown(
    session: AsyncSession, *, connection_id: uuid.UUID, order_id: uuid.UUID
) -> StoredOrder | None:
    """Record that the order was sent but its outcome was lost (status UNKNOWN)."""
    row = await _row(session, connection_id, OrderRow.id == order_id)
    if row is None:
        return None
    row.status = OrderStatus.UNKNOWN
    row.submitted_at = row.submitted_at or utcnow()
    await session.flush()
    return _to_stored(row)


async def update_from_broker(
    session: AsyncSession, *, connection_id: uuid.UUID, order: Order
) -> StoredOrder:
    """Apply a broker report to the stored order, matched by broker id then client order id.

    An order the hub has never seen (placed outside it) is stored without a request.
    """
    row = await _row(session, connection_id, OrderRow.broker_order_id == order.order_id)
    if row is None and order.client_order_id is not None:
        row = await _row(session, connection_id, OrderRow.client_order_id == order.client_order_id)
    if row is None:
        row = OrderRow(connection_id=connection_id, submitted_at=order.created_at)
        session.add(row)
    _apply_report(row, order)
    await session.flush()
    return _to_stored(row)


async def get(
    session: AsyncSession, *, connection_id: uuid.UUID, order_id: uuid.UUID
) -> StoredOrder | None:
    """Return the connection's order with this hub id, or None."""
    row = await _row(session, connection_id, OrderRow.id == order_id)
    return None if row is None else _to_stored(row)


async def get_by_client_id(
    session: AsyncSession, *, connection_id: uuid.UUID, client_order_id: str
) -> StoredOrder | None:
    """Return the connection's order with this client order id, or None."""
    row = await _row(session, connection_id, OrderRow.client_order_id == client_order_id)
    return None if row is None else _to_stored(row)


async def get_by_broker_id(
    session: AsyncSession, *, connection_id: uuid.UUID, broker_order_id: str
) -> StoredOrder | None:
    """Return the connection's order with this broker order id, or None."""
    row = await _row(session, connection_id, OrderRow.broker_order_id == broker_order_id)
    return None if row is None else _to_stored(row)


async def list_for_connection(
    session: AsyncSession,
    *,
    connection_id: uuid.UUID,
    statuses: Iterable[OrderStatus] | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[StoredOrder]:
    """Return the connection's orders, newest first, optionally only those in ``statuses``."""
    query = select(OrderRow).where(OrderRow.connection_id == connection_id)
    if statuses is not None:
        query = query.where(OrderRow.status.in_(list(statuses)))
    query = query.order_by(OrderRow.created_at.desc(), OrderRow.id).limit(limit).offset(offset)
    return [_to_stored(row) for row in await session.scalars(query)]


async def active_connections_with_status(
    session: AsyncSession, *, statuses: Iterable[OrderStatus]
) -> list[uuid.UUID]:
    """Return the ids of active connections holding an order in one of ``statuses``."""
    query = (
        select(OrderRow.connection_id)
        .join(ConnectionRow, ConnectionRow.id == OrderRow.connection_id)
        .where(OrderRow.status.in_(list(statuses)), ConnectionRow.is_active.is_(True))
        .distinct()
    )
    return list(await session.scalars(query))


async def _row(
    session: AsyncSession, connection_id: uuid.UUID, match: ColumnElement[bool]
) -> OrderRow | None:
    query = select(OrderRow).where(OrderRow.connection_id == connection_id, match)
    return (await session.scalars(query.limit(1))).first()


def _apply_report(row: OrderRow, order: Order) -> None:
    row.broker_order_id = order.order_id
    row.client_order_id = row.client_order_id or order.client_order_id
    row.status = order.status
    row.report = order.model_dump(mode="json", exclude={"raw"})
    row.order_type = order.order_type
    row.time_in_force = order.time_in_force
    row.symbol = _summary_symbol(order.legs)
    row.limit_price = order.limit_price
    row.stop_price = order.stop_price
    row.filled_quantity = order.filled_quantity
    row.average_fill_price = order.average_fill_price
    row.reject_reason = order.reject_reason
    row.raw = jsonable(order.raw)


def _summary_symbol(legs: Sequence[OrderLeg]) -> str:
    if len(legs) == 1:
        return legs[0].instrument.symbol
    options = [leg.instrument.option for leg in legs if leg.instrument.option is not None]
    return options[0].underlying if options else legs[0].instrument.symbol


def _to_stored(row: OrderRow) -> StoredOrder:
    report = None
    if row.report is not None:
        report = Order.model_validate({**row.report, "raw": row.raw})
    return StoredOrder(
        id=row.id,
        connection_id=row.connection_id,
        client_order_id=row.client_order_id,
        broker_order_id=row.broker_order_id,
        status=row.status,
        request=None if row.request is None else OrderRequest.model_validate(row.request),
        report=report,
        order_type=row.order_type,
        time_in_force=row.time_in_force,
        symbol=row.symbol,
        limit_price=row.limit_price,
        stop_price=row.stop_price,
        filled_quantity=row.filled_quantity,
        average_fill_price=row.average_fill_price,
        reject_reason=row.reject_reason,
        created_at=row.created_at,
        updated_at=row.updated_at,
        submitted_at=row.submitted_at,
    )
