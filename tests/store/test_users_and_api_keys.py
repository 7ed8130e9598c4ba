"""Users and API keys."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from brokerhub.store.models import UserRow
from brokerhub.store.repos import api_keys, users


async def test_user_round_trip_and_unique_name(session: AsyncSession, user: UserRow) -> None:
    admin = await users.create(session, name="root", is_admin=True)
    assert isinstance(user.id, int)
    assert (await users.get(session, user_id=admin.id)) is admin
    assert (await users.get_by_name(session, name="alice")) is user
    assert await users.get_by_name(session, name="nobody") is None
    assert [row.name for row in await users.list_all(session)] == ["alice", "root"]
    with pytest.raises(IntegrityError):
        async with session.begin_nested():
            await users.create(session, name="alice")


async def test_api_key_lookup_and_revoke(session: AsyncSession, user: UserRow) -> None:
    other = await users.create(session, name="bob")
    key_hash = hashlib.sha256(b"bh_abcd1234_secret").hexdigest()
    key = await api_keys.create(
        session, user_id=user.id, name="laptop", prefix="abcd1234", key_hash=key_hash
    )
    assert key.revoked_at is None
    assert key.last_used_at is None
    assert await api_keys.find_active_by_prefix(session, prefix="abcd1234") == [key]
    await api_keys.touch(session, key_id=key.id)
    assert await api_keys.revoke(session, key_id=key.id, user_id=other.id) is False
    assert await api_keys.revoke(session, key_id=key.id, user_id=user.id) is True
    assert await api_keys.revoke(session, key_id=key.id, user_id=user.id) is False
    assert await api_keys.find_active_by_prefix(session, prefix="abcd1234") == []
    session.expunge_all()
    (listed,) = await api_keys.list_for_user(session, user_id=user.id)
    assert listed.revoked_at is not None
    assert listed.last_used_at is not None
    assert listed.key_hash == key_hash


async def test_deleting_a_user_deletes_their_keys(session: AsyncSession, user: UserRow) -> None:
    await api_keys.create(session, user_id=user.id, name="k", prefix="p", key_hash="0" * 64)
    assert await users.delete_user(session, user_id=user.id) is True
    assert await users.delete_user(session, user_id=user.id) is False
    assert await api_keys.find_active_by_prefix(session, prefix="p") == []
