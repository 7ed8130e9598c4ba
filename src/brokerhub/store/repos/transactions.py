"""Transactions: idempotent upsert by (connection, broker transaction id) and filtered listing."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Insert, Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from brokerhub.core.clock import utcnow
from brokerhub.core.portfolio import Transaction, TransactionType
from brokerhub.store.models import TransactionRow
from brokerhub.store.repos._json import jsonable

# Rows per call; SQLAlchemy splits each call into INSERTs within the bind-parameter limits.
BATCH_SIZE = 500
TRANSACTIONS = cast(Table, TransactionRow.__table__)


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
    """Store the transactions not stored yet and return them (as :func:`upsert_many`)."""
    now = utcnow()
    inserted: set[str] = set()
    # One cached Core statement run with many parameter sets: SQLAlchemy's "insertmanyvalues"
    # batches them into multi-row INSERT ... RETURNING without compiling each batch anew and
    # without the ORM's per-row bulk bookkeeping.
    statement = _insert_ignoring_duplicates(session).returning(TRANSACTIONS.c.transaction_id)
    for batch in _batches(transactions, BATCH_SIZE):
        values = [_values(connection_id, transaction, now) for transaction in batch]
        inserted.update((await session.scalars(statement, values)).all())
    new = []
    for transaction in transactions:
        if transaction.transaction_id in inserted:
            inserted.discard(transaction.transaction_id)
            new.append(transaction)
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


def _insert_ignoring_duplicates(session: AsyncSession) -> Insert:
    dialect = session.get_bind().dialect.name
    key = ["connection_id", "transaction_id"]
    if dialect == "postgresql":
        return postgresql.insert(TRANSACTIONS).on_conflict_do_nothing(index_elements=key)
    if dialect == "sqlite":
        return sqlite.insert(TRANSACTIONS).on_conflict_do_nothing(index_elements=key)
    raise NotImplementedError(f"transactions upsert is not written for {dialect}")


def _batches(items: Sequence[Transaction], size: int) -> Iterator[Sequence[Transaction]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _values(connection_id: uuid.UUID, transaction: Transaction, now: datetime) -> dict[str, Any]:
    return {
        "connection_id": connection_id,
        "transaction_id": transaction.transaction_id,
        "account_id": transaction.account_id,
        "transaction_type": transaction.transaction_type,
        "symbol": transaction.symbol,
        "quantity": transaction.quantity,
        "price": transaction.price,
        "amount": transaction.amount,
        "fees": transaction.fees,
        "description": transaction.description,
        "transaction_date": transaction.transaction_date,
        "order_id": transaction.order_id,
        "created_at": now,
        "raw": jsonable(transaction.raw),
    }


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
