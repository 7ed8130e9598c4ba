"""Webhooks: endpoint configs, the event outbox and the delivery queue.

Deliveries are claimed with a compare-and-set on ``next_attempt_at`` so two deliverers (two
workers, or a worker and the embedded scheduler) never send the same attempt at once; a
claimed attempt whose deliverer dies becomes due again when its lease ends.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from brokerhub.core.clock import utcnow
from brokerhub.store.enums import DeliveryStatus, WebhookStatus
from brokerhub.store.models import WebhookDeliveryRow, WebhookEventRow, WebhookRow


@dataclass(frozen=True, slots=True)
class DueDelivery:
    """A claimed delivery with what sending it needs."""

    delivery_id: int
    event_id: str
    body: str
    url: str
    secret_encrypted: bytes
    attempts: int
    webhook_id: uuid.UUID


async def create(
    session: AsyncSession,
    *,
    user_id: int,
    connection_id: uuid.UUID,
    url: str,
    is_active: bool,
    secret_encrypted: bytes,
) -> WebhookRow:
    """Store a new webhook and return its row."""
    row = WebhookRow(
        user_id=user_id,
        connection_id=connection_id,
        url=url,
        is_active=is_active,
        status=WebhookStatus.ACTIVE,
        secret_encrypted=secret_encrypted,
    )
    session.add(row)
    await session.flush()
    return row


async def list_for_user(session: AsyncSession, *, user_id: int) -> list[WebhookRow]:
    """Return the user's webhooks, oldest first."""
    query = (
        select(WebhookRow)
        .where(WebhookRow.user_id == user_id)
        .order_by(WebhookRow.created_at, WebhookRow.id)
    )
    return list(await session.scalars(query))


async def get_for_user(
    session: AsyncSession, *, webhook_id: uuid.UUID, user_id: int
) -> WebhookRow | None:
    """Return the user's webhook, or None when it does not exist or is another user's."""
    query = select(WebhookRow).where(WebhookRow.id == webhook_id, WebhookRow.user_id == user_id)
    return (await session.scalars(query)).one_or_none()


async def update_webhook(
    session: AsyncSession, *, webhook_id: uuid.UUID, **values: Any
) -> WebhookRow | None:
    """Change the given columns of a webhook and return its row."""
    statement = (
        update(WebhookRow)
        .where(WebhookRow.id == webhook_id)
        .values(**values, updated_at=utcnow())
        .returning(WebhookRow)
        .execution_options(populate_existing=True)
    )
    return (await session.scalars(statement)).one_or_none()


async def delete_webhook(session: AsyncSession, *, webhook_id: uuid.UUID) -> None:
    """Delete a webhook with its deliveries."""
    await session.execute(delete(WebhookRow).where(WebhookRow.id == webhook_id))


async def active_ids_for_connection(
    session: AsyncSession, *, connection_id: uuid.UUID
) -> list[uuid.UUID]:
    """Return the ids of the active webhooks of a connection."""
    query = select(WebhookRow.id).where(
        WebhookRow.connection_id == connection_id, WebhookRow.is_active.is_(True)
    )
    return list(await session.scalars(query))


async def add_event(
    session: AsyncSession,
    *,
    event_id: str,
    connection_id: uuid.UUID,
    event_type: str,
    body: str,
    webhook_ids: Sequence[uuid.UUID],
    at: datetime,
) -> None:
    """Store an event and a PENDING delivery, due ``at``, for each of ``webhook_ids``."""
    session.add(
        WebhookEventRow(
            id=event_id,
            connection_id=connection_id,
            event_type=event_type,
            body=body,
            created_at=at,
        )
    )
    await session.flush()
    for webhook_id in webhook_ids:
        session.add(
            WebhookDeliveryRow(
                webhook_id=webhook_id,
                event_id=event_id,
                status=DeliveryStatus.PENDING,
                attempts=0,
                next_attempt_at=at,
                created_at=at,
            )
        )
    await session.flush()


