"""API keys: stored by SHA-256 hash, found by their public prefix, revoked but never deleted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from brokerhub.core.clock import utcnow
from brokerhub.store.models import ApiKeyRow


async def create(
    session: AsyncSession, *, user_id: int, name: str, prefix: str, key_hash: str
) -> ApiKeyRow:
    """Store a key's prefix and hash (never the key) and return its row."""
    row = ApiKeyRow(user_id=user_id, name=name, prefix=prefix, key_hash=key_hash)
    session.add(row)
    await session.flush()
    return row


async def find_active_by_prefix(session: AsyncSession, *, prefix: str) -> list[ApiKeyRow]:
    """Return the unrevoked keys with this prefix; the caller compares hashes in constant time."""
    query = select(ApiKeyRow).where(ApiKeyRow.prefix == prefix, ApiKeyRow.revoked_at.is_(None))
    return list(await session.scalars(query))


async def list_for_user(session: AsyncSession, *, user_id: int) -> list[ApiKeyRow]:
    """Return the user's keys, revoked ones included, oldest first."""
    query = select(ApiKeyRow).where(ApiKeyRow.user_id == user_id).order_by(ApiKeyRow.id)
    return list(await session.scalars(query))


async def touch(session: AsyncSession, *, key_id: int, at: datetime | None = None) -> None:
    """Record that the key was used (at ``at``, default now)."""
    await session.execute(
        update(ApiKeyRow).where(ApiKeyRow.id == key_id).values(last_used_at=at or utcnow())
    )


async def revoke(session: AsyncSession, *, key_id: int, user_id: int) -> bool:
    """Revoke the user's key. Returns False when it is not theirs or was already revoked."""
    revoked = await session.scalars(
        update(ApiKeyRow)
        .where(
            ApiKeyRow.id == key_id,
            ApiKeyRow.user_id == user_id,
            ApiKeyRow.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
        .returning(ApiKeyRow.id)
    )
    return revoked.first() is not None
