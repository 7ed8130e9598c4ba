"""The ``transactions`` table: every cash or security movement, unique per broker id."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from brokerhub.core.clock import utcnow
from brokerhub.core.portfolio import TransactionType
from brokerhub.store.base import Base
from brokerhub.store.types import StrEnumType


class TransactionRow(Base):
    """A transaction as the broker reported it; ``created_at`` is when the hub stored it.

    ``transaction_id`` and ``account_id`` are the broker's. ``amount`` is the cash effect
    (credits positive, debits negative, after fees); ``fees`` is non-negative.
    """

    __tablename__ = "transactions"
    __table_args__ = (
        UniqueConstraint("connection_id", "transaction_id"),
        Index(None, "connection_id", "transaction_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE")
    )
    transaction_id: Mapped[str] = mapped_column(String(128))
    account_id: Mapped[str] = mapped_column(String(64))
    transaction_type: Mapped[TransactionType] = mapped_column(StrEnumType(TransactionType, 16))
    symbol: Mapped[str | None] = mapped_column(String(64))
    quantity: Mapped[Decimal | None]
    price: Mapped[Decimal | None]
    amount: Mapped[Decimal]
    fees: Mapped[Decimal]
    description: Mapped[str | None] = mapped_column(Text)
    transaction_date: Mapped[datetime]
    order_id: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    raw: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
