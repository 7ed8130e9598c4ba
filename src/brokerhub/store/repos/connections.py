"""Connections (the seed's BrokerageAccount): create, find per user, record sync outcomes.

Disconnecting deletes the connection row. The database cascades the delete to its positions,
transactions, orders and sync runs, and the encrypted credentials go with the row, so nothing
the broker gave us is left ("remove all associated data", as the seed says). The audit log keeps
its entries, which name the connection by id only. ``ConnectionStatus.DISCONNECTED`` is for a
connection that still exists but whose broker session ended (tokens expired or were revoked).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from brokerhub.core.clock import utcnow
from brokerhub.core.portfolio import Balance
from brokerhub.store.enums import ConnectionStatus, Environment
from brokerhub.store.models import ConnectionRow


async def create(
    session: AsyncSession,
    *,
    user_id: int,
    brokerage_name: str,
    environment: Environment,
    account_id: str | None = None,
    account_name: str | None = None,
    credentials_encrypted: bytes | None = None,
) -> ConnectionRow:
    """Store a new PENDING connection (live trading off) and return its row."""
    row = ConnectionRow(
        user_id=user_id,
        brokerage_name=brokerage_name,
        environment=environment,
        account_id=account_id,
        account_name=account_name,
        credentials_encrypted=credentials_encrypted,
        status=ConnectionStatus.PENDING,
        live_trading_enabled=False,
    )
    session.add(row)
    await session.flush()
    return row


async def get(session: AsyncSession, *, connection_id: uuid.UUID) -> ConnectionRow | None:
    """Return the connection whoever owns it (for jobs; requests use :func:`get_for_user`)."""
    return await session.get(ConnectionRow, connection_id)


async def get_for_user(
    session: AsyncSession, *, connection_id: uuid.UUID, user_id: int
) -> ConnectionRow | None:
    """Return the user's connection, or None when it does not exist or is another user's."""
    query = select(ConnectionRow).where(
        ConnectionRow.id == connection_id, ConnectionRow.user_id == user_id
    )
    return (await session.scalars(query)).one_or_none()


async def list_for_user(session: AsyncSession, *, user_id: int) -> list[ConnectionRow]:
    """Return the user's connections, oldest first."""
    query = (
        select(ConnectionRow)
        .where(ConnectionRow.user_id == user_id)
        .order_by(ConnectionRow.created_at, ConnectionRow.id)
    )
    return list(await session.scalars(query))


async def list_active(session: AsyncSession) -> list[ConnectionRow]:
    """Return every active connection of every user (what the scheduler syncs)."""
    query = (
        select(ConnectionRow)
        .where(ConnectionRow.is_active.is_(True))
        .order_by(ConnectionRow.created_at, ConnectionRow.id)
    )
    return list(await session.scalars(query))


async def mark_connected(
    session: AsyncSession,
    *,
    connection_id: uuid.UUID,
    account_id: str,
    account_name: str | None = None,
) -> ConnectionRow | None:
    """Record the broker's account once authorisation finished; status becomes CONNECTED."""
    return await _update(
        session,
        connection_id,
        account_id=account_id,
        account_name=account_name,
        status=ConnectionStatus.CONNECTED,
    )


async def set_credentials(
    session: AsyncSession, *, connection_id: uuid.UUID, credentials_encrypted: bytes | None
) -> ConnectionRow | None:
    """Replace the connection's encrypted credentials (None forgets them)."""
    return await _update(session, connection_id, credentials_encrypted=credentials_encrypted)


async def record_authorization(
    session: AsyncSession,
    *,
    connection_id: uuid.UUID,
    expires_at: datetime | None,
    issued_at: datetime,
) -> None:
    """Record when the connection's authorization dies; a new expiry is warned about anew.

    Storing the same expiry again (a renewal that does not extend it) changes nothing.
    """
    row = await session.get(ConnectionRow, connection_id)
    if row is None or row.authorization_expires_at == expires_at:
        return
    await _update(
        session,
        connection_id,
        authorization_expires_at=expires_at,
        authorization_issued_at=issued_at if expires_at is not None else None,
        expiry_notified_for=None,
    )


