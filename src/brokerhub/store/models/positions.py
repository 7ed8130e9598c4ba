"""The ``positions`` table: the latest position snapshot of each connection."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from brokerhub.core.instruments import AssetClass
from brokerhub.store.base import Base
from brokerhub.store.types import StrEnumType


class PositionRow(Base):
    """One holding of a connection; ``instrument`` and ``greeks`` hold the core models' JSON.

    ``symbol`` and ``asset_class`` repeat the instrument's for filtering.
    """

    __tablename__ = "positions"
    __table_args__ = (UniqueConstraint("connection_id", "symbol"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE")
    )
    symbol: Mapped[str] = mapped_column(String(64))
    asset_class: Mapped[AssetClass] = mapped_column(StrEnumType(AssetClass, 16))
    instrument: Mapped[dict[str, Any]] = mapped_column(JSON)
    quantity: Mapped[Decimal]
    average_price: Mapped[Decimal]
    current_price: Mapped[Decimal]
    market_value: Mapped[Decimal]
    cost_basis: Mapped[Decimal]
    unrealized_pnl: Mapped[Decimal]
    unrealized_pnl_percent: Mapped[Decimal]
    greeks: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    as_of: Mapped[datetime]
    raw: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
