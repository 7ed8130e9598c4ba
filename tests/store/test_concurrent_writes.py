"""Concurrent write transactions on SQLite wait for each other instead of failing."""

from __future__ import annotations

import asyncio

from brokerhub.hub import Hub


async def test_eight_accounts_synced_at_once_on_sqlite_all_succeed() -> None:
    async with Hub() as hub:
        assert hub.settings.effective_database_url.startswith("sqlite")
        user = await hub.users.create_user(name="many")
        ids = []
        for _ in range(8):
            [row] = await hub.connections.connect(
                user_id=user.id, brokerage_name="paper", credentials={}
            )
            ids.append(str(row.id))
        results = await asyncio.gather(
            *(hub.sync.sync_account(user_id=user.id, connection_id=i, force=True) for i in ids),
            return_exceptions=True,
        )
    failures = [repr(result) for result in results if isinstance(result, BaseException)]
    assert failures == []
    assert all(result.portfolio_count >= 0 for result in results)  # type: ignore[union-attr]
