"""The schedule: which job runs how often, shared by Celery beat and the embedded scheduler."""

from __future__ import annotations

from dataclasses import dataclass

from brokerhub.config import Settings

SYNC_ALL = "sync_all"
EXECUTE_AI_TRADES = "execute_ai_trades"
DELIVER_WEBHOOKS = "deliver_webhooks"
CLEANUP = "cleanup"


@dataclass(frozen=True)
class ScheduledJob:
    """A job name and its period in seconds."""

    name: str
    every: float


def schedule(settings: Settings) -> list[ScheduledJob]:
    """Return the periodic jobs: sync every 15 min, AI trades every 30 min (the seeds'),
    webhook delivery every 5 s and cleanup hourly, each configurable."""
    return [
        ScheduledJob(SYNC_ALL, settings.sync_interval_seconds),
        ScheduledJob(EXECUTE_AI_TRADES, settings.ai_trades_interval_seconds),
        ScheduledJob(DELIVER_WEBHOOKS, settings.webhook_delivery_interval_seconds),
        ScheduledJob(CLEANUP, settings.cleanup_interval_seconds),
    ]