async def claim_due(
    session: AsyncSession, *, now: datetime, lease_until: datetime, limit: int
) -> list[DueDelivery]:
    """Claim up to ``limit`` due deliveries of active webhooks until ``lease_until``."""
    query = (
        select(
            WebhookDeliveryRow, WebhookEventRow.body, WebhookRow.url, WebhookRow.secret_encrypted
        )
        .join(WebhookEventRow, WebhookEventRow.id == WebhookDeliveryRow.event_id)
        .join(WebhookRow, WebhookRow.id == WebhookDeliveryRow.webhook_id)
        .where(
            WebhookDeliveryRow.status == DeliveryStatus.PENDING,
            WebhookDeliveryRow.next_attempt_at <= now,
            WebhookRow.is_active.is_(True),
        )
        .order_by(WebhookDeliveryRow.next_attempt_at, WebhookDeliveryRow.id)
        .limit(limit)
    )
    claimed = []
    for delivery, body, url, secret in (await session.execute(query)).all():
        taken = await session.execute(
            update(WebhookDeliveryRow)
            .where(
                WebhookDeliveryRow.id == delivery.id,
                WebhookDeliveryRow.status == DeliveryStatus.PENDING,
                WebhookDeliveryRow.next_attempt_at == delivery.next_attempt_at,
            )
            .values(next_attempt_at=lease_until)
            .returning(WebhookDeliveryRow.id)
        )
        if taken.first() is not None:
            claimed.append(
                DueDelivery(
                    delivery_id=delivery.id,
                    event_id=delivery.event_id,
                    body=body,
                    url=url,
                    secret_encrypted=secret,
                    attempts=delivery.attempts,
                    webhook_id=delivery.webhook_id,
                )
            )
    return claimed


async def record_attempt(
    session: AsyncSession,
    *,
    delivery_id: int,
    at: datetime,
    status: DeliveryStatus,
    next_attempt_at: datetime | None,
    response_status: int | None,
    error: str | None,
) -> None:
    """Record one attempt's outcome: one more attempt, the new status and when to retry."""
    await session.execute(
        update(WebhookDeliveryRow)
        .where(WebhookDeliveryRow.id == delivery_id)
        .values(
            attempts=WebhookDeliveryRow.attempts + 1,
            status=status,
            next_attempt_at=next_attempt_at,
            last_attempt_at=at,
            response_status=response_status,
            last_error=error,
            delivered_at=at if status is DeliveryStatus.SUCCEEDED else None,
        )
    )


async def list_deliveries(
    session: AsyncSession, *, webhook_id: uuid.UUID, limit: int, offset: int = 0
) -> list[tuple[WebhookDeliveryRow, str]]:
    """Return the webhook's deliveries with their event types, newest first."""
    query = (
        select(WebhookDeliveryRow, WebhookEventRow.event_type)
        .join(WebhookEventRow, WebhookEventRow.id == WebhookDeliveryRow.event_id)
        .where(WebhookDeliveryRow.webhook_id == webhook_id)
        .order_by(WebhookDeliveryRow.created_at.desc(), WebhookDeliveryRow.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [(row, event_type) for row, event_type in (await session.execute(query)).all()]


async def reschedule(
    session: AsyncSession, *, webhook_id: uuid.UUID, delivery_id: int, at: datetime
) -> WebhookDeliveryRow | None:
    """Make a delivery of the webhook PENDING again, due ``at``, with a fresh retry budget."""
    statement = (
        update(WebhookDeliveryRow)
        .where(WebhookDeliveryRow.id == delivery_id, WebhookDeliveryRow.webhook_id == webhook_id)
        .values(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=at)
        .returning(WebhookDeliveryRow)
        .execution_options(populate_existing=True)
    )
    return (await session.scalars(statement)).one_or_none()


async def count_deliveries_by_status(session: AsyncSession) -> dict[DeliveryStatus, int]:
    """Return how many deliveries are in each status (for metrics)."""
    query = select(WebhookDeliveryRow.status, func.count()).group_by(WebhookDeliveryRow.status)
    return dict((await session.execute(query)).all())


async def purge_events(session: AsyncSession, *, before: datetime) -> int:
    """Delete events older than ``before`` with no PENDING delivery; return how many."""
    pending = select(WebhookDeliveryRow.event_id).where(
        WebhookDeliveryRow.status == DeliveryStatus.PENDING
    )
    statement = (
        delete(WebhookEventRow)
        .where(WebhookEventRow.created_at < before, WebhookEventRow.id.not_in(pending))
        .returning(WebhookEventRow.id)
    )
    return len((await session.execute(statement)).all())
