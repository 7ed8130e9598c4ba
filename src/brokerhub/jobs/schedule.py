"""The schedule: which job runs how often, shared by Celery beat and the embedded scheduler."""

from __future__ import annotations

from dataclasses import dataclass

from brokerhub.config import Settings

SYNC_ALL = "sync_all"
EXECUTE_AI_TRADES = "execute_ai_trades"
DELIVER_WEBHOOKS = "deliver_webhooks"
CLEANUP = "cleanup"
TRACK_ORDERS = "track_orders"
CHECK_AUTHORIZATIONS = "check_authorizations"


@dataclass(frozen=True)
class ScheduledJob:
    """A job name and its period in seconds."""

    name: str
    every: float


def schedule(settings: Settings) -> list[ScheduledJob]:
    """Return the periodic jobs, each period configurable: sync every 15 min and AI trades
    every 30 min (the seeds'), webhook delivery and working-order tracking every 5 s,
    authorization expiry checks every 15 min, cleanup hourly."""
    return [
        ScheduledJob(SYNC_ALL, settings.sync_interval_seconds),
        ScheduledJob(EXECUTE_AI_TRADES, settings.ai_trades_interval_seconds),
        ScheduledJob(DELIVER_WEBHOOKS, settings.webhook_delivery_interval_seconds),
        ScheduledJob(TRACK_ORDERS, settings.order_tracking_interval_seconds),
        ScheduledJob(CHECK_AUTHORIZATIONS, settings.authorization_check_interval_seconds),
        ScheduledJob(CLEANUP, settings.cleanup_interval_seconds),
    ]
