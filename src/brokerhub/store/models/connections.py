"""The ``connections`` table: the seed's BrokerageAccount, one brokerage account of a user."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from brokerhub.core.clock import utcnow
from brokerhub.store.base import Base
from brokerhub.store.enums import ConnectionStatus, Environment
from brokerhub.store.types import StrEnumType


class ConnectionRow(Base):
    """A user's account at one broker.

    ``account_id`` is the broker's id for the account, unknown (None) until authorisation
    finishes. Balances are the latest snapshot, as of ``balance_as_of``. ``error_count`` counts
    consecutive failures and is reset by a successful sync. ``credentials_encrypted`` is opaque
    here: the auth vault encrypts and decrypts it.

    ``authorization_expires_at`` is when the connection's authorization dies for good (a
    refresh token's end, or a session that cannot be renewed, such as E*TRADE's midnight),
    granted at ``authorization_issued_at``; None when the broker's authorization does not
    expire. ``expiry_notified_for`` is the expiry a ``connection_expiring`` event was sent for,
    so each authorization is warned about once.
    """

    __tablename__ = "connections"
    __table_args__ = (UniqueConstraint("user_id", "brokerage_name", "account_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    brokerage_name: Mapped[str] = mapped_column(String(32))
    account_id: Mapped[str | None] = mapped_column(String(64))
    account_name: Mapped[str | None] = mapped_column(String(128))
    status: Mapped[ConnectionStatus] = mapped_column(
        StrEnumType(ConnectionStatus, 16), default=ConnectionStatus.PENDING
    )
    is_active: Mapped[bool] = mapped_column(default=True)
    environment: Mapped[Environment] = mapped_column(StrEnumType(Environment, 16))
    live_trading_enabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    last_sync: Mapped[datetime | None]
    cash_balance: Mapped[Decimal | None]
    total_value: Mapped[Decimal | None]
    buying_power: Mapped[Decimal | None]
    balance_as_of: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    error_count: Mapped[int] = mapped_column(default=0)
    credentials_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    authorization_issued_at: Mapped[datetime | None]
    authorization_expires_at: Mapped[datetime | None] = mapped_column(index=True)
    expiry_notified_for: Mapped[datetime | None]
