"""Events: what changed in a user's account, in the seed's webhook payload shape.

The payload is the seed's ``{"event_type", "account_id", "brokerage_name", "data",
"timestamp"}`` plus ``event_id``, stable across retries so receivers can drop duplicates.
``account_id`` is the hub's connection id (the id in the REST paths). Money in ``data`` stays
Decimal and is written as exact JSON numbers.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import simplejson

from brokerhub.core.clock import ensure_utc, utcnow


class EventType(StrEnum):
    """Every event the hub publishes.

    The first three are the seed's webhook events; ``order_update`` follows an order's status;
    the ``connection_*`` events come from connection health: ``connection_broken`` when a
    connection starts failing, ``connection_repaired`` when it works again, and
    ``connection_expiring`` days before a session or refresh token dies.
    """

    PORTFOLIO_UPDATE = "portfolio_update"
    TRANSACTION = "transaction"
    BALANCE_CHANGE = "balance_change"
    ORDER_UPDATE = "order_update"
    CONNECTION_BROKEN = "connection_broken"
    CONNECTION_REPAIRED = "connection_repaired"
    CONNECTION_EXPIRING = "connection_expiring"


def new_event_id() -> str:
    """Return a fresh event id (``evt_`` and 32 hex digits)."""
    return "evt_" + uuid.uuid4().hex


@dataclass(frozen=True)
class Event:
    """One event of one user's account.

    Attributes:
        event_type: what happened.
        user_id: the owner; events are only ever shown to this user.
        account_id: the hub's connection id.
        brokerage_name: the connection's brokerage.
        data: event-specific fields (Decimals for money, aware datetimes).
        event_id: stable id, the ``webhook-id`` of every delivery attempt.
        timestamp: when the hub saw the change (UTC).
    """

    event_type: EventType
    user_id: int
    account_id: str
    brokerage_name: str
    data: Mapping[str, Any]
    event_id: str = field(default_factory=new_event_id)
    timestamp: datetime = field(default_factory=utcnow)

    def payload(self) -> dict[str, Any]:
        """Return the seed's webhook payload with ``event_id``."""
        return {
            "event_id": self.event_id,
            "event_type": self.event_type.value,
            "account_id": self.account_id,
            "brokerage_name": self.brokerage_name,
            "data": dict(self.data),
            "timestamp": self.timestamp,
        }

    def to_json(self) -> str:
        """Return the payload as JSON text with exact numbers (the signed webhook body)."""
        return dumps(self.payload())

    def to_message(self) -> str:
        """Return the event with its owner as JSON, for the bus between processes."""
        return dumps({"user_id": self.user_id, "payload": self.payload()})

    @classmethod
    def from_message(cls, message: str | bytes) -> Event:
        """Return the event written by :meth:`to_message`."""
        parsed = simplejson.loads(message, use_decimal=True)
        payload = parsed["payload"]
        return cls(
            event_type=EventType(payload["event_type"]),
            user_id=int(parsed["user_id"]),
            account_id=payload["account_id"],
            brokerage_name=payload["brokerage_name"],
            data=payload["data"],
            event_id=payload["event_id"],
            timestamp=datetime.fromisoformat(payload["timestamp"]),
        )


def dumps(value: Any) -> str:
    """Return ``value`` as compact JSON: Decimals exact, datetimes ISO UTC with ``Z``."""
    return simplejson.dumps(
        value, use_decimal=True, default=_default, separators=(",", ":"), ensure_ascii=False
    )


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return ensure_utc(value).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
