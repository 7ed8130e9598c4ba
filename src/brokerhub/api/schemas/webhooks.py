"""Webhook configs and their delivery log (the seed's Webhook Configuration, extended)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from brokerhub.api.schemas.common import Body, Envelope

URL_MAX_LENGTH = 2048


class WebhookCreate(Body):
    """The seed's webhook configuration."""

    account_id: str = Field(description="The account (connection id) whose events are sent")
    webhook_url: str = Field(max_length=URL_MAX_LENGTH, description="http(s) URL to POST to")
    is_active: bool = True


class WebhookUpdate(Body):
    """Fields to change; omitted ones stay as they are."""

    webhook_url: str | None = Field(default=None, max_length=URL_MAX_LENGTH)
    is_active: bool | None = None


class WebhookPublic(BaseModel):
    """A webhook as its owner sees it; the signing secret is never shown again."""

    id: str
    account_id: str
    webhook_url: str
    is_active: bool
    status: str = Field(description="active, or failing once a delivery used every retry")
    failing_since: datetime | None
    created_at: datetime
    updated_at: datetime


class WebhookResponse(Envelope):
    """One webhook."""

    webhook: WebhookPublic


class WebhookCreatedResponse(WebhookResponse):
    """A new webhook with its signing secret, shown only in this response."""

    signing_secret: str = Field(
        description="Standard Webhooks secret (whsec_...) to verify webhook-signature with"
    )


class WebhooksResponse(Envelope):
    """The user's webhooks."""

    webhooks: list[WebhookPublic]


class DeliveryPublic(BaseModel):
    """One delivery of an event to a webhook."""

    id: int
    event_id: str
    event_type: str
    status: str = Field(description="pending, succeeded or failed")
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    response_status: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None


class DeliveriesResponse(Envelope):
    """A webhook's delivery log, newest first."""

    deliveries: list[DeliveryPublic]
