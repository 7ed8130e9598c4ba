"""The embedded scheduler: with no Redis, ``brokerhub serve`` runs the jobs itself.

Same task functions, same schedule as Celery beat; each job waits its period, runs, and logs
(never raises) a failure, so one bad connection never stops the schedule.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import structlog

from brokerhub.errors import BrokerHubError
from brokerhub.hub import Hub
from brokerhub.jobs import tasks
from brokerhub.jobs.locks import LocalLocks
from brokerhub.jobs.schedule import (
    CHECK_AUTHORIZATIONS,
    CLEANUP,
    DELIVER_WEBHOOKS,
    EXECUTE_AI_TRADES,
    SYNC_ALL,
    TRACK_ORDERS,
    ScheduledJob,
    schedule,
)

log = structlog.get_logger(__name__)


class EmbeddedScheduler:
    """Run the scheduled jobs on ``hub`` in this process until stopped."""

    def __init__(self, hub: Hub) -> None:
        self._hub = hub
        self._locks = LocalLocks()
        self._jobs: dict[str, Callable[[], Awaitable[object]]] = {
            SYNC_ALL: self._sync_all,
            EXECUTE_AI_TRADES: lambda: tasks.execute_ai_trades(hub),
            DELIVER_WEBHOOKS: lambda: tasks.deliver_webhooks(hub),
            TRACK_ORDERS: self._track_orders,
            CHECK_AUTHORIZATIONS: lambda: tasks.check_authorizations(hub),
            CLEANUP: lambda: tasks.cleanup(hub),
        }
        self._runners: list[asyncio.Task[None]] = []

    def start(self) -> None:
        """Start one loop per scheduled job."""
        for job in schedule(self._hub.settings):
            self._runners.append(asyncio.create_task(self._every(job), name=f"job:{job.name}"))

    async def stop(self) -> None:
        """Cancel the loops and wait for them to end."""
        for runner in self._runners:
            runner.cancel()
        for runner in self._runners:
            with contextlib.suppress(asyncio.CancelledError):
                await runner
        self._runners.clear()

    async def _every(self, job: ScheduledJob) -> None:
        run = self._jobs[job.name]
        while True:
            await asyncio.sleep(job.every)
            try:
                await run()
            except Exception:
                log.exception("job_failed", job=job.name)

    async def _sync_all(self) -> None:
        for connection_id in await tasks.active_connection_ids(self._hub):
            try:
                await tasks.sync_portfolio(self._hub, self._locks, connection_id)
            except BrokerHubError as exc:
                log.warning("scheduled_sync_failed", connection_id=connection_id, error=exc.message)

    async def _track_orders(self) -> None:
        for connection_id in await self._hub.order_tracker.connections_to_track():
            try:
                await tasks.track_orders(self._hub, self._locks, connection_id)
            except BrokerHubError as exc:
                log.warning("order_tracking_failed", connection_id=connection_id, error=exc.message)
