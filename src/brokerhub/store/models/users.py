"""The ``users`` table: people (or apps) who own connections and API keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from brokerhub.core.clock import utcnow
from brokerhub.store.base import Base


class UserRow(Base):
    """A user. Ids are integers, as the seed's ``user`` field is."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    is_admin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
