"""The task functions: plain async functions over a started Hub, run by Celery or in-process.

Every task is idempotent: a sync replaces snapshots and upserts transactions by broker id, a
delivery is claimed before it is sent, order tracking records only what changed, an
authorization is warned about once, cleanup deletes only what is old. Running one twice
(a redelivered Celery message) changes nothing the first run did not.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

import structlog

from brokerhub.connections.health import AuthorizationReport
from brokerhub.core.clock import utcnow
from brokerhub.events.delivery import DeliveryReport
from brokerhub.hub import Hub
from brokerhub.jobs.locks import Locks
from brokerhub.store.repos import connections as connection_repo
from brokerhub.store.repos import sync_runs as sync_run_repo
from brokerhub.store.repos import webhooks as webhook_repo

log = structlog.get_logger(__name__)

INTERRUPTED_SYNC = "The sync was interrupted (its process stopped) and will be redone"


class SyncOutcome(StrEnum):
    """What :func:`sync_portfolio` did."""

    SYNCED = "synced"
    LOCKED = "locked"
    GONE = "gone"


@dataclass(frozen=True)
class CleanupReport:
    """What :func:`cleanup` removed or closed."""

    events_purged: int
    stale_syncs_failed: int


async def active_connection_ids(hub: Hub) -> list[str]:
    """Return the ids of every active connection (what a scheduled sync covers)."""
    async with hub.sessions() as session:
        return [str(row.id) for row in await connection_repo.list_active(session)]


async def sync_portfolio(hub: Hub, locks: Locks, connection_id: str) -> SyncOutcome:
    """Sync one connection unless another worker is syncing it right now.

    Scheduled syncs are forced: the seed's one-per-hour limit is for user requests.

    Raises:
        BrokerHubError: the broker failed (the run and the connection record it).
    """
    async with hub.sessions() as session:
        row = await connection_repo.get(session, connection_id=uuid.UUID(connection_id))
    if row is None or not row.is_active:
        return SyncOutcome.GONE
    async with locks.hold(f"sync:{connection_id}") as acquired:
        if not acquired:
            log.info("sync_skipped_locked", connection_id=connection_id)
            return SyncOutcome.LOCKED
        await hub.sync.sync_account(user_id=row.user_id, connection_id=connection_id, force=True)
    return SyncOutcome.SYNCED


async def track_orders(hub: Hub, locks: Locks, connection_id: str) -> int | None:
    """Bring one connection's working orders up to date; None if another worker holds it.

    Raises:
        BrokerHubError: the broker could not be asked (the next run tries again).
    """
    async with locks.hold(f"orders:{connection_id}") as acquired:
        if not acquired:
            return None
        return await hub.order_tracker.track(connection_id)


async def check_authorizations(hub: Hub) -> AuthorizationReport:
    """Warn about authorizations about to die; mark connections whose authorization died."""
    return await hub.authorizations.check()


async def execute_ai_trades(hub: Hub) -> int:
    """Execute eligible AI trade decisions; return how many orders were placed.

    The automated-trading logic (decisions, confidence threshold, risk checks) arrives with
    the autotrade issue. Until then no user can have autotrade settings, so this task places
    nothing and returns 0; its schedule already runs in beat and the embedded scheduler.
    """
    log.debug("execute_ai_trades", placed=0, reason="autotrade not available yet")
    return 0


async def deliver_webhooks(hub: Hub) -> DeliveryReport:
    """Send every due webhook delivery."""
    return await hub.deliverer.deliver_due()


async def cleanup(hub: Hub) -> CleanupReport:
    """Purge delivered events past retention and close syncs whose process died."""
    now = utcnow()
    retention = timedelta(days=hub.settings.event_retention_days)
    stale = timedelta(seconds=hub.settings.sync_lock_seconds)
    async with hub.sessions.begin() as session:
        purged = await webhook_repo.purge_events(session, before=now - retention)
        failed = await sync_run_repo.fail_stale(
            session, started_before=now - stale, error=INTERRUPTED_SYNC
        )
    return CleanupReport(events_purged=purged, stale_syncs_failed=failed)
