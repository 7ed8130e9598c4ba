"""Transactions in the exact form the database stores them, built for the driver's bulk write.

The ingest path hands rows straight to the driver (sqlite3 ``executemany``, asyncpg ``COPY``),
so SQLAlchemy's per-value type processing does not run; this module produces what the column
types would have bound, column by column with C-level iteration so a row costs little Python.
Decimals go in unchanged on PostgreSQL (``NUMERIC``) and as their ``str`` on SQLite (what
:class:`~brokerhub.store.types.ExactDecimal` stores); times as aware UTC on PostgreSQL and as
SQLAlchemy's UTC text on SQLite. Constants (connection id, ``created_at``), ``raw`` and any
transaction date not already in UTC go through the column types' own bind processors.

The input is validated core models: their Decimals are finite and their datetimes aware UTC
(``core.base.UtcDateTime``), which is what lets the fast columns skip the checks.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from itertools import repeat
from operator import add, attrgetter, is_, methodcaller, sub
from typing import Any, cast

from sqlalchemy import Column, Dialect, Table

from brokerhub.core.portfolio import Transaction
from brokerhub.store.models import TransactionRow
from brokerhub.store.repos._json import jsonable

TRANSACTIONS = cast(Table, TransactionRow.__table__)
CONSTANT_COLUMNS = ("connection_id", "created_at")
"""Columns with one value for a whole batch, in the order of :func:`stored_constants`."""
VALUE_COLUMNS = (
    "transaction_id",
    "account_id",
    "transaction_type",
    "symbol",
    "quantity",
    "price",
    "amount",
    "fees",
    "description",
    "transaction_date",
    "order_id",
    "raw",
)
"""Columns with a value per transaction, in the order of :func:`stored_values`' tuples."""
COLUMNS = CONSTANT_COLUMNS + VALUE_COLUMNS
"""Every column a stored row fills, in the order of :func:`stored_rows`' tuples."""

# SQLAlchemy's SQLite DATETIME text is "YYYY-MM-DD HH:MM:SS.ffffff": the isoformat of the
# naive UTC wall-clock time with that separator and precision. The naive time is made as epoch
# plus elapsed time, two C-level operations that are cheaper than replace(tzinfo=None), and a
# naive isoformat skips formatting an offset.
_ISOFORMAT = methodcaller("isoformat", " ", "microseconds")
_UTC_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE_EPOCH = _UTC_EPOCH.replace(tzinfo=None)

Row = tuple[Any, ...]


def stored_rows(
    transactions: Sequence[Transaction], *, constants: Row, dialect: Dialect
) -> Iterator[Row]:
    """Return one tuple per transaction in :data:`COLUMNS` order, as ``dialect`` stores it.

    Args:
        transactions: the batch.
        constants: the batch's :func:`stored_constants`.
        dialect: the database's dialect.
    """
    # The constants are columns of their own in one zip: no second tuple per row.
    count = len(transactions)
    constant_columns = (repeat(value, count) for value in constants)
    return zip(*constant_columns, *_columns(transactions, dialect), strict=True)


def stored_constants(*, connection_id: uuid.UUID, created_at: datetime, dialect: Dialect) -> Row:
    """Return the :data:`CONSTANT_COLUMNS` values of a batch as ``dialect`` stores them."""
    columns = TRANSACTIONS.c
    return (
        _bind(columns.connection_id, dialect)(connection_id),
        _bind(columns.created_at, dialect)(created_at),
    )


def stored_values(transactions: Sequence[Transaction], dialect: Dialect) -> Iterator[Row]:
    """Return one tuple per transaction in :data:`VALUE_COLUMNS` order, as ``dialect`` stores it.

    The tuples are built lazily, as the driver consumes them.
    """
    return zip(*_columns(transactions, dialect), strict=True)


def _columns(transactions: Sequence[Transaction], dialect: Dialect) -> list[Iterable[Any]]:
    """Return the :data:`VALUE_COLUMNS` of the batch, each an iterable in the stored form."""
    on_sqlite = dialect.name == "sqlite"

    def field(name: str) -> Iterator[Any]:
        return map(attrgetter(name), transactions)

    return [
        field("transaction_id"),
        field("account_id"),
        # A StrEnum is a str holding its value: asyncpg sends it as is; sqlite3 binds exact strs
        # fastest.
        map(str, field("transaction_type")) if on_sqlite else field("transaction_type"),
        field("symbol"),
        _decimals(field("quantity"), on_sqlite=on_sqlite, nullable=True),
        _decimals(field("price"), on_sqlite=on_sqlite, nullable=True),
        _decimals(field("amount"), on_sqlite=on_sqlite, nullable=False),
        _decimals(field("fees"), on_sqlite=on_sqlite, nullable=False),
        field("description"),
        _times([t.transaction_date for t in transactions], dialect),
        field("order_id"),
        _raws(field("raw"), dialect),
    ]


def _decimals(
    values: Iterator[Decimal | None], *, on_sqlite: bool, nullable: bool
) -> Iterable[str | Decimal | None]:
    if not on_sqlite:
        return values
    return map(_text_or_none, values) if nullable else map(str, values)


def _text_or_none(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _times(values: list[datetime], dialect: Dialect) -> Iterable[str | datetime]:
    if all(map(is_, map(attrgetter("tzinfo"), values), repeat(UTC))):
        if dialect.name == "sqlite":
            elapsed = map(sub, values, repeat(_UTC_EPOCH))
            return map(_ISOFORMAT, map(add, repeat(_NAIVE_EPOCH), elapsed))
        return values
    # Not all in UTC (a model changed without validation): the column type converts or refuses
    # them, all before anything is written.
    return list(map(_bind(TRANSACTIONS.c.transaction_date, dialect), values))


def _raws(values: Iterator[dict[str, object] | None], dialect: Dialect) -> list[Any]:
    raws: list[Any] = list(values)
    if all(map(is_, raws, repeat(None))):
        return raws
    process = _bind(TRANSACTIONS.c.raw, dialect)
    return [None if value is None else process(jsonable(value)) for value in raws]


def _bind(column: Column[Any], dialect: Dialect) -> Callable[[Any], Any]:
    """Return the column type's bind processor for ``dialect`` (identity when it has none)."""
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    return process if process is not None else _identity


def _identity(value: Any) -> Any:
    return value
