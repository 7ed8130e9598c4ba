"""States stored by the hub itself (broker-side states live in :mod:`brokerhub.core`)."""

from __future__ import annotations

from enum import StrEnum


class ConnectionStatus(StrEnum):
    """Where a brokerage connection is, as the seed's BrokerageAccount.status names it.

    PENDING: created, authorisation not finished. CONNECTED: usable, last sync fine.
    DISCONNECTED: the broker session ended (tokens expired or revoked); reconnect to use.
    ERROR: the last sync or call failed; see ``last_error`` and ``error_count``.
    """

    PENDING = "pending"
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"
    ERROR = "error"


class Environment(StrEnum):
    """Which of the broker's worlds a connection trades in; only PRODUCTION is real money."""

    PAPER = "paper"
    SANDBOX = "sandbox"
    PRODUCTION = "production"


class SyncStatus(StrEnum):
    """The outcome of one sync run: RUNNING until it finishes or fails."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class WebhookStatus(StrEnum):
    """Whether a webhook endpoint is receiving: FAILING once a delivery used every retry.

    A later successful delivery makes it ACTIVE again.
    """

    ACTIVE = "active"
    FAILING = "failing"


class DeliveryStatus(StrEnum):
    """Where one event's delivery to one endpoint is: PENDING until a 2xx or the last retry."""

    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
