"""Sync runs: one record per sync of a connection, started, then finished or failed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from brokerhub.core.clock import utcnow
from brokerhub.store.enums import SyncStatus
from brokerhub.store.models import SyncRunRow


@dataclass(frozen=True, slots=True)
class SyncRun:
    """One sync of a connection; ``finished_at`` is None while it runs."""

    id: int
    connection_id: uuid.UUID
    started_at: datetime
    finished_at: datetime | None
    status: SyncStatus
    positions_count: int
    transactions_count: int
    new_transactions_count: int
    error: str | None


async def start(session: AsyncSession, *, connection_id: uuid.UUID) -> SyncRun:
    """Record that a sync of the connection started now."""
    row = SyncRunRow(connection_id=connection_id, status=SyncStatus.RUNNING)
    session.add(row)
    await session.flush()
    return _to_record(row)


async def finish(
    session: AsyncSession,
    *,
    run_id: int,
    positions_count: int,
    transactions_count: int,
    new_transactions_count: int,
) -> SyncRun | None:
    """Record that the sync succeeded, with what it read and stored."""
    row = await session.get(SyncRunRow, run_id)
    if row is None:
        return None
    row.status = SyncStatus.SUCCEEDED
    row.finished_at = utcnow()
    row.positions_count = positions_count
    row.transactions_count = transactions_count
    row.new_transactions_count = new_transactions_count
    await session.flush()
    return _to_record(row)


async def fail(session: AsyncSession, *, run_id: int, error: str) -> SyncRun | None:
    """Record that the sync failed with ``error`` (a message fit for the user)."""
    row = await session.get(SyncRunRow, run_id)
    if row is None:
        return None
    row.status = SyncStatus.FAILED
    row.finished_at = utcnow()
    row.error = error
    await session.flush()
    return _to_record(row)


async def latest_for_connection(
    session: AsyncSession, *, connection_id: uuid.UUID, status: SyncStatus | None = None
) -> SyncRun | None:
    """Return the connection's most recent run (optionally of one status), or None."""
    runs = await list_for_connection(session, connection_id=connection_id, status=status, limit=1)
    return runs[0] if runs else None


async def list_for_connection(
    session: AsyncSession,
    *,
    connection_id: uuid.UUID,
    status: SyncStatus | None = None,
    limit: int = 20,
    offset: int = 0,
) -> list[SyncRun]:
    """Return the connection's runs, newest first."""
    query = select(SyncRunRow).where(SyncRunRow.connection_id == connection_id)
    if status is not None:
        query = query.where(SyncRunRow.status == status)
    query = query.order_by(SyncRunRow.started_at.desc(), SyncRunRow.id.desc())
    return [_to_record(row) for row in await session.scalars(query.limit(limit).offset(offset))]


def _to_record(row: SyncRunRow) -> SyncRun:
    return SyncRun(
        id=row.id,
        connection_id=row.connection_id,
        started_at=row.started_at,
        finished_at=row.finished_at,
        status=row.status,
        positions_count=row.positions_count,
        transactions_count=row.transactions_count,
        new_transactions_count=row.new_transactions_count,
        error=row.error,
    )


async def fail_stale(session: AsyncSession, *, started_before: datetime, error: str) -> int:
    """Mark runs still RUNNING that started before ``started_before`` as FAILED; return how many.

    A run stays RUNNING when its process died mid-sync; the redone sync records a new run.
    """
    statement = (
        update(SyncRunRow)
        .where(SyncRunRow.status == SyncStatus.RUNNING, SyncRunRow.started_at < started_before)
        .values(status=SyncStatus.FAILED, finished_at=utcnow(), error=error)
        .returning(SyncRunRow.id)
    )
    return len((await session.execute(statement)).all())


async def count_by_status(session: AsyncSession, *, since: datetime) -> dict[SyncStatus, int]:
    """Return how many runs started since ``since`` are in each status (for metrics)."""
    query = (
        select(SyncRunRow.status, func.count())
        .where(SyncRunRow.started_at >= since)
        .group_by(SyncRunRow.status)
    )
    return dict((await session.execute(query)).all())
