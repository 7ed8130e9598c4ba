"""Deliver due webhooks: sign, POST, and record the outcome with exponential backoff.

An attempt succeeds on a 2xx answer within ``Settings.webhook_timeout_seconds``; anything
else (3xx included, redirects are never followed) is a failure. After a failure the delivery
waits ``Settings.webhook_retry_schedule_seconds[n]`` before try ``n + 2`` (by default 5 s,
5 min, 30 min, 2 h, 5 h, 10 h, 10 h: about 27.6 hours); when the schedule is used up the
delivery is FAILED and its endpoint FAILING until a later delivery to it succeeds.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiohttp
import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from brokerhub.auth.vault import Vault
from brokerhub.config import Settings
from brokerhub.core.clock import utcnow
from brokerhub.events.signing import signed_headers
from brokerhub.events.ssrf import UrlGuard, WebhookUrlRefused
from brokerhub.metrics import WEBHOOK_ATTEMPTS
from brokerhub.store.enums import DeliveryStatus, WebhookStatus
from brokerhub.store.repos import webhooks as webhook_repo
from brokerhub.store.repos.webhooks import DueDelivery

log = structlog.get_logger(__name__)

BATCH_SIZE = 50
CONCURRENCY = 10
LEASE_MARGIN = timedelta(seconds=30)
MAX_ERROR_LENGTH = 500


@dataclass(frozen=True)
class DeliveryReport:
    """What one :meth:`WebhookDeliverer.deliver_due` pass did."""

    succeeded: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def attempted(self) -> int:
        """Return how many attempts were made."""
        return self.succeeded + self.retrying + self.failed


@dataclass(frozen=True)
class _Outcome:
    status_code: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class WebhookDeliverer:
    """Send the deliveries that are due, at most ``CONCURRENCY`` at a time."""

    def __init__(
        self, *, sessions: async_sessionmaker[AsyncSession], vault: Vault, settings: Settings
    ) -> None:
        self._sessions = sessions
        self._vault = vault
        self._settings = settings
        self._guard = UrlGuard(settings.webhook_allowed_networks)

    async def deliver_due(self) -> DeliveryReport:
        """Claim and send every due delivery, batch by batch; return the tally."""
        totals = DeliveryReport()
        timeout = aiohttp.ClientTimeout(total=self._settings.webhook_timeout_seconds)
        connector = aiohttp.TCPConnector(resolver=self._guard.resolver(), limit=CONCURRENCY)
        async with aiohttp.ClientSession(timeout=timeout, connector=connector) as client:
            while True:
                now = utcnow()
                lease = now + timedelta(seconds=self._settings.webhook_timeout_seconds)
                async with self._sessions.begin() as session:
                    due = await webhook_repo.claim_due(
                        session, now=now, lease_until=lease + LEASE_MARGIN, limit=BATCH_SIZE
                    )
                if not due:
                    return totals
                outcomes = await asyncio.gather(*(self._attempt(client, item) for item in due))
                report = await self._record(list(zip(due, outcomes, strict=True)))
                totals = DeliveryReport(
                    succeeded=totals.succeeded + report.succeeded,
                    retrying=totals.retrying + report.retrying,
                    failed=totals.failed + report.failed,
                )

    async def _attempt(self, client: aiohttp.ClientSession, item: DueDelivery) -> _Outcome:
        secret = str(self._vault.decrypt(item.secret_encrypted)["secret"])
        try:
            await self._guard.check(item.url)
            headers = signed_headers(
                secret=secret, message_id=item.event_id, body=item.body, at=utcnow()
            )
            async with client.post(
                item.url, data=item.body.encode(), headers=headers, allow_redirects=False
            ) as response:
                return _Outcome(response.status, None if response.ok else response.reason)
        except WebhookUrlRefused as exc:
            return _Outcome(None, exc.message)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            return _Outcome(None, f"{type(exc).__name__}: {exc}"[:MAX_ERROR_LENGTH])

    async def _record(self, results: list[tuple[DueDelivery, _Outcome]]) -> DeliveryReport:
        schedule = self._settings.webhook_retry_schedule_seconds
        succeeded = retrying = failed = 0
        now = utcnow()
        async with self._sessions.begin() as session:
            for item, outcome in results:
                attempt = item.attempts + 1
                status, retry_at = DeliveryStatus.SUCCEEDED, None
                if outcome.ok:
                    succeeded += 1
                    await self._set_endpoint(session, item, WebhookStatus.ACTIVE, None)
                elif attempt <= len(schedule):
                    retrying += 1
                    status = DeliveryStatus.PENDING
                    retry_at = now + timedelta(seconds=schedule[attempt - 1])
                else:
                    failed += 1
                    status = DeliveryStatus.FAILED
                    await self._set_endpoint(session, item, WebhookStatus.FAILING, now)
                WEBHOOK_ATTEMPTS.labels(outcome=_outcome_label(status)).inc()
                await webhook_repo.record_attempt(
                    session,
                    delivery_id=item.delivery_id,
                    at=now,
                    status=status,
                    next_attempt_at=retry_at,
                    response_status=outcome.status_code,
                    error=outcome.error,
                )
                log.info(
                    "webhook_attempt",
                    delivery_id=item.delivery_id,
                    event_id=item.event_id,
                    attempt=attempt,
                    status=status.value,
                    response_status=outcome.status_code,
                )
        return DeliveryReport(succeeded=succeeded, retrying=retrying, failed=failed)

    @staticmethod
    async def _set_endpoint(
        session: AsyncSession, item: DueDelivery, status: WebhookStatus, since: datetime | None
    ) -> None:
        await webhook_repo.update_webhook(
            session, webhook_id=item.webhook_id, status=status, failing_since=since
        )


def _outcome_label(status: DeliveryStatus) -> str:
    return {
        DeliveryStatus.SUCCEEDED: "succeeded",
        DeliveryStatus.PENDING: "retrying",
        DeliveryStatus.FAILED: "failed",
    }[status]
