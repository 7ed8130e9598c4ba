"""Parallel requests of one user, as a browser sends them, all authenticate on SQLite.

Each request reads the key and stamps its ``last_used_at``; with the read and the write in one
deferred SQLite transaction, a concurrent writer makes the lock upgrade fail at once with
"database is locked" (a 500). The dashboard sends a page's requests in parallel.
"""

from __future__ import annotations

import anyio

from tests.api.conftest import Api


def test_parallel_authentications_all_succeed(api: Api) -> None:
    hub = api.hub
    failures: list[BaseException] = []

    async def one() -> None:
        try:
            user = await hub.users.authenticate(api.alice.key)
            assert user.id == api.alice.user_id
        except Exception as exc:  # collected and reported below
            failures.append(exc)

    async def many() -> None:
        async with anyio.create_task_group() as group:
            for _ in range(24):
                group.start_soon(one)

    api.client.portal.call(many)  # type: ignore[union-attr]
    assert failures == []
