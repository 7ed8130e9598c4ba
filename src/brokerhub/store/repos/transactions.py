"""Transactions: idempotent bulk ingest by (connection, broker transaction id), and listing.

Ingest writes through the driver's bulk primitive inside the session's transaction, with rows
built by :mod:`~brokerhub.store.repos.transaction_rows`: on SQLite ``executemany`` of a
multi-row INSERT that binds the batch's constants (connection id, ``created_at``) once per
statement; on PostgreSQL ``COPY``. Only rows whose broker id is not stored yet
are written: the stored ids among the batch are looked up first (skipped when the connection
has no transactions at all), so the caller learns exactly which transactions were new and a
repeated ingest writes nothing. The unique key (connection_id, transaction_id) stays the
guarantee: a row that somehow slipped past the lookup fails the write instead of duplicating.

Concurrent ingests for one connection: on PostgreSQL a transaction-scoped advisory lock per
connection makes them take turns, so the second sees the first's rows once it commits. SQLite
has one writer at a time and its transactions are serializable, so a write after another
transaction's commit fails (``database is locked``) rather than trusting a stale lookup.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from itertools import chain, islice
from operator import attrgetter
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from brokerhub.core.clock import utcnow
from brokerhub.core.portfolio import Transaction, TransactionType
from brokerhub.store.models import TransactionRow
from brokerhub.store.repos.transaction_rows import (
    COLUMNS,
    CONSTANT_COLUMNS,
    TRANSACTIONS,
    VALUE_COLUMNS,
    Row,
    stored_constants,
    stored_rows,
    stored_values,
)

# An arbitrary constant that names the per-connection ingest lock among PostgreSQL's two-key
# advisory locks (a key space apart from the one-key migration lock).
INGEST_LOCK_CLASS = 0x7478
# Rows per SQLite INSERT: 2 + 12 * 64 = 770 bound values, under the oldest SQLite limit (999).
SQLITE_ROWS_PER_INSERT = 64
_SQLITE_STORED_IDS = (
    f"SELECT transaction_id FROM {TRANSACTIONS.name} WHERE connection_id = ?"  # noqa: S608
    " AND transaction_id IN (SELECT value FROM json_each(?))"
)
_POSTGRESQL_STORED_IDS = (
    f"SELECT transaction_id FROM {TRANSACTIONS.name} WHERE connection_id = $1"  # noqa: S608
    " AND transaction_id = ANY($2::text[])"
)


@dataclass(frozen=True, slots=True)
class StoredTransaction:
    """A transaction and when the hub first stored it (the seed's ``created_at``)."""

    transaction: Transaction
    created_at: datetime


async def upsert_many(
    session: AsyncSession, *, connection_id: uuid.UUID, transactions: Sequence[Transaction]
) -> int:
    """Store the transactions not stored yet and return how many were new.

    A transaction whose broker id is already stored for the connection is left as it is, so
    repeating a call changes and duplicates nothing.
    """
    return len(await insert_new(session, connection_id=connection_id, transactions=transactions))


async def insert_new(
    session: AsyncSession, *, connection_id: uuid.UUID, transactions: Sequence[Transaction]
) -> list[Transaction]:
    """Store the transactions not stored yet, in the session's transaction, and return them.

    The result keeps the input order; of transactions repeating a broker id only the first
    counts. Stored rows are never changed.
    """
    if not transactions:
        return []
    dialect = session.get_bind().dialect
    if dialect.name not in {"sqlite", "postgresql"}:
        raise NotImplementedError(f"transactions ingest is not written for {dialect.name}")
    if dialect.name == "postgresql":
        # Through the session: flushes pending rows and starts the transaction the driver joins.
        await session.execute(
            text("SELECT pg_advisory_xact_lock(:lock_class, :key)"),
            {"lock_class": INGEST_LOCK_CLASS, "key": _lock_key(connection_id)},
        )
    first = _first_of_each_id(transactions)
    # Also a flush through the session, so the driver sees every row written before.
    has_any = await _has_any(session, connection_id)
    driver = await _driver_connection(session)
    constants = stored_constants(connection_id=connection_id, created_at=utcnow(), dialect=dialect)
    stored = (
        await _stored_ids(driver, dialect.name, constants[0], list(first)) if has_any else set()
    )
    new = [t for id_, t in first.items() if id_ not in stored] if stored else [*first.values()]
    if not new:
        return new
    if dialect.name == "sqlite":
        await _sqlite_insert(driver, constants, stored_values(new, dialect), len(new))
    else:
        records = stored_rows(new, constants=constants, dialect=dialect)
        await driver.copy_records_to_table(TRANSACTIONS.name, records=records, columns=COLUMNS)
    return new


async def list_for_connection(
    session: AsyncSession,
    *,
    connection_id: uuid.UUID,
    start: datetime | None = None,
    end: datetime | None = None,
    types: Iterable[TransactionType] | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[StoredTransaction]:
    """Return the connection's transactions, newest first.

    Args:
        session: the session to read with.
        connection_id: whose transactions.
        start: only those on or after this instant.
        end: only those before this instant.
        types: only these types (None for all).
        limit: at most this many.
        offset: skip this many first.
    """
    query = select(TransactionRow).where(TransactionRow.connection_id == connection_id)
    if start is not None:
        query = query.where(TransactionRow.transaction_date >= start)
    if end is not None:
        query = query.where(TransactionRow.transaction_date < end)
    if types is not None:
        query = query.where(TransactionRow.transaction_type.in_(list(types)))
    query = (
        query.order_by(TransactionRow.transaction_date.desc(), TransactionRow.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [_to_stored(row) for row in await session.scalars(query)]


def _first_of_each_id(transactions: Sequence[Transaction]) -> dict[str, Transaction]:
    """Return the transactions by broker id, keeping the first of any repeated id."""
    by_id = dict(zip(map(attrgetter("transaction_id"), transactions), transactions, strict=True))
    if len(by_id) == len(transactions):
        return by_id
    first: dict[str, Transaction] = {}  # a dict built from pairs keeps the last; keep the first
    for transaction in transactions:
        first.setdefault(transaction.transaction_id, transaction)
    return first


async def _has_any(session: AsyncSession, connection_id: uuid.UUID) -> bool:
    query = select(TRANSACTIONS.c.id).where(TRANSACTIONS.c.connection_id == connection_id)
    return await session.scalar(query.limit(1)) is not None


async def _stored_ids(driver: Any, dialect: str, key: object, ids: list[str]) -> set[str]:
    """Return which of ``ids`` the connection (stored ``key``) has, in one query."""
    if dialect == "sqlite":
        async with driver.execute(_SQLITE_STORED_IDS, (key, json.dumps(ids))) as cursor:
            return {row[0] for row in await cursor.fetchall()}
    return {row[0] for row in await driver.fetch(_POSTGRESQL_STORED_IDS, key, ids)}


async def _sqlite_insert(driver: Any, constants: Row, values: Iterator[Row], count: int) -> None:
    """Insert ``count`` rows of ``values``, :data:`SQLITE_ROWS_PER_INSERT` per statement."""
    full, rest = divmod(count, SQLITE_ROWS_PER_INSERT)
    if full:
        statement = _sqlite_insert_statement(SQLITE_ROWS_PER_INSERT)
        parameters = (
            (*constants, *chain.from_iterable(islice(values, SQLITE_ROWS_PER_INSERT)))
            for _ in range(full)
        )
        await (await driver.executemany(statement, parameters)).close()
    if rest:
        statement = _sqlite_insert_statement(rest)
        await (await driver.execute(statement, (*constants, *chain.from_iterable(values)))).close()


@cache
def _sqlite_insert_statement(rows: int) -> str:
    """Return an INSERT of ``rows`` rows that all reuse the first parameters as the constants."""
    shared = [f"?{number}" for number in range(1, len(CONSTANT_COLUMNS) + 1)]
    width, first = len(VALUE_COLUMNS), len(shared) + 1
    groups = (
        ", ".join([*shared, *(f"?{first + row * width + i}" for i in range(width))])
        for row in range(rows)
    )
    values = ", ".join(f"({group})" for group in groups)
    return f"INSERT INTO {TRANSACTIONS.name} ({', '.join(COLUMNS)}) VALUES {values}"  # noqa: S608


async def _driver_connection(session: AsyncSession) -> Any:
    """Return the session connection's aiosqlite or asyncpg connection, in its transaction."""
    raw = await (await session.connection()).get_raw_connection()
    if raw.driver_connection is None:
        raise RuntimeError("the session's connection is closed")
    return raw.driver_connection


def _lock_key(connection_id: uuid.UUID) -> int:
    return int.from_bytes(connection_id.bytes[:4], "big", signed=True)


def _to_stored(row: TransactionRow) -> StoredTransaction:
    transaction = Transaction(
        transaction_id=row.transaction_id,
        account_id=row.account_id,
        transaction_type=row.transaction_type,
        symbol=row.symbol,
        quantity=row.quantity,
        price=row.price,
        amount=row.amount,
        fees=row.fees,
        description=row.description,
        transaction_date=row.transaction_date,
        order_id=row.order_id,
        raw=row.raw,
    )
    return StoredTransaction(transaction=transaction, created_at=row.created_at)
