"""API keys are answered from memory for a few seconds; revocation elsewhere applies within that."""

from __future__ import annotations

import time

import pytest

from brokerhub.auth.users import UserService
from brokerhub.errors import AuthenticationFailed
from brokerhub.hub import Hub

TTL = 0.2


async def test_a_key_revoked_by_another_process_stops_within_the_cache_ttl() -> None:
    async with Hub() as hub:
        user = await hub.users.create_user(name="alice")
        key = await hub.users.create_key(user_id=user.id)
        api_process = UserService(sessions=hub.sessions, key_cache_seconds=TTL)
        assert (await api_process.authenticate(key.plaintext)).id == user.id

        await hub.users.revoke_key(user_id=user.id, key_id=key.row.id)  # e.g. the CLI
        revoked_at = time.monotonic()
        while True:
            try:
                await api_process.authenticate(key.plaintext)
            except AuthenticationFailed:
                break
            assert time.monotonic() - revoked_at < TTL + 1, "the revoked key still works"
        with pytest.raises(AuthenticationFailed):
            await hub.users.authenticate(key.plaintext)


async def test_a_key_revoked_through_the_same_service_stops_at_once() -> None:
    async with Hub() as hub:
        user = await hub.users.create_user(name="alice")
        kept = await hub.users.create_key(user_id=user.id, name="kept")
        revoked = await hub.users.create_key(user_id=user.id, name="revoked")
        for key in (kept, revoked):
            assert (await hub.users.authenticate(key.plaintext)).id == user.id

        await hub.users.revoke_key(user_id=user.id, key_id=revoked.row.id)
        with pytest.raises(AuthenticationFailed):
            await hub.users.authenticate(revoked.plaintext)
        assert (await hub.users.authenticate(kept.plaintext)).id == user.id
