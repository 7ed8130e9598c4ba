"""The ``sync_runs`` table: one row per sync of a connection, with its counts or error."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from brokerhub.core.clock import utcnow
from brokerhub.store.base import Base
from brokerhub.store.enums import SyncStatus
from brokerhub.store.types import StrEnumType


class SyncRunRow(Base):
    """A sync run. Counts are of what the broker returned; ``new_transactions_count`` of what
    was stored for the first time."""

    __tablename__ = "sync_runs"
    __table_args__ = (Index(None, "connection_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE")
    )
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[SyncStatus] = mapped_column(
        StrEnumType(SyncStatus, 16), default=SyncStatus.RUNNING
    )
    positions_count: Mapped[int] = mapped_column(default=0)
    transactions_count: Mapped[int] = mapped_column(default=0)
    new_transactions_count: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
