"""Transactions: idempotent upsert and filtered listing."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from brokerhub.core.portfolio import Transaction, TransactionType
from brokerhub.store.engine import create_engine, create_session_factory, migrate
from brokerhub.store.enums import Environment
from brokerhub.store.models import ConnectionRow, TransactionRow
from brokerhub.store.repos import connections, transactions, users
from brokerhub.store.repos._json import jsonable
from brokerhub.store.repos.transaction_rows import COLUMNS, stored_constants

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


def _as_stored(transaction: Transaction) -> Transaction:
    """Return ``transaction`` as it reads back: its raw payload in JSON form."""
    return transaction.model_copy(update={"raw": jsonable(transaction.raw)})


def _ids(batch: list[Transaction]) -> list[str]:
    return [transaction.transaction_id for transaction in batch]


async def _stored_count(session: AsyncSession) -> int | None:
    return await session.scalar(select(func.count()).select_from(TransactionRow))


async def test_reingest_inserts_nothing_and_changes_nothing(
    session: AsyncSession, connection: ConnectionRow
) -> None:
    # More rows than one SQLite statement holds, and not a multiple of it.
    size = 2 * transactions.SQLITE_ROWS_PER_INSERT + 5
    batch = [
        _transaction(n, TransactionType.BUY if n % 2 else TransactionType.FEE) for n in range(size)
    ]
    new = await transactions.insert_new(session, connection_id=connection.id, transactions=batch)
    assert new == batch
    first = await transactions.list_for_connection(session, connection_id=connection.id, limit=1000)
    assert [s.transaction for s in first] == [_as_stored(t) for t in reversed(batch)]

    again = await transactions.insert_new(session, connection_id=connection.id, transactions=batch)

    assert again == []
    assert await _stored_count(session) == size
    assert (
        await transactions.list_for_connection(session, connection_id=connection.id, limit=1000)
        == first
    )


async def test_mixed_batch_stores_and_returns_only_the_new(
    session: AsyncSession, connection: ConnectionRow
) -> None:
    await transactions.insert_new(
        session, connection_id=connection.id, transactions=[_transaction(n) for n in (1, 3, 5)]
    )
    changed = _transaction(3).model_copy(update={"description": "the broker says otherwise"})
    repeated = _transaction(4).model_copy(update={"description": "second copy in the batch"})
    batch = [_transaction(6), changed, _transaction(4), _transaction(1), repeated, _transaction(2)]

    new = await transactions.insert_new(session, connection_id=connection.id, transactions=batch)

    assert _ids(new) == ["T6", "T4", "T2"]
    assert new[1].description == "transaction 4"  # the first of a repeated id is the one kept
    assert await _stored_count(session) == 6
    stored = await transactions.list_for_connection(session, connection_id=connection.id)
    assert [s.transaction.transaction_id for s in stored] == ["T6", "T5", "T4", "T3", "T2", "T1"]
    by_id = {s.transaction.transaction_id: s.transaction for s in stored}
    assert by_id["T3"] == _as_stored(_transaction(3))
    assert by_id["T4"].description == "transaction 4"


async def test_ingested_rows_are_stored_exactly_as_the_column_types_store_them(
    session: AsyncSession, connection: ConnectionRow
) -> None:
    ingested = Transaction(
        transaction_id="BULK",
        account_id="PA-1",
        transaction_type=TransactionType.SELL,
        symbol="AAPL  250117C00150000",
        quantity=Decimal("-12345678901234567890.123456789"),
        price=Decimal("1E+3"),
        amount=Decimal("-0.000001"),
        fees=Decimal("0.10"),
        description="préavis ✓",
        transaction_date=datetime(
            2024, 3, 10, 1, 59, 59, 999999, tzinfo=ZoneInfo("America/New_York")
        ),
        order_id="O-9",
        raw={"when": DAY0, "amount": Decimal("-0.000001"), "legs": [1, "two"]},
    )
    plain = ingested.model_copy(update={"transaction_id": "PLAIN", "raw": None, "price": None})
    await transactions.insert_new(
        session, connection_id=connection.id, transactions=[ingested, plain]
    )
    # The same values through the ORM and the column types, as the reference.
    for reference in (ingested, plain):
        session.add(
            TransactionRow(
                connection_id=connection.id,
                **reference.model_dump(exclude={"transaction_id", "raw"}),
                transaction_id=f"ORM-{reference.transaction_id}",
                raw=jsonable(reference.raw),
                created_at=DAY0,
            )
        )
    await session.flush()
    columns = [c for c in COLUMNS if c not in {"transaction_id", "created_at"}]
    query = f"SELECT {', '.join(columns)}, created_at FROM transactions WHERE transaction_id = ?"  # noqa: S608
    if session.get_bind().dialect.name == "postgresql":
        query = query.replace("?", "$1")
    connection_ = await session.connection()

    async def raw_row(transaction_id: str) -> tuple[object, ...]:
        result = await connection_.exec_driver_sql(query, (transaction_id,))
        return tuple(result.one())

    for name in ("BULK", "PLAIN"):
        bulk, orm = await raw_row(name), await raw_row(f"ORM-{name}")
        assert bulk[:-1] == orm[:-1]
        assert type(bulk[-1]) is type(orm[-1])
        constants = stored_constants(
            connection_id=connection.id, created_at=DAY0, dialect=session.get_bind().dialect
        )
        assert constants == (bulk[0], orm[-1])
    stored = await transactions.list_for_connection(
        session, connection_id=connection.id, start=ingested.transaction_date
    )
    bulk_stored = {s.transaction.transaction_id: s for s in stored}["BULK"]
    assert bulk_stored.transaction == _as_stored(ingested)
    assert bulk_stored.transaction.transaction_date.tzinfo is UTC


async def test_ingest_converts_or_refuses_dates_changed_without_validation(
    session: AsyncSession, connection: ConnectionRow
) -> None:
    new_york = datetime(2024, 1, 2, 10, 0, tzinfo=ZoneInfo("America/New_York"))
    shifted = _transaction(1).model_copy(update={"transaction_date": new_york})
    await transactions.insert_new(session, connection_id=connection.id, transactions=[shifted])
    stored = await transactions.list_for_connection(
        session, connection_id=connection.id, start=new_york, end=new_york + timedelta(seconds=1)
    )
    assert [s.transaction.transaction_date for s in stored] == [
        datetime(2024, 1, 2, 15, 0, tzinfo=UTC)
    ]

    naive = _transaction(2).model_copy(update={"transaction_date": datetime(2024, 1, 3)})  # noqa: DTZ001
    with pytest.raises(ValueError, match="naive"):
        await transactions.insert_new(
            session, connection_id=connection.id, transactions=[_transaction(3), naive]
        )
    assert await _stored_count(session) == 1


async def _committed_connection(sessions: async_sessionmaker[AsyncSession]) -> uuid.UUID:
    async with sessions.begin() as session:
        user = await users.create(session, name="bob")
        row = await connections.create(
            session, user_id=user.id, brokerage_name="paper", environment=Environment.PAPER
        )
        return row.id


async def test_ingest_is_part_of_the_callers_transaction(empty_db_url: str) -> None:
    await migrate(empty_db_url)
    engine = create_engine(empty_db_url)
    try:
        sessions = create_session_factory(engine)
        connection_id = await _committed_connection(sessions)
        batch = [_transaction(n) for n in range(3)]
        async with sessions() as session:  # the ingest is the transaction's first statement
            await transactions.insert_new(session, connection_id=connection_id, transactions=batch)
            await session.rollback()
        async with sessions() as session:
            assert await _stored_count(session) == 0
        async with sessions.begin() as session:
            await transactions.insert_new(session, connection_id=connection_id, transactions=batch)
        async with sessions() as session:
            assert await _stored_count(session) == 3
    finally:
        await engine.dispose()


@pytest.mark.parametrize("empty_db_url", ["postgresql"], indirect=True)
async def test_concurrent_ingests_of_one_connection_take_turns(empty_db_url: str) -> None:
    await migrate(empty_db_url)
    engine = create_engine(empty_db_url)
    try:
        sessions = create_session_factory(engine)
        connection_id = await _committed_connection(sessions)

        async def ingest(numbers: range) -> list[str]:
            async with sessions.begin() as session:
                batch = [_transaction(n) for n in numbers]
                new = await transactions.insert_new(
                    session, connection_id=connection_id, transactions=batch
                )
                return _ids(new)

        async with sessions.begin() as first:
            new = await transactions.insert_new(
                first,
                connection_id=connection_id,
                transactions=[_transaction(n) for n in range(10)],
            )
            assert _ids(new) == [f"T{n}" for n in range(10)]
            second = asyncio.create_task(ingest(range(5, 15)))
            await _until_an_advisory_lock_is_awaited(engine)
            assert not second.done()
        assert await second == [f"T{n}" for n in range(10, 15)]
        async with sessions() as session:
            assert await _stored_count(session) == 15
    finally:
        await engine.dispose()


async def _until_an_advisory_lock_is_awaited(engine: AsyncEngine, deadline: float = 10) -> None:
    query = text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
    waited = 0.0
    while True:
        async with engine.connect() as connection:
            if await connection.scalar(query):
                return
        assert waited < deadline, "the second ingest never waited for the first"
        await asyncio.sleep(0.05)
        waited += 0.05
