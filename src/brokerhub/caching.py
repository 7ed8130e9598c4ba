"""A read-through cache for hot reads: each value is loaded once and kept for a few seconds.

Reading through the database costs far more than the rest of a REST request: on SQLite every
query hops to aiosqlite's worker thread and back several times (about 1.3 ms of CPU per
session on one core, against about 0.35 ms for a whole bare FastAPI request; G6). Requests
that read what rarely changes (who owns an API key, an account's stored positions) read it
through a :class:`ReadThroughCache`:

- a value is kept ``ttl`` seconds, which bounds how stale it can be when another process
  changes the data;
- the process that changes the data calls :meth:`ReadThroughCache.invalidate` (or
  :meth:`ReadThroughCache.clear`) after its commit, so its own readers see the change at once;
- concurrent misses of one key share one load (single flight), so an expiry under load costs
  one read, not one per waiting request; a load that an invalidation overtook is not kept;
- failed loads (not found, refused) are never cached.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

# Past this many entries, expired ones are dropped on the next store.
PRUNE_AT = 1024


@dataclass(frozen=True)
class _Entry(Generic[V]):
    value: V
    expires_at: float


class ReadThroughCache(Generic[K, V]):
    """Values by key, each loaded on a miss and kept ``ttl`` seconds."""

    def __init__(self, *, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl
        self._clock = clock
        self._entries: dict[K, _Entry[V]] = {}
        self._loads: dict[K, asyncio.Task[V]] = {}

    async def get(self, key: K, load: Callable[[], Awaitable[V]]) -> V:
        """Return the value of ``key``, calling ``load`` when it is missing or expired.

        Raises:
            Exception: whatever ``load`` raised (nothing is cached then).
        """
        entry = self._entries.get(key)
        if entry is not None and entry.expires_at > self._clock():
            return entry.value
        task = self._loads.get(key)
        if task is None:
            task = asyncio.create_task(self._load(key, load))
            task.add_done_callback(_retrieve_exception)
            self._loads[key] = task
        # A waiter that is cancelled (its client left) must not cancel the others' load.
        return await asyncio.shield(task)

    async def _load(self, key: K, load: Callable[[], Awaitable[V]]) -> V:
        current = asyncio.current_task()
        try:
            value = await load()
            if self._loads.get(key) is current:  # no invalidation overtook this load
                self._store(key, value)
            return value
        finally:
            if self._loads.get(key) is current:
                del self._loads[key]

    def _store(self, key: K, value: V) -> None:
        now = self._clock()
        if len(self._entries) >= PRUNE_AT:
            self._entries = {k: e for k, e in self._entries.items() if e.expires_at > now}
        self._entries[key] = _Entry(value, now + self._ttl)

    def invalidate(self, key: K) -> None:
        """Forget ``key``: the next read loads it again, even if a load is under way."""
        self._entries.pop(key, None)
        self._loads.pop(key, None)

    def clear(self) -> None:
        """Forget every key."""
        self._entries.clear()
        self._loads.clear()


def _retrieve_exception(task: asyncio.Task[object]) -> None:
    # Every waiter may have left before a load failed; the error was theirs, not the loop's.
    if not task.cancelled():
        task.exception()
