"""The ``orders`` table: every order the hub placed or learned of from a broker."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from brokerhub.core.clock import utcnow
from brokerhub.core.orders import OrderStatus, OrderType, TimeInForce
from brokerhub.store.base import Base
from brokerhub.store.types import StrEnumType


class OrderRow(Base):
    """An order, stored before it is sent so a lost response is reconciled by client order id.

    ``request`` is the core OrderRequest JSON (None for orders placed outside the hub);
    ``report`` is the broker's latest core Order JSON without ``raw`` (None until the broker
    has reported). ``symbol`` is the single leg's symbol, or the underlying of a combination.
    ``submitted_at`` is None until the broker accepted the order.
    """

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("connection_id", "client_order_id"),
        Index(None, "connection_id", "broker_order_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE")
    )
    client_order_id: Mapped[str | None] = mapped_column(String(64))
    broker_order_id: Mapped[str | None] = mapped_column(String(128))
    status: Mapped[OrderStatus] = mapped_column(StrEnumType(OrderStatus, 24))
    request: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    order_type: Mapped[OrderType] = mapped_column(StrEnumType(OrderType, 16))
    time_in_force: Mapped[TimeInForce] = mapped_column(StrEnumType(TimeInForce, 8))
    symbol: Mapped[str] = mapped_column(String(64))
    limit_price: Mapped[Decimal | None]
    stop_price: Mapped[Decimal | None]
    filled_quantity: Mapped[Decimal] = mapped_column(default=Decimal(0))
    average_fill_price: Mapped[Decimal | None]
    reject_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None]
    raw: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
