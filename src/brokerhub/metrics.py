"""Prometheus metrics of the hub, served at ``/metrics``: the seed's key metrics.

Counters and histograms here count what this process did. Figures that must be the same
whichever process answers (data freshness, sync success rate, webhook outcomes, broker
authentication failures) are read from the database at scrape time into the gauges below by
:mod:`brokerhub.api.routes.metrics`.
"""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
)

REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)

SYNC_RUNS = Counter(
    "brokerhub_sync_runs",
    "Syncs run by this process, by brokerage and outcome (succeeded, failed)",
    ["brokerage", "outcome"],
    registry=REGISTRY,
)
BROKER_REQUEST_SECONDS = Histogram(
    "brokerhub_broker_request_seconds",
    "Time the brokerage took to answer, by brokerage and operation",
    ["brokerage", "operation"],
    registry=REGISTRY,
)
API_AUTH_FAILURES = Counter(
    "brokerhub_api_authentication_failures",
    "Requests refused for a missing, unknown or revoked API key",
    registry=REGISTRY,
)
HTTP_REQUESTS = Counter(
    "brokerhub_http_requests",
    "REST requests answered, by method, route template and status class",
    ["method", "route", "status"],
    registry=REGISTRY,
)
HTTP_REQUEST_SECONDS = Histogram(
    "brokerhub_http_request_seconds",
    "Time to answer a REST request, by route template",
    ["route"],
    registry=REGISTRY,
)
EVENTS_PUBLISHED = Counter(
    "brokerhub_events_published",
    "Events published, by event type",
    ["event_type"],
    registry=REGISTRY,
)
WEBHOOK_ATTEMPTS = Counter(
    "brokerhub_webhook_attempts",
    "Webhook delivery attempts, by outcome (succeeded, retrying, failed)",
    ["outcome"],
    registry=REGISTRY,
)
WS_CLIENTS = Gauge("brokerhub_ws_clients", "Open WebSocket clients", registry=REGISTRY)
WS_UPSTREAMS = Gauge(
    "brokerhub_ws_upstream_subscriptions",
    "Upstream quote subscriptions, one per brokerage and symbol with subscribers",
    registry=REGISTRY,
)
WS_UPSTREAMS_STARTED = Counter(
    "brokerhub_ws_upstream_subscriptions_started",
    "Upstream quote subscriptions opened since start",
    registry=REGISTRY,
)

DATA_FRESHNESS = Gauge(
    "brokerhub_data_freshness_seconds",
    "Seconds since the last successful sync, per account",
    ["account_id", "brokerage"],
    registry=REGISTRY,
)
ACCOUNT_ERRORS = Gauge(
    "brokerhub_account_consecutive_errors",
    "Consecutive failed syncs or calls, per account",
    ["account_id", "brokerage"],
    registry=REGISTRY,
)
SYNC_SUCCESS_RATE = Gauge(
    "brokerhub_sync_success_rate",
    "Share of finished syncs in the last 24 hours that succeeded (all processes)",
    registry=REGISTRY,
)
SYNC_RUNS_RECENT = Gauge(
    "brokerhub_sync_runs_recent",
    "Syncs started in the last 24 hours, by status (all processes)",
    ["status"],
    registry=REGISTRY,
)
BROKER_AUTH_FAILURES_RECENT = Gauge(
    "brokerhub_broker_authentication_failures_recent",
    "Failed brokerage logins in the last hour, by brokerage (all processes)",
    ["brokerage"],
    registry=REGISTRY,
)
WEBHOOK_DELIVERIES = Gauge(
    "brokerhub_webhook_deliveries",
    "Webhook deliveries by status (pending, succeeded, failed; all processes)",
    ["status"],
    registry=REGISTRY,
)
