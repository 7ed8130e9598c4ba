"""The Celery app: the same task functions as the embedded scheduler, on workers and beat.

Broker: ``Settings.celery_broker_url`` (RabbitMQ works) or ``BROKERHUB_REDIS_URL``; results
and the per-connection sync locks live in Redis. Tasks are acknowledged late and rejected
back to the queue when their worker dies (``acks_late``, ``reject_on_worker_lost``), so a
message is redelivered after ``celery_visibility_timeout_seconds``; the tasks are idempotent.
Each worker process keeps one Hub (and one Redis client) for its whole life, on an event loop
in a thread of its own (:class:`WorkerHub`), built on the first task the process runs: a task
used to build a Hub per run, checking the migrations and opening the database pool and every
HTTP session again, even for the jobs beat queues every few seconds.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from typing import Any, TypeVar

import structlog
from anyio.from_thread import BlockingPortal, start_blocking_portal
from celery import Celery, Task, signals
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
    worker_hub = WorkerHub(settings)
    _WORKER_HUBS.add(worker_hub)
    _register(app, worker_hub, settings)
    return app


class WorkerHub:
    """One worker process's Hub and Redis client, on an event loop in a portal thread.

    Built on the first :meth:`run` in a process (a forked pool child builds its own: the
    loop thread does not survive a fork) and closed by :meth:`close` when the process shuts
    down. A start that fails (the database is down) is not kept: the next task tries again.
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._portal_context: AbstractContextManager[BlockingPortal] | None = None
        self._portal: BlockingPortal | None = None
        self._hub: Hub | None = None
        self._redis: Redis | None = None
        self._inherited: list[object] = []

    def run(self, use: Callable[[Hub, Redis], Awaitable[T]]) -> T:
        """Run ``use`` with this process's Hub and Redis client; return what it returns."""
        if self._pid is not None and self._pid != os.getpid():
            self._after_fork()
        with self._lock:
            if self._portal is None:
                self._portal_context = start_blocking_portal()
                self._portal = self._portal_context.__enter__()
                self._pid = os.getpid()
            if self._hub is None:
                self._hub, self._redis = self._portal.call(self._start)
            portal, hub, redis = self._portal, self._hub, self._redis
        assert redis is not None  # noqa: S101 - set together with the hub

        async def call() -> T:
            return await use(hub, redis)

        return portal.call(call)

    async def _start(self) -> tuple[Hub, Redis]:
        hub = Hub(self._settings)
        await hub.start()
        return hub, Redis.from_url(self._settings.redis_url or "")

    def _after_fork(self) -> None:
        """Start afresh in a forked child, keeping what the parent built out of reach.

        The parent's objects stay referenced, never finalized: the portal's context would
        stop its loop through the loop thread, which a fork does not copy, and wait forever.
        The lock is new too, as the parent may have held it while forking.
        """
        self._inherited.append((self._portal_context, self._portal, self._hub, self._redis))
        self._lock = threading.Lock()
        self._pid = None
        self._reset()

    def _reset(self) -> None:
        self._portal_context = self._portal = None
        self._hub = self._redis = None

    def close(self) -> None:
        """Close the Hub, the Redis client and the loop thread (at process shutdown)."""
        if self._pid is not None and self._pid != os.getpid():
            self._after_fork()
        with self._lock:
            if self._portal is None:
                return
            portal, hub, redis = self._portal, self._hub, self._redis
            try:
                if hub is not None:
                    portal.call(hub.close)
                if redis is not None:
                    portal.call(redis.aclose)
            finally:
                assert self._portal_context is not None  # noqa: S101 - set with the portal
                self._portal_context.__exit__(None, None, None)
                self._pid = None
                self._reset()


_WORKER_HUBS: weakref.WeakSet[WorkerHub] = weakref.WeakSet()
"""Every app's WorkerHub (an app's tasks keep it alive), to close at process shutdown."""


@signals.worker_process_shutdown.connect  # a prefork pool's child
@signals.worker_shutdown.connect  # the solo and threads pools
def _close_worker_hubs(**_: object) -> None:
    for worker_hub in list(_WORKER_HUBS):
        worker_hub.close()


def _register(app: Celery, worker_hub: WorkerHub, settings: Settings) -> None:
    def locks(redis: Redis) -> RedisLocks:
        return RedisLocks(redis, settings.redis_namespace, settings.sync_lock_seconds)

    @app.task(name=TASK_PREFIX + "sync_portfolio", bind=True, max_retries=MAX_RETRIES)
    def sync_portfolio(self: Task[Any, Any], connection_id: str) -> str:
        """Sync one connection; retried when it is locked or the broker is unavailable."""
        try:
            outcome = worker_hub.run(
                lambda hub, redis: tasks.sync_portfolio(hub, locks(redis), connection_id)
            )
        except UnavailableError as exc:
            raise self.retry(exc=exc, countdown=backoff(self.request.retries)) from exc
        if outcome is tasks.SyncOutcome.LOCKED:
            raise self.retry(countdown=LOCKED_RETRY_SECONDS)
        return outcome.value

    @app.task(name=TASK_PREFIX + "sync_all")
    def sync_all() -> int:
        """Queue a sync of every active connection; return how many were queued."""
        ids = worker_hub.run(lambda hub, redis: tasks.active_connection_ids(hub))
        for connection_id in ids:
            sync_portfolio.delay(connection_id)
        return len(ids)

    @app.task(name=TASK_PREFIX + "track_orders_of")
    def track_orders_of(connection_id: str) -> int:
        """Bring one connection's working orders up to date; return how many changed.

        Not retried: the next scheduled run asks again. A run that finds the connection
        locked by another worker does nothing.
        """
        changed = worker_hub.run(
            lambda hub, redis: tasks.track_orders(hub, locks(redis), connection_id)
        )
        return changed or 0

    @app.task(name=TASK_PREFIX + "track_orders")
    def track_orders() -> int:
        """Queue order tracking of every connection with working orders; return how many."""
        ids = worker_hub.run(lambda hub, redis: hub.order_tracker.connections_to_track())
        for connection_id in ids:
            track_orders_of.delay(connection_id)
        return len(ids)

    @app.task(name=TASK_PREFIX + "check_authorizations")
    def check_authorizations() -> int:
        """Warn about expiring authorizations; return how many connections were warned."""
        return worker_hub.run(lambda hub, redis: tasks.check_authorizations(hub)).warned

    @app.task(name=TASK_PREFIX + "execute_ai_trades")
    def execute_ai_trades() -> int:
        """Execute eligible AI decisions (placing nothing until autotrade exists)."""
        return worker_hub.run(lambda hub, redis: tasks.execute_ai_trades(hub))

    @app.task(name=TASK_PREFIX + "deliver_webhooks")
    def deliver_webhooks() -> int:
        """Send due webhook deliveries; return how many attempts were made."""
        return worker_hub.run(lambda hub, redis: tasks.deliver_webhooks(hub)).attempted

    @app.task(name=TASK_PREFIX + "cleanup")
    def cleanup() -> int:
        """Purge old events and close interrupted syncs; return how many rows changed."""
        report = worker_hub.run(lambda hub, redis: tasks.cleanup(hub))
        return report.events_purged + report.stale_syncs_failed


def ping_workers(settings: Settings, timeout: float) -> int:
    """Return how many Celery workers answer a ping within ``timeout`` seconds (blocking)."""
    app = create_celery(settings)
    try:
        return len(app.control.ping(timeout=timeout) or [])
    finally:
        app.close()
