"""Warn before a connection's authorization dies, and mark it broken when it has.

Run on a schedule (``check_authorizations``). For every active connection whose authorization
has a known end (:func:`brokerhub.connections.credentials.authorization_expiry`):

- ``connection_expiring`` is sent once per authorization, ``authorization_warning_days``
  before it dies, or half its lifetime before for shorter ones (an E*TRADE session granted in
  the morning is warned about in the evening, not the moment it is granted);
- once it has died, the connection is marked ``error`` with a re-authorization message and
  ``connection_broken`` is sent, before any sync has to fail to find out.

Connecting again records the new authorization (and sends ``connection_repaired``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from brokerhub.auth.tokens import reauthorization_message
from brokerhub.config import Settings
from brokerhub.core.clock import utcnow
from brokerhub.events import factory
from brokerhub.events.models import Event
from brokerhub.events.publisher import EventPublisher
from brokerhub.store.models.connections import ConnectionRow
from brokerhub.store.repos import connections as connection_repo

EXPIRED_REASON = "the broker's authorization expired"


@dataclass(frozen=True)
class AuthorizationReport:
    """What one check did: connections warned and connections found expired."""

    warned: int
    expired: int


def warning_lead(row: ConnectionRow, window: timedelta) -> timedelta:
    """Return how long before its expiry the connection's authorization is warned about."""
    if row.authorization_expires_at is None or row.authorization_issued_at is None:
        return window
    return min(window, (row.authorization_expires_at - row.authorization_issued_at) / 2)


class AuthorizationMonitor:
    """Check authorizations against the clock and publish what users must act on."""

    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        publisher: EventPublisher,
        settings: Settings,
    ) -> None:
        self._sessions = sessions
        self._publisher = publisher
        self._window = timedelta(days=settings.authorization_warning_days)

    async def check(self, now: datetime | None = None) -> AuthorizationReport:
        """Warn about authorizations about to die and mark those that have died."""
        now = now or utcnow()
        events: list[Event] = []
        expired = 0
        async with self._sessions.begin() as session:
            for row in await connection_repo.list_expired_unmarked(session, now=now):
                message = reauthorization_message(row.brokerage_name, EXPIRED_REASON)
                events.append(factory.connection_broken(row, message, reauthorize=True))
                await connection_repo.mark_error(session, connection_id=row.id, error=message)
                expired += 1
            for row in await connection_repo.list_expiring(session, before=now + self._window):
                expires_at = row.authorization_expires_at
                if expires_at is None or now < expires_at - warning_lead(row, self._window):
                    continue
                if now < expires_at:
                    events.append(factory.connection_expiring(row, expires_at))
                await connection_repo.mark_expiry_notified(
                    session, connection_id=row.id, expires_at=expires_at
                )
            await self._publisher.stage(session, events)
        await self._publisher.publish(events)
        return AuthorizationReport(warned=len(events) - expired, expired=expired)