async def list_expiring(session: AsyncSession, *, before: datetime) -> list[ConnectionRow]:
    """Return active connections whose authorization dies before ``before``, not yet warned."""
    query = (
        select(ConnectionRow)
        .where(
            ConnectionRow.is_active.is_(True),
            ConnectionRow.authorization_expires_at <= before,
            or_(
                ConnectionRow.expiry_notified_for.is_(None),
                ConnectionRow.expiry_notified_for != ConnectionRow.authorization_expires_at,
            ),
        )
        .order_by(ConnectionRow.authorization_expires_at, ConnectionRow.id)
    )
    return list(await session.scalars(query))


async def list_expired_unmarked(session: AsyncSession, *, now: datetime) -> list[ConnectionRow]:
    """Return active connections whose authorization has died but whose status is not error."""
    query = (
        select(ConnectionRow)
        .where(
            ConnectionRow.is_active.is_(True),
            ConnectionRow.authorization_expires_at <= now,
            ConnectionRow.status != ConnectionStatus.ERROR,
        )
        .order_by(ConnectionRow.authorization_expires_at, ConnectionRow.id)
    )
    return list(await session.scalars(query))


async def mark_expiry_notified(
    session: AsyncSession, *, connection_id: uuid.UUID, expires_at: datetime
) -> None:
    """Record that ``connection_expiring`` was sent for the expiry ``expires_at``."""
    await _update(session, connection_id, expiry_notified_for=expires_at)


async def set_live_trading(
    session: AsyncSession, *, connection_id: uuid.UUID, enabled: bool
) -> ConnectionRow | None:
    """Turn real-money trading on or off for the connection."""
    return await _update(session, connection_id, live_trading_enabled=enabled)


async def update_balance(
    session: AsyncSession, *, connection_id: uuid.UUID, balance: Balance
) -> ConnectionRow | None:
    """Store the balance snapshot (cash, total value, buying power, as of)."""
    return await _update(
        session,
        connection_id,
        cash_balance=balance.cash,
        total_value=balance.total_value,
        buying_power=balance.buying_power,
        balance_as_of=balance.as_of,
    )


async def mark_synced(
    session: AsyncSession, *, connection_id: uuid.UUID, at: datetime | None = None
) -> ConnectionRow | None:
    """Record a successful sync: CONNECTED, ``last_sync`` set, error and error count cleared."""
    return await _update(
        session,
        connection_id,
        status=ConnectionStatus.CONNECTED,
        last_sync=at or utcnow(),
        last_error=None,
        error_count=0,
    )


async def mark_error(
    session: AsyncSession, *, connection_id: uuid.UUID, error: str
) -> ConnectionRow | None:
    """Record a failure: status ERROR, ``last_error`` set, ``error_count`` one higher."""
    return await _update(
        session,
        connection_id,
        status=ConnectionStatus.ERROR,
        last_error=error,
        error_count=ConnectionRow.error_count + 1,
    )


async def delete_with_data(session: AsyncSession, *, connection_id: uuid.UUID) -> bool:
    """Delete the connection with its credentials, positions, transactions, orders and sync runs.

    The audit log is kept. Returns whether the connection existed.
    """
    deleted = await session.scalars(
        delete(ConnectionRow).where(ConnectionRow.id == connection_id).returning(ConnectionRow.id)
    )
    return deleted.first() is not None


async def _update(
    session: AsyncSession, connection_id: uuid.UUID, **values: Any
) -> ConnectionRow | None:
    statement = (
        update(ConnectionRow)
        .where(ConnectionRow.id == connection_id)
        .values(**values)
        .returning(ConnectionRow)
        .execution_options(populate_existing=True)
    )
    return (await session.scalars(statement)).one_or_none()
