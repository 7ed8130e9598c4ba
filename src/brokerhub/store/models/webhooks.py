"""Webhook tables: endpoint configs, the event outbox and one delivery per event and endpoint.

Events are written in the same transaction as the change they describe (the transactional
outbox), with a PENDING delivery for each active endpoint of the account, so an event is never
lost between commit and delivery: the deliverer picks up whatever is due.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from brokerhub.core.clock import utcnow
from brokerhub.store.base import Base
from brokerhub.store.enums import DeliveryStatus, WebhookStatus
from brokerhub.store.types import StrEnumType


class WebhookRow(Base):
    """A user's endpoint for one account's events (the seed's Webhook Configuration).

    ``secret_encrypted`` is the vault-encrypted signing secret (``whsec_...``), shown to the
    user once when the webhook is made. ``failing_since`` is set while ``status`` is FAILING.
    """

    __tablename__ = "webhooks"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(2048))
    is_active: Mapped[bool] = mapped_column(default=True)
    status: Mapped[WebhookStatus] = mapped_column(
        StrEnumType(WebhookStatus, 16), default=WebhookStatus.ACTIVE
    )
    secret_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    failing_since: Mapped[datetime | None]


class WebhookEventRow(Base):
    """One event as sent: ``body`` is the exact JSON that is signed on every attempt."""

    __tablename__ = "webhook_events"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), index=True
    )
    event_type: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class WebhookDeliveryRow(Base):
    """The delivery of one event to one endpoint.

    ``attempts`` counts requests made; ``next_attempt_at`` is when a PENDING delivery is due
    (also pushed forward while an attempt is in flight, as a lease). ``response_status`` and
    ``last_error`` describe the last attempt.
    """

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("webhook_id", "event_id"),
        Index(None, "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    webhook_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(
        ForeignKey("webhook_events.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[DeliveryStatus] = mapped_column(
        StrEnumType(DeliveryStatus, 16), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    last_attempt_at: Mapped[datetime | None]
    response_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]
