"""Webhook configs: create (secret shown once), list, read, change, delete, deliveries."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from brokerhub.api.deps import CurrentUser, HubDep
from brokerhub.api.responses import EnvelopeResponse
from brokerhub.api.routing import SlashOptionalRouter
from brokerhub.api.schemas.common import MessageResponse
from brokerhub.api.schemas.webhooks import (
    DeliveriesResponse,
    DeliveryPublic,
    WebhookCreate,
    WebhookCreatedResponse,
    WebhookPublic,
    WebhookResponse,
    WebhooksResponse,
    WebhookUpdate,
)
from brokerhub.events.webhooks import DeliveryRecord
from brokerhub.store.models import WebhookRow

router = SlashOptionalRouter(prefix="/brokerage_integrations/webhooks", tags=["webhooks"])


def webhook_public(row: WebhookRow) -> WebhookPublic:
    """Return the public view of a webhook row (never its secret)."""
    return WebhookPublic(
        id=str(row.id),
        account_id=str(row.connection_id),
        webhook_url=row.url,
        is_active=row.is_active,
        status=row.status.value,
        failing_since=row.failing_since,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def delivery_public(record: DeliveryRecord) -> DeliveryPublic:
    """Return the public view of one delivery."""
    row = record.delivery
    return DeliveryPublic(
        id=row.id,
        event_id=row.event_id,
        event_type=record.event_type,
        status=row.status.value,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_attempt_at=row.last_attempt_at,
        response_status=row.response_status,
        last_error=row.last_error,
        created_at=row.created_at,
        delivered_at=row.delivered_at,
    )


@router.post("/", response_model=WebhookCreatedResponse, status_code=201)
async def create_webhook(body: WebhookCreate, user: CurrentUser, hub: HubDep) -> EnvelopeResponse:
    """Register a URL for an account's events; the signing secret is in this answer only."""
    created = await hub.webhooks.create(
        user_id=user.id,
        account_id=body.account_id,
        webhook_url=body.webhook_url,
        is_active=body.is_active,
    )
    return EnvelopeResponse(
        WebhookCreatedResponse(
            webhook=webhook_public(created.webhook), signing_secret=created.signing_secret
        ),
        status_code=201,
        headers={"Cache-Control": "no-store"},
    )


@router.get("/", response_model=WebhooksResponse)
async def list_webhooks(user: CurrentUser, hub: HubDep) -> EnvelopeResponse:
    """Return the user's webhooks."""
    rows = await hub.webhooks.list(user_id=user.id)
    return EnvelopeResponse(WebhooksResponse(webhooks=[webhook_public(row) for row in rows]))


@router.get("/{webhook_id}/", response_model=WebhookResponse)
async def get_webhook(webhook_id: str, user: CurrentUser, hub: HubDep) -> EnvelopeResponse:
    """Return one webhook."""
    row = await hub.webhooks.get(user_id=user.id, webhook_id=webhook_id)
    return EnvelopeResponse(WebhookResponse(webhook=webhook_public(row)))


@router.patch("/{webhook_id}/", response_model=WebhookResponse)
async def update_webhook(
    webhook_id: str, body: WebhookUpdate, user: CurrentUser, hub: HubDep
) -> EnvelopeResponse:
    """Change the URL or switch the webhook on or off."""
    row = await hub.webhooks.update(
        user_id=user.id,
        webhook_id=webhook_id,
        webhook_url=body.webhook_url,
        is_active=body.is_active,
    )
    return EnvelopeResponse(WebhookResponse(webhook=webhook_public(row)))


@router.delete("/{webhook_id}/", response_model=MessageResponse)
async def delete_webhook(webhook_id: str, user: CurrentUser, hub: HubDep) -> EnvelopeResponse:
    """Delete a webhook and its delivery log."""
    await hub.webhooks.delete(user_id=user.id, webhook_id=webhook_id)
    return EnvelopeResponse(MessageResponse(message="Webhook deleted"))


@router.get("/{webhook_id}/deliveries/", response_model=DeliveriesResponse)
async def list_deliveries(
    webhook_id: str,
    user: CurrentUser,
    hub: HubDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> EnvelopeResponse:
    """Return the webhook's deliveries, newest first."""
    found = await hub.webhooks.deliveries(
        user_id=user.id, webhook_id=webhook_id, limit=limit, offset=offset
    )
    return EnvelopeResponse(DeliveriesResponse(deliveries=[delivery_public(r) for r in found]))


@router.post("/{webhook_id}/deliveries/{delivery_id}/redeliver/", response_model=MessageResponse)
async def redeliver(
    webhook_id: str, delivery_id: int, user: CurrentUser, hub: HubDep
) -> EnvelopeResponse:
    """Send a delivery again now, with a fresh retry budget."""
    await hub.webhooks.redeliver(user_id=user.id, webhook_id=webhook_id, delivery_id=delivery_id)
    return EnvelopeResponse(MessageResponse(message="Delivery queued"))
