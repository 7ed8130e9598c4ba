"""The ``audit_log`` table: what was done, by whom, to which connection."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from brokerhub.core.clock import utcnow
from brokerhub.store.base import Base


class AuditLogRow(Base):
    """One audited action.

    ``user_id`` and ``connection_id`` are deliberately not foreign keys: the log outlives
    disconnected connections and deleted users. ``detail`` must never hold secrets.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(index=True)
    connection_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
