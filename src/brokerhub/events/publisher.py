"""Publish events: into the webhook outbox inside the change's transaction, then to the bus.

Callers stage events in the same database transaction as the change they describe, and
publish them after the commit::

    async with sessions.begin() as session:
        ...  # the change
        await publisher.stage(session, events)
    await publisher.publish(events)

A crash after the commit loses no webhook (the outbox rows are committed with the change);
live subscribers only miss what happened while they were gone.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import structlog
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession

from brokerhub.events.bus import EventBus
from brokerhub.events.models import Event
from brokerhub.metrics import EVENTS_PUBLISHED
from brokerhub.store.repos import webhooks as webhook_repo

log = structlog.get_logger(__name__)


class EventPublisher:
    """Stage events in the outbox and fan them out on the bus."""

    def __init__(self, bus: EventBus) -> None:
        self.bus = bus

    async def stage(self, session: AsyncSession, events: Sequence[Event]) -> None:
        """Store each event with a delivery per active webhook of its account.

        Runs in the caller's transaction; events of accounts without an active webhook are
        not stored (nobody would receive them).
        """
        targets: dict[str, list[uuid.UUID]] = {}
        for event in events:
            if event.account_id not in targets:
                targets[event.account_id] = await webhook_repo.active_ids_for_connection(
                    session, connection_id=uuid.UUID(event.account_id)
                )
            webhook_ids = targets[event.account_id]
            if webhook_ids:
                await webhook_repo.add_event(
                    session,
                    event_id=event.event_id,
                    connection_id=uuid.UUID(event.account_id),
                    event_type=event.event_type.value,
                    body=event.to_json(),
                    webhook_ids=webhook_ids,
                    at=event.timestamp,
                )

    async def publish(self, events: Sequence[Event]) -> None:
        """Send committed events to live subscribers; a bus failure is logged, not raised."""
        for event in events:
            EVENTS_PUBLISHED.labels(event_type=event.event_type.value).inc()
            try:
                await self.bus.publish(event)
            except (RedisError, OSError) as exc:
                log.warning("event_not_published", event_id=event.event_id, error=str(exc))
