"""Webhook configs per account: create (secret shown once), list, change, delete, deliveries.

Every method checks the owner: another user's webhook is "not found". URLs pass the SSRF
guard when saved (and again on every delivery).
"""

from __future__ import annotations

import builtins
import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from brokerhub.auth.vault import Vault
from brokerhub.config import Settings
from brokerhub.connections.service import ConnectionService
from brokerhub.core.clock import utcnow
from brokerhub.errors import NotFound
from brokerhub.events.signing import new_secret
from brokerhub.events.ssrf import UrlGuard
from brokerhub.store.models import WebhookDeliveryRow, WebhookRow
from brokerhub.store.repos import webhooks as webhook_repo

WEBHOOK_NOT_FOUND = "Webhook not found"
DELIVERY_NOT_FOUND = "Delivery not found"


@dataclass(frozen=True)
class CreatedWebhook:
    """A new webhook and its signing secret, which is never shown again."""

    webhook: WebhookRow
    signing_secret: str


@dataclass(frozen=True)
class DeliveryRecord:
    """One delivery of an event to a webhook."""

    delivery: WebhookDeliveryRow
    event_type: str


class WebhookService:
    """The use cases around webhook configs and their delivery log."""

    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        connections: ConnectionService,
        vault: Vault,
        settings: Settings,
    ) -> None:
        self._sessions = sessions
        self._connections = connections
        self._vault = vault
        self._guard = UrlGuard(settings.webhook_allowed_networks)

    async def create(
        self, *, user_id: int, account_id: str, webhook_url: str, is_active: bool = True
    ) -> CreatedWebhook:
        """Register ``webhook_url`` for the events of one of the user's accounts.

        Raises:
            NotFound: the account is not the user's.
            WebhookUrlRefused: the URL is not http(s) or reaches a refused address.
        """
        connection = await self._connections.get(user_id=user_id, connection_id=account_id)
        await self._guard.check(webhook_url)
        secret = new_secret()
        async with self._sessions.begin() as session:
            row = await webhook_repo.create(
                session,
                user_id=user_id,
                connection_id=connection.id,
                url=webhook_url,
                is_active=is_active,
                secret_encrypted=self._vault.encrypt({"secret": secret}),
            )
        return CreatedWebhook(webhook=row, signing_secret=secret)

    async def list(self, *, user_id: int) -> list[WebhookRow]:
        """Return the user's webhooks."""
        async with self._sessions() as session:
            return await webhook_repo.list_for_user(session, user_id=user_id)

    async def get(self, *, user_id: int, webhook_id: str | uuid.UUID) -> WebhookRow:
        """Return one of the user's webhooks."""
        parsed = _parse_id(webhook_id)
        async with self._sessions() as session:
            row = await webhook_repo.get_for_user(session, webhook_id=parsed, user_id=user_id)
        if row is None:
            raise NotFound(WEBHOOK_NOT_FOUND)
        return row

    async def update(
        self,
        *,
        user_id: int,
        webhook_id: str,
        webhook_url: str | None = None,
        is_active: bool | None = None,
    ) -> WebhookRow:
        """Change the URL and/or the active flag of one of the user's webhooks."""
        row = await self.get(user_id=user_id, webhook_id=webhook_id)
        values: dict[str, object] = {}
        if webhook_url is not None:
            await self._guard.check(webhook_url)
            values["url"] = webhook_url
        if is_active is not None:
            values["is_active"] = is_active
        if not values:
            return row
        async with self._sessions.begin() as session:
            updated = await webhook_repo.update_webhook(session, webhook_id=row.id, **values)
        if updated is None:
            raise NotFound(WEBHOOK_NOT_FOUND)
        return updated

    async def delete(self, *, user_id: int, webhook_id: str) -> WebhookRow:
        """Delete one of the user's webhooks with its delivery log."""
        row = await self.get(user_id=user_id, webhook_id=webhook_id)
        async with self._sessions.begin() as session:
            await webhook_repo.delete_webhook(session, webhook_id=row.id)
        return row

    async def deliveries(
        self, *, user_id: int, webhook_id: str, limit: int = 50, offset: int = 0
    ) -> builtins.list[DeliveryRecord]:
        """Return the webhook's deliveries, newest first."""
        row = await self.get(user_id=user_id, webhook_id=webhook_id)
        async with self._sessions() as session:
            found = await webhook_repo.list_deliveries(
                session, webhook_id=row.id, limit=limit, offset=offset
            )
        return [DeliveryRecord(delivery=d, event_type=event_type) for d, event_type in found]

    async def redeliver(self, *, user_id: int, webhook_id: str, delivery_id: int) -> None:
        """Queue a delivery of the webhook again, now, with a fresh retry budget."""
        row = await self.get(user_id=user_id, webhook_id=webhook_id)
        async with self._sessions.begin() as session:
            found = await webhook_repo.reschedule(
                session, webhook_id=row.id, delivery_id=delivery_id, at=utcnow()
            )
        if found is None:
            raise NotFound(DELIVERY_NOT_FOUND)


def _parse_id(webhook_id: str | uuid.UUID) -> uuid.UUID:
    if isinstance(webhook_id, uuid.UUID):
        return webhook_id
    try:
        return uuid.UUID(webhook_id)
    except ValueError:
        raise NotFound(WEBHOOK_NOT_FOUND) from None
