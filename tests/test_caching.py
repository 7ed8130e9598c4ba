"""The read-through cache: kept for its TTL, one load per miss, invalidation wins over loads."""

from __future__ import annotations

import asyncio

import pytest

from brokerhub.caching import ReadThroughCache


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Source:
    """Counts its loads; each returns the current ``value``."""

    def __init__(self) -> None:
        self.value = "v1"
        self.loads = 0

    async def load(self) -> str:
        self.loads += 1
        await asyncio.sleep(0)
        return self.value


async def test_a_value_is_kept_until_its_ttl_passes() -> None:
    clock, source = Clock(), Source()
    cache: ReadThroughCache[str, str] = ReadThroughCache(ttl=5, clock=clock)
    assert await cache.get("k", source.load) == "v1"
    source.value = "v2"
    clock.now = 4.9
    assert await cache.get("k", source.load) == "v1"
    clock.now = 5.0
    assert await cache.get("k", source.load) == "v2"
    assert source.loads == 2


async def test_concurrent_misses_share_one_load() -> None:
    source = Source()
    cache: ReadThroughCache[str, str] = ReadThroughCache(ttl=5)
    values = await asyncio.gather(*(cache.get("k", source.load) for _ in range(50)))
    assert values == ["v1"] * 50
    assert source.loads == 1


async def test_an_invalidation_during_a_load_is_not_undone_by_it() -> None:
    started, release = asyncio.Event(), asyncio.Event()
    cache: ReadThroughCache[str, str] = ReadThroughCache(ttl=5)

    async def slow_old_read() -> str:
        started.set()
        await release.wait()
        return "before the change"

    reader = asyncio.create_task(cache.get("k", slow_old_read))
    await started.wait()
    cache.invalidate("k")  # the change commits while the old read is under way

    async def new_read() -> str:
        return "after the change"

    assert await cache.get("k", new_read) == "after the change"
    release.set()
    assert await reader == "before the change"
    assert await cache.get("k", slow_old_read) == "after the change"


async def test_failed_loads_are_not_cached() -> None:
    cache: ReadThroughCache[str, str] = ReadThroughCache(ttl=5)

    async def refuse() -> str:
        raise LookupError("not there")

    with pytest.raises(LookupError):
        await cache.get("k", refuse)
    source = Source()
    assert await cache.get("k", source.load) == "v1"


async def test_clear_forgets_every_key() -> None:
    source = Source()
    cache: ReadThroughCache[str, str] = ReadThroughCache(ttl=5)
    for key in ("a", "b"):
        await cache.get(key, source.load)
    cache.clear()
    for key in ("a", "b"):
        await cache.get(key, source.load)
    assert source.loads == 4
