"""Column types: exact Decimals and aware UTC datetimes on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncSession

from brokerhub.store.models import ConnectionRow, UserRow

EXACT = [
    Decimal("0.1"),
    Decimal("-12345678901234567890.123456789012"),
    Decimal("1E-12"),
    Decimal("100.00"),
]


async def _reload(session: AsyncSession, row: ConnectionRow) -> ConnectionRow:
    await session.flush()
    session.expunge_all()
    result = await session.scalars(select(ConnectionRow).where(ConnectionRow.id == row.id))
    return result.one()


@pytest.mark.parametrize("value", EXACT)
async def test_decimal_round_trips_exactly(
    session: AsyncSession, connection: ConnectionRow, value: Decimal
) -> None:
    connection.cash_balance = value
    loaded = await _reload(session, connection)
    assert isinstance(loaded.cash_balance, Decimal)
    assert loaded.cash_balance == value


async def test_float_is_refused(session: AsyncSession, connection: ConnectionRow) -> None:
    connection.cash_balance = 0.1  # type: ignore[assignment]
    with pytest.raises(StatementError, match="never stored from a float"):
        await session.flush()


async def test_datetime_comes_back_aware_utc(
    session: AsyncSession, connection: ConnectionRow
) -> None:
    eastern = timezone(timedelta(hours=-5))
    connection.last_sync = datetime(2024, 3, 1, 9, 30, 0, 123456, tzinfo=eastern)
    loaded = await _reload(session, connection)
    assert loaded.last_sync == datetime(2024, 3, 1, 14, 30, 0, 123456, tzinfo=UTC)
    assert loaded.last_sync is not None
    assert loaded.last_sync.tzinfo is UTC
    assert loaded.created_at.tzinfo is UTC


async def test_naive_datetime_is_refused(session: AsyncSession, user: UserRow) -> None:
    user.created_at = datetime(2024, 3, 1, 9, 30)  # noqa: DTZ001
    with pytest.raises(StatementError, match="naive datetime"):
        await session.flush()
