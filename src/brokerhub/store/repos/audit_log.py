"""The audit log: append-only records of what was done, kept after disconnects and deletions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from brokerhub.core.clock import utcnow
from brokerhub.store.models import AuditLogRow
from brokerhub.store.repos._json import jsonable


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One audited action; ``detail`` is JSON (Decimals as strings), never secrets."""

    id: int
    at: datetime
    action: str
    user_id: int | None
    connection_id: uuid.UUID | None
    detail: dict[str, Any]


async def record(
    session: AsyncSession,
    *,
    action: str,
    user_id: int | None = None,
    connection_id: uuid.UUID | None = None,
    detail: dict[str, object] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Append an entry (at ``at``, default now) and return it."""
    row = AuditLogRow(
        at=at or utcnow(),
        action=action,
        user_id=user_id,
        connection_id=connection_id,
        detail=jsonable(detail) or {},
    )
    session.add(row)
    await session.flush()
    return _to_entry(row)


async def list_entries(
    session: AsyncSession,
    *,
    user_id: int | None = None,
    connection_id: uuid.UUID | None = None,
    action: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[AuditEntry]:
    """Return entries matching every given filter, newest first."""
    query = select(AuditLogRow)
    if user_id is not None:
        query = query.where(AuditLogRow.user_id == user_id)
    if connection_id is not None:
        query = query.where(AuditLogRow.connection_id == connection_id)
    if action is not None:
        query = query.where(AuditLogRow.action == action)
    query = query.order_by(AuditLogRow.at.desc(), AuditLogRow.id.desc())
    return [_to_entry(row) for row in await session.scalars(query.limit(limit).offset(offset))]


def _to_entry(row: AuditLogRow) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        at=row.at,
        action=row.action,
        user_id=row.user_id,
        connection_id=row.connection_id,
        detail=row.detail,
    )
