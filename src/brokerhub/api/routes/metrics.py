"""Prometheus metrics at ``/metrics`` (text format), and the middleware timing REST requests.

Figures every process must agree on are read from the database on each scrape: seconds since
each account's last successful sync, consecutive errors per account, the sync success rate
and runs by status over 24 hours, failed brokerage logins in the last hour, and webhook
deliveries by status. The endpoint needs no API key, like most scrape targets: keep it on a
private network.
"""

from __future__ import annotations

import time
from datetime import timedelta

from fastapi import FastAPI
from fastapi.routing import APIRouter
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from brokerhub.api.deps import HubDep
from brokerhub.connections.service import CONNECT_FAILED_ACTION
from brokerhub.core.clock import utcnow
from brokerhub.hub import Hub
from brokerhub.metrics import (
    ACCOUNT_ERRORS,
    BROKER_AUTH_FAILURES_RECENT,
    DATA_FRESHNESS,
    HTTP_REQUEST_SECONDS,
    HTTP_REQUESTS,
    REGISTRY,
    SYNC_RUNS_RECENT,
    SYNC_SUCCESS_RATE,
    WEBHOOK_DELIVERIES,
)
from brokerhub.store.enums import DeliveryStatus, SyncStatus
from brokerhub.store.repos import audit_log as audit_repo
from brokerhub.store.repos import connections as connection_repo
from brokerhub.store.repos import sync_runs as sync_run_repo
from brokerhub.store.repos import webhooks as webhook_repo

router = APIRouter(tags=["health"])

RATE_WINDOW = timedelta(hours=24)
AUTH_WINDOW = timedelta(hours=1)
AUTH_FAILURES_SCANNED = 10_000


async def refresh_database_gauges(hub: Hub) -> None:
    """Set the gauges that are read from the database."""
    now = utcnow()
    async with hub.sessions() as session:
        connections = await connection_repo.list_active(session)
        runs = await sync_run_repo.count_by_status(session, since=now - RATE_WINDOW)
        failures = await audit_repo.list_entries(
            session, action=CONNECT_FAILED_ACTION, limit=AUTH_FAILURES_SCANNED
        )
        deliveries = await webhook_repo.count_deliveries_by_status(session)
    DATA_FRESHNESS.clear()
    ACCOUNT_ERRORS.clear()
    for row in connections:
        labels = {"account_id": str(row.id), "brokerage": row.brokerage_name}
        ACCOUNT_ERRORS.labels(**labels).set(row.error_count)
        if row.last_sync is not None:
            DATA_FRESHNESS.labels(**labels).set((now - row.last_sync).total_seconds())
    for status in SyncStatus:
        SYNC_RUNS_RECENT.labels(status=status.value).set(runs.get(status, 0))
    finished = runs.get(SyncStatus.SUCCEEDED, 0) + runs.get(SyncStatus.FAILED, 0)
    SYNC_SUCCESS_RATE.set(runs.get(SyncStatus.SUCCEEDED, 0) / finished if finished else 1.0)
    BROKER_AUTH_FAILURES_RECENT.clear()
    by_brokerage: dict[str, int] = {}
    for entry in failures:
        if entry.at >= now - AUTH_WINDOW:
            name = str(entry.detail.get("brokerage_name", "unknown"))
            by_brokerage[name] = by_brokerage.get(name, 0) + 1
    for name, count in by_brokerage.items():
        BROKER_AUTH_FAILURES_RECENT.labels(brokerage=name).set(count)
    for delivery_status in DeliveryStatus:
        WEBHOOK_DELIVERIES.labels(status=delivery_status.value).set(
            deliveries.get(delivery_status, 0)
        )


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics(hub: HubDep) -> Response:
    """Return every metric in the Prometheus text format."""
    await refresh_database_gauges(hub)
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


class RequestMetrics:
    """ASGI middleware counting and timing every HTTP request by route template and status.

    Plain ASGI rather than ``@app.middleware("http")``: Starlette's ``BaseHTTPMiddleware``
    runs each request's app in an extra task and streams the response through memory
    streams, a cost on every request of the hot read path (G6).
    """

    def __init__(self, app: ASGIApp) -> None:
        self._app = app
        self._children: dict[tuple[str, str, int], tuple[Histogram, Counter]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # unless the app starts a response, an error escaped it

        async def send_and_note_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self._app(scope, receive, send_and_note_status)
        finally:
            # The router stored the matched route in the scope it shares with us.
            template = str(getattr(scope.get("route"), "path", "unmatched"))
            seconds, requests = self._series(scope["method"], template, status // 100)
            seconds.observe(time.perf_counter() - started)
            requests.inc()

    def _series(self, method: str, template: str, status_class: int) -> tuple[Histogram, Counter]:
        """Return the labelled histogram and counter of one kind of request.

        Kept here: ``labels()`` validates, locks and looks up on every call, a cost on every
        request of the hot read path (G6). There are as many as prometheus keeps children.
        """
        key = (method, template, status_class)
        series = self._children.get(key)
        if series is None:
            series = self._children[key] = (
                HTTP_REQUEST_SECONDS.labels(route=template),
                HTTP_REQUESTS.labels(method=method, route=template, status=f"{status_class}xx"),
            )
        return series


def install_request_metrics(app: FastAPI) -> None:
    """Count and time every HTTP request by method, route template and status class."""
    app.add_middleware(RequestMetrics)
