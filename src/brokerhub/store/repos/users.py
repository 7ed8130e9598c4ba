"""Users: create, look up, list and delete."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from brokerhub.store.models import UserRow


async def create(session: AsyncSession, *, name: str, is_admin: bool = False) -> UserRow:
    """Store a new user and return its row (with its id)."""
    row = UserRow(name=name, is_admin=is_admin)
    session.add(row)
    await session.flush()
    return row


async def get(session: AsyncSession, *, user_id: int) -> UserRow | None:
    """Return the user, or None."""
    return await session.get(UserRow, user_id)


async def get_by_name(session: AsyncSession, *, name: str) -> UserRow | None:
    """Return the user with this name, or None."""
    result = await session.scalars(select(UserRow).where(UserRow.name == name))
    return result.one_or_none()


async def list_all(session: AsyncSession) -> list[UserRow]:
    """Return every user, oldest first."""
    return list(await session.scalars(select(UserRow).order_by(UserRow.id)))


async def delete_user(session: AsyncSession, *, user_id: int) -> bool:
    """Delete the user with their API keys, connections and connection data.

    The audit log keeps its entries. Returns whether a user was deleted.
    """
    deleted = await session.scalars(
        delete(UserRow).where(UserRow.id == user_id).returning(UserRow.id)
    )
    return deleted.first() is not None
