"""Liveness and readiness."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import anyio
from redis.asyncio import Redis

from brokerhub import __version__
from brokerhub.api.deps import HubDep
from brokerhub.api.responses import EnvelopeResponse
from brokerhub.api.routing import SlashOptionalRouter
from brokerhub.config import Settings
from brokerhub.jobs.celery_app import ping_workers

router = SlashOptionalRouter(tags=["health"])


@router.get("/health/", summary="Health: the server answers and the database is reachable")
async def health(hub: HubDep) -> EnvelopeResponse:
    """Return ok with the version when the database answers."""
    await hub.ping_database()
    return EnvelopeResponse({"success": True, "status": "ok", "version": __version__})


WORKER_PING_SECONDS = 1.0


async def _check(probe: Callable[[], Awaitable[object]]) -> str:
    try:
        await probe()
    except Exception as exc:  # any failure means "not ready"; the reason is reported
        return f"failed: {type(exc).__name__}"
    return "ok"


async def _ping_redis(url: str) -> None:
    client: Redis = Redis.from_url(url, socket_connect_timeout=WORKER_PING_SECONDS)
    try:
        await client.ping()
    finally:
        await client.aclose()


async def _ping_workers(settings: Settings) -> None:
    answered = await anyio.to_thread.run_sync(ping_workers, settings, WORKER_PING_SECONDS)
    if not answered:
        raise LookupError("no Celery worker answered")


@router.get("/ready/", summary="Readiness: database, Redis and workers reachable")
async def ready(hub: HubDep) -> EnvelopeResponse:
    """Return 200 when every dependency answers, else 503 naming what failed.

    Without Redis the schedule runs in this process, so workers are ``embedded``.
    """
    settings = hub.settings
    checks = {"database": await _check(hub.ping_database)}
    if settings.redis_url:
        url = settings.redis_url
        checks["redis"] = await _check(lambda: _ping_redis(url))
        checks["workers"] = await _check(lambda: _ping_workers(settings))
    else:
        checks.update(redis="not configured", workers="embedded")
    failed = [name for name, state in checks.items() if state.startswith("failed")]
    if failed:
        return EnvelopeResponse(
            {"success": False, "error": f"Not ready: {', '.join(failed)}", "checks": checks},
            status_code=503,
        )
    return EnvelopeResponse({"success": True, "status": "ready", "checks": checks})
