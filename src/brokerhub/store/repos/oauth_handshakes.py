"""Pending OAuth handshakes: create, take once (by state, or a user's latest), purge expired.

Taking a handshake deletes it in the same statement, so each can be completed once; an expired
one is taken too (and refused by the caller), so it cannot be tried again either.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from brokerhub.core.clock import utcnow
from brokerhub.store.enums import Environment
from brokerhub.store.models import OAuthHandshakeRow


async def create(
    session: AsyncSession,
    *,
    user_id: int,
    brokerage_name: str,
    environment: Environment,
    state_hash: str,
    secrets_encrypted: bytes,
    expires_at: datetime,
) -> OAuthHandshakeRow:
    """Store a started handshake and return its row."""
    row = OAuthHandshakeRow(
        user_id=user_id,
        brokerage_name=brokerage_name,
        environment=environment,
        state_hash=state_hash,
        secrets_encrypted=secrets_encrypted,
        expires_at=expires_at,
    )
    session.add(row)
    await session.flush()
    return row


async def take_by_state(
    session: AsyncSession, *, brokerage_name: str, state_hash: str, user_id: int | None = None
) -> OAuthHandshakeRow | None:
    """Delete and return the handshake with ``state_hash`` (of ``user_id`` when given)."""
    query = delete(OAuthHandshakeRow).where(
        OAuthHandshakeRow.state_hash == state_hash,
        OAuthHandshakeRow.brokerage_name == brokerage_name,
    )
    if user_id is not None:
        query = query.where(OAuthHandshakeRow.user_id == user_id)
    rows = await session.scalars(query.returning(OAuthHandshakeRow))
    return rows.one_or_none()


async def take_latest(
    session: AsyncSession, *, user_id: int, brokerage_name: str
) -> OAuthHandshakeRow | None:
    """Delete and return the user's most recent handshake with the brokerage."""
    query = (
        select(OAuthHandshakeRow.id)
        .where(
            OAuthHandshakeRow.user_id == user_id,
            OAuthHandshakeRow.brokerage_name == brokerage_name,
        )
        .order_by(OAuthHandshakeRow.created_at.desc())
        .limit(1)
    )
    found = (await session.scalars(query)).first()
    if found is None:
        return None
    rows = await session.scalars(
        delete(OAuthHandshakeRow).where(OAuthHandshakeRow.id == found).returning(OAuthHandshakeRow)
    )
    return rows.one_or_none()


async def pending(
    session: AsyncSession, *, user_id: int, brokerage_name: str, now: datetime | None = None
) -> list[OAuthHandshakeRow]:
    """Return the user's unexpired handshakes with the brokerage, newest first."""
    query = (
        select(OAuthHandshakeRow)
        .where(
            OAuthHandshakeRow.user_id == user_id,
            OAuthHandshakeRow.brokerage_name == brokerage_name,
            OAuthHandshakeRow.expires_at > (now or utcnow()),
        )
        .order_by(OAuthHandshakeRow.created_at.desc())
    )
    return list(await session.scalars(query))


async def purge_expired(session: AsyncSession, *, now: datetime | None = None) -> int:
    """Delete every expired handshake; return how many."""
    deleted = await session.scalars(
        delete(OAuthHandshakeRow)
        .where(OAuthHandshakeRow.expires_at <= (now or utcnow()))
        .returning(OAuthHandshakeRow.id)
    )
    return len(list(deleted))
