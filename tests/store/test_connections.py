"""Connections: ownership, balances, sync outcomes, uniqueness and disconnect."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from brokerhub.core.instruments import Instrument
from brokerhub.core.orders import OrderAction, OrderLeg, OrderRequest
from brokerhub.core.portfolio import Balance, Position, Transaction, TransactionType
from brokerhub.store.enums import ConnectionStatus, Environment
from brokerhub.store.models import (
    ConnectionRow,
    OrderRow,
    PositionRow,
    SyncRunRow,
    TransactionRow,
    UserRow,
)
from brokerhub.store.repos import (
    audit_log,
    connections,
    orders,
    positions,
    sync_runs,
    transactions,
    users,
)

AS_OF = datetime(2024, 5, 1, 20, 0, tzinfo=UTC)


async def test_create_defaults_and_ownership(session: AsyncSession, user: UserRow) -> None:
    other = await users.create(session, name="mallory")
    row = await connections.create(
        session,
        user_id=user.id,
        brokerage_name="etrade",
        environment=Environment.SANDBOX,
        credentials_encrypted=b"\x00secret",
    )
    assert isinstance(row.id, uuid.UUID)
    assert row.status is ConnectionStatus.PENDING
    assert row.is_active is True
    assert row.live_trading_enabled is False
    assert row.error_count == 0
    assert await connections.get_for_user(session, connection_id=row.id, user_id=user.id) is row
    assert await connections.get_for_user(session, connection_id=row.id, user_id=other.id) is None
    assert await connections.list_for_user(session, user_id=other.id) == []
    assert await connections.list_for_user(session, user_id=user.id) == [row]
    assert await connections.list_active(session) == [row]
    session.expunge_all()
    loaded = await connections.get(session, connection_id=row.id)
    assert loaded is not None
    assert loaded.credentials_encrypted == b"\x00secret"
    assert loaded.environment is Environment.SANDBOX


async def test_balance_and_sync_outcomes(session: AsyncSession, connection: ConnectionRow) -> None:
    balance = Balance(
        account_id="PA-1",
        cash=Decimal("1234.5678"),
        buying_power=Decimal("2469.1356"),
        total_value=Decimal("100000.01"),
        as_of=AS_OF,
    )
    updated = await connections.update_balance(
        session, connection_id=connection.id, balance=balance
    )
    assert updated is not None
    assert (updated.cash_balance, updated.buying_power, updated.total_value) == (
        Decimal("1234.5678"),
        Decimal("2469.1356"),
        Decimal("100000.01"),
    )
    assert updated.balance_as_of == AS_OF
    await connections.mark_error(session, connection_id=connection.id, error="timeout")
    failed = await connections.mark_error(session, connection_id=connection.id, error="HTTP 503")
    assert failed is not None
    assert (failed.status, failed.last_error, failed.error_count) == (
        ConnectionStatus.ERROR,
        "HTTP 503",
        2,
    )
    synced = await connections.mark_synced(session, connection_id=connection.id, at=AS_OF)
    assert synced is not None
    assert (synced.status, synced.last_error, synced.error_count, synced.last_sync) == (
        ConnectionStatus.CONNECTED,
        None,
        0,
        AS_OF,
    )
    assert synced.updated_at >= synced.created_at
    live = await connections.set_live_trading(session, connection_id=connection.id, enabled=True)
    assert live is not None
    assert live.live_trading_enabled is True
    cleared = await connections.set_credentials(
        session, connection_id=connection.id, credentials_encrypted=None
    )
    assert cleared is not None
    assert cleared.credentials_encrypted is None
    assert await connections.mark_synced(session, connection_id=uuid.uuid4()) is None


async def test_one_connection_per_broker_account(
    session: AsyncSession, connection: ConnectionRow
) -> None:
    with pytest.raises(IntegrityError):
        async with session.begin_nested():
            await connections.create(
                session,
                user_id=connection.user_id,
                brokerage_name="paper",
                environment=Environment.PAPER,
                account_id="PA-1",
            )


async def test_disconnect_removes_data_and_keeps_audit(
    session: AsyncSession, connection: ConnectionRow
) -> None:
    cid = connection.id
    await positions.replace_snapshot(
        session,
        connection_id=cid,
        positions=[
            Position(
                instrument=Instrument.equity("AAPL"),
                quantity=Decimal(1),
                average_price=Decimal(1),
                current_price=Decimal(1),
                market_value=Decimal(1),
                cost_basis=Decimal(1),
                unrealized_pnl=Decimal(0),
                unrealized_pnl_percent=Decimal(0),
                as_of=AS_OF,
            )
        ],
    )
    deposit = Transaction(
        transaction_id="T1",
        account_id="PA-1",
        transaction_type=TransactionType.DEPOSIT,
        amount=Decimal(100),
        transaction_date=AS_OF,
    )
    await transactions.upsert_many(session, connection_id=cid, transactions=[deposit])
    request = OrderRequest(
        legs=[OrderLeg(instrument=Instrument.equity("AAPL"), action=OrderAction.BUY, quantity=1)]
    )
    await orders.create_pending(session, connection_id=cid, client_order_id="c1", request=request)
    await sync_runs.start(session, connection_id=cid)
    await audit_log.record(session, action="connection.created", connection_id=cid)
    await audit_log.record(
        session, action="connection.deleted", user_id=connection.user_id, connection_id=cid
    )

    assert await connections.delete_with_data(session, connection_id=cid) is True
    assert await connections.delete_with_data(session, connection_id=cid) is False

    session.expunge_all()
    for table in (ConnectionRow, PositionRow, TransactionRow, OrderRow, SyncRunRow):
        count = await session.scalar(select(func.count()).select_from(table))
        assert count == 0, table.__tablename__
    kept = await audit_log.list_entries(session, connection_id=cid)
    assert [entry.action for entry in kept] == ["connection.deleted", "connection.created"]
