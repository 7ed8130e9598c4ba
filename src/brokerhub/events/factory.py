"""Build the events of a sync, an order change or a connection's health from core models."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from brokerhub.core.orders import Order
from brokerhub.core.portfolio import Balance, Position, Transaction
from brokerhub.events.models import Event, EventType
from brokerhub.store.models.connections import ConnectionRow
from brokerhub.store.repos.positions import SnapshotCounts

POSITION_FIELDS = (
    "symbol",
    "quantity",
    "average_price",
    "current_price",
    "market_value",
    "unrealized_pnl",
    "unrealized_pnl_percent",
)


def _event(row: ConnectionRow, event_type: EventType, data: dict[str, Any]) -> Event:
    return Event(
        event_type=event_type,
        user_id=row.user_id,
        account_id=str(row.id),
        brokerage_name=row.brokerage_name,
        data=data,
    )


def portfolio_update(
    row: ConnectionRow, positions: Sequence[Position], counts: SnapshotCounts
) -> Event:
    """Return the event of a changed position snapshot: the holdings and what changed."""
    held = [{name: getattr(position, name) for name in POSITION_FIELDS} for position in positions]
    return _event(
        row,
        EventType.PORTFOLIO_UPDATE,
        {
            "portfolio": held,
            "added": counts.added,
            "changed": counts.changed,
            "removed": counts.removed,
        },
    )


def transaction_event(row: ConnectionRow, transaction: Transaction) -> Event:
    """Return the event of one newly stored transaction."""
    return _event(
        row, EventType.TRANSACTION, transaction.model_dump(mode="python", exclude={"raw"})
    )


def balance_change(row: ConnectionRow, balance: Balance) -> Event | None:
    """Return the event of a balance that differs from the one stored on ``row``, or None."""
    before = (row.cash_balance, row.buying_power, row.total_value)
    after = (balance.cash, balance.buying_power, balance.total_value)
    if before == after:
        return None
    return _event(
        row,
        EventType.BALANCE_CHANGE,
        {
            "cash_balance": balance.cash,
            "buying_power": balance.buying_power,
            "total_value": balance.total_value,
            "previous": _previous(row),
            "as_of": balance.as_of,
        },
    )


def _previous(row: ConnectionRow) -> dict[str, Decimal | None] | None:
    if row.balance_as_of is None:
        return None
    return {
        "cash_balance": row.cash_balance,
        "buying_power": row.buying_power,
        "total_value": row.total_value,
    }


def order_update(row: ConnectionRow, order: Order) -> Event:
    """Return the event of an order the hub placed, changed or learned the status of."""
    return _event(row, EventType.ORDER_UPDATE, order.model_dump(mode="python", exclude={"raw"}))


def connection_broken(row: ConnectionRow, error: str, *, reauthorize: bool) -> Event:
    """Return the event of a connection that started failing."""
    return _event(
        row,
        EventType.CONNECTION_BROKEN,
        {"status": "error", "error": error, "reauthorization_required": reauthorize},
    )


def connection_repaired(row: ConnectionRow) -> Event:
    """Return the event of a failing connection that works again."""
    return _event(row, EventType.CONNECTION_REPAIRED, {"status": "connected"})


def connection_expiring(row: ConnectionRow, expires_at: datetime) -> Event:
    """Return the event of a session or refresh token that dies at ``expires_at``."""
    return _event(
        row,
        EventType.CONNECTION_EXPIRING,
        {"expires_at": expires_at, "reauthorization_required": True},
    )
