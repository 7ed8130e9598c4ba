"""Per-connection locks so two workers never sync the same connection at once.

:class:`RedisLocks` is shared by every process using the same Redis; :class:`LocalLocks`
serves the embedded scheduler (one process). Both are non-blocking: ``hold`` yields False
when the lock is taken, and the caller decides whether to retry later.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import LockError


class Locks(Protocol):
    """Named, non-blocking locks."""

    def hold(self, name: str) -> AbstractAsyncContextManager[bool]:
        """Return a context yielding whether the lock ``name`` was acquired."""


class LocalLocks:
    """Locks inside one process."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}

    @asynccontextmanager
    async def hold(self, name: str) -> AsyncIterator[bool]:
        """Yield True while holding ``name``, or False at once if it is held."""
        lock = self._locks.setdefault(name, asyncio.Lock())
        if lock.locked():
            yield False
            return
        async with lock:
            yield True


class RedisLocks:
    """Locks in Redis with a lease, so a lock of a killed worker frees itself.

    Args:
        redis: the client (owned by the caller).
        namespace: key prefix.
        lease_seconds: how long a lock lives unless released first.
    """

    def __init__(self, redis: Redis, namespace: str, lease_seconds: float) -> None:
        self._redis = redis
        self._namespace = namespace
        self._lease = lease_seconds

    @asynccontextmanager
    async def hold(self, name: str) -> AsyncIterator[bool]:
        """Yield True while holding ``name``, or False at once if another process holds it."""
        lock = self._redis.lock(f"{self._namespace}:lock:{name}", timeout=self._lease)
        if not await lock.acquire(blocking=False):
            yield False
            return
        try:
            yield True
        finally:
            # LockError: the lease ran out first; someone else may hold the lock now.
            with contextlib.suppress(LockError):
                await lock.release()
