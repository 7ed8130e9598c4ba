"""Transactions: idempotent upsert and filtered listing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from brokerhub.core.portfolio import Transaction, TransactionType
from brokerhub.store.models import ConnectionRow, TransactionRow
from brokerhub.store.repos import transactions

DAY0 = datetime(2024, 1, 2, 15, 0, tzinfo=UTC)


def _transaction(number: int, kind: TransactionType = TransactionType.BUY) -> Transaction:
    return Transaction(
        transaction_id=f"T{number}",
        account_id="PA-1",
        transaction_type=kind,
        symbol="AAPL" if kind in {TransactionType.BUY, TransactionType.SELL} else None,
        quantity=Decimal("0.333333") if kind is TransactionType.BUY else None,
        price=Decimal("187.4321") if kind is TransactionType.BUY else None,
        amount=Decimal("-62.48") if kind is TransactionType.BUY else Decimal("1000.00"),
        fees=Decimal("0.01"),
        description=f"transaction {number}",
        transaction_date=DAY0 + timedelta(days=number),
        order_id="O1" if kind is TransactionType.BUY else None,
        raw={"id": number, "amount": Decimal("-62.48")},
    )


async def test_upsert_is_idempotent_and_round_trips(
    session: AsyncSession, connection: ConnectionRow
) -> None:
    batch = [_transaction(1), _transaction(2, TransactionType.DEPOSIT)]
    assert (
        await transactions.upsert_many(session, connection_id=connection.id, transactions=batch)
        == 2
    )
    first = await transactions.list_for_connection(session, connection_id=connection.id)
    assert (
        await transactions.upsert_many(
            session, connection_id=connection.id, transactions=[*batch, _transaction(3)]
        )
        == 1
    )
    assert (
        await transactions.upsert_many(session, connection_id=connection.id, transactions=[]) == 0
    )
    stored = await transactions.list_for_connection(session, connection_id=connection.id)
    assert [s.transaction.transaction_id for s in stored] == ["T3", "T2", "T1"]
    assert stored[1:] == first  # the repeat changed nothing, created_at included
    buy = stored[2].transaction
    assert buy.model_dump(exclude={"raw"}) == _transaction(1).model_dump(exclude={"raw"})
    assert buy.raw == {"id": 1, "amount": "-62.48"}
    assert stored[2].created_at.tzinfo is UTC


async def test_duplicates_in_one_batch_and_large_batches(
    session: AsyncSession, connection: ConnectionRow
) -> None:
    many = [_transaction(n % 1100) for n in range(1200)]
    assert (
        await transactions.upsert_many(session, connection_id=connection.id, transactions=many)
        == 1100
    )
    count = await session.scalar(select(func.count()).select_from(TransactionRow))
    assert count == 1100


async def test_list_filters(session: AsyncSession, connection: ConnectionRow) -> None:
    kinds = [TransactionType.BUY, TransactionType.DIVIDEND, TransactionType.DEPOSIT]
    batch = [_transaction(n, kinds[n % 3]) for n in range(9)]
    await transactions.upsert_many(session, connection_id=connection.id, transactions=batch)

    async def ids(**filters: object) -> list[str]:
        stored = await transactions.list_for_connection(
            session,
            connection_id=connection.id,
            **filters,
        )
        return [s.transaction.transaction_id for s in stored]

    assert await ids(start=DAY0 + timedelta(days=6)) == ["T8", "T7", "T6"]
    assert await ids(end=DAY0 + timedelta(days=2)) == ["T1", "T0"]
    assert await ids(types=[TransactionType.DIVIDEND]) == ["T7", "T4", "T1"]
    assert await ids(types=[TransactionType.BUY, TransactionType.DEPOSIT], limit=3, offset=1) == [
        "T6",
        "T5",
        "T3",
    ]


async def test_unique_per_connection(session: AsyncSession, connection: ConnectionRow) -> None:
    def fee() -> TransactionRow:
        return TransactionRow(
            connection_id=connection.id,
            transaction_id="T1",
            account_id="PA-1",
            transaction_type=TransactionType.FEE,
            amount=Decimal("-1"),
            fees=Decimal(0),
            transaction_date=DAY0,
        )

    session.add(fee())
    await session.flush()
    with pytest.raises(IntegrityError):
        async with session.begin_nested():
            session.add(fee())
