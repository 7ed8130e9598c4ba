"""The Celery app: the same task functions as the embedded scheduler, on workers and beat.

Broker: ``Settings.celery_broker_url`` (RabbitMQ works) or ``BROKERHUB_REDIS_URL``; results
and the per-connection sync locks live in Redis. Tasks are acknowledged late and rejected
back to the queue when their worker dies (``acks_late``, ``reject_on_worker_lost``), so a
message is redelivered after ``celery_visibility_timeout_seconds``; the tasks are idempotent.
Each task runs its coroutine with ``anyio.run`` over a Hub built inside that run.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import anyio
import structlog
from celery import Celery, Task
from redis.asyncio import Redis

from brokerhub.config import Settings
from brokerhub.errors import ConfigurationError, UnavailableError
from brokerhub.hub import Hub
from brokerhub.jobs import tasks
from brokerhub.jobs.locks import RedisLocks
from brokerhub.jobs.schedule import schedule

log = structlog.get_logger(__name__)

T = TypeVar("T")

TASK_PREFIX = "brokerhub."
LOCKED_RETRY_SECONDS = 2
MAX_RETRIES = 8
RESTORE_INTERVAL_SECONDS = 1


def backoff(retries: int) -> int:
    """Return the wait before retry ``retries + 1``: 10 s doubling, at most 10 minutes."""
    return int(min(600, 10 * 2**retries))


def create_celery(settings: Settings) -> Celery:
    """Return the Celery app for ``settings`` with every task and the beat schedule.

    Raises:
        ConfigurationError: neither a Celery broker URL nor a Redis URL is configured.
    """
    if not settings.redis_url:
        raise ConfigurationError(
            "BROKERHUB_REDIS_URL is not set: workers and beat need Redis (without it, "
            "`brokerhub serve` runs the schedule itself)"
        )
    app = Celery("brokerhub", broker=settings.celery_broker_url or settings.redis_url)
    app.conf.update(
        result_backend=settings.redis_url,
        task_default_queue=settings.redis_namespace,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_ignore_result=True,
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            "visibility_timeout": settings.celery_visibility_timeout_seconds,
            "unacked_restore_interval": RESTORE_INTERVAL_SECONDS,
            "global_keyprefix": f"{settings.redis_namespace}:",
        },
        timezone="UTC",
        beat_schedule={
            job.name: {"task": TASK_PREFIX + job.name, "schedule": job.every}
            for job in schedule(settings)
        },
    )
    _register(app, settings)
    return app


def _run(settings: Settings, use: Callable[[Hub, Redis], Awaitable[T]]) -> T:
    async def main() -> T:
        redis: Redis = Redis.from_url(settings.redis_url or "")
        try:
            async with Hub(settings) as hub:
                return await use(hub, redis)
        finally:
            await redis.aclose()

    return anyio.run(main)


def _register(app: Celery, settings: Settings) -> None:
    def locks(redis: Redis) -> RedisLocks:
        return RedisLocks(redis, settings.redis_namespace, settings.sync_lock_seconds)

    @app.task(name=TASK_PREFIX + "sync_portfolio", bind=True, max_retries=MAX_RETRIES)
    def sync_portfolio(self: Task[Any, Any], connection_id: str) -> str:
        """Sync one connection; retried when it is locked or the broker is unavailable."""
        try:
            outcome = _run(
                settings, lambda hub, redis: tasks.sync_portfolio(hub, locks(redis), connection_id)
            )
        except UnavailableError as exc:
            raise self.retry(exc=exc, countdown=backoff(self.request.retries)) from exc
        if outcome is tasks.SyncOutcome.LOCKED:
            raise self.retry(countdown=LOCKED_RETRY_SECONDS)
        return outcome.value

    @app.task(name=TASK_PREFIX + "sync_all")
    def sync_all() -> int:
        """Queue a sync of every active connection; return how many were queued."""
        ids = _run(settings, lambda hub, redis: tasks.active_connection_ids(hub))
        for connection_id in ids:
            sync_portfolio.delay(connection_id)
        return len(ids)

    @app.task(name=TASK_PREFIX + "track_orders_of")
    def track_orders_of(connection_id: str) -> int:
        """Bring one connection's working orders up to date; return how many changed.

        Not retried: the next scheduled run asks again. A run that finds the connection
        locked by another worker does nothing.
        """
        changed = _run(
            settings, lambda hub, redis: tasks.track_orders(hub, locks(redis), connection_id)
        )
        return changed or 0

    @app.task(name=TASK_PREFIX + "track_orders")
    def track_orders() -> int:
        """Queue order tracking of every connection with working orders; return how many."""
        ids = _run(settings, lambda hub, redis: hub.order_tracker.connections_to_track())
        for connection_id in ids:
            track_orders_of.delay(connection_id)
        return len(ids)

    @app.task(name=TASK_PREFIX + "check_authorizations")
    def check_authorizations() -> int:
        """Warn about expiring authorizations; return how many connections were warned."""
        return _run(settings, lambda hub, redis: tasks.check_authorizations(hub)).warned

    @app.task(name=TASK_PREFIX + "execute_ai_trades")
    def execute_ai_trades() -> int:
        """Execute eligible AI decisions (placing nothing until autotrade exists)."""
        return _run(settings, lambda hub, redis: tasks.execute_ai_trades(hub))

    @app.task(name=TASK_PREFIX + "deliver_webhooks")
    def deliver_webhooks() -> int:
        """Send due webhook deliveries; return how many attempts were made."""
        return _run(settings, lambda hub, redis: tasks.deliver_webhooks(hub)).attempted

    @app.task(name=TASK_PREFIX + "cleanup")
    def cleanup() -> int:
        """Purge old events and close interrupted syncs; return how many rows changed."""
        report = _run(settings, lambda hub, redis: tasks.cleanup(hub))
        return report.events_purged + report.stale_syncs_failed


def ping_workers(settings: Settings, timeout: float) -> int:
    """Return how many Celery workers answer a ping within ``timeout`` seconds (blocking)."""
    app = create_celery(settings)
    try:
        return len(app.control.ping(timeout=timeout) or [])
    finally:
        app.close()
