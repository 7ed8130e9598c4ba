"""Retries over loopback: 503, 429 + Retry-After, resets and timeouts; reads only."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import pytest
from aiohttp import web

from brokerhub.brokers.http import HttpClient, RetryPolicy, Timeouts, parse_retry_after
from brokerhub.errors import BrokerTimeout, BrokerUnavailable, NetworkError, RateLimited
from tests.brokers.http.conftest import Handler, Loopback

FAST = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.05, total_timeout=5)


def flaky(failures: int, fail: Handler) -> tuple[Handler, list[int]]:
    """Return a handler failing ``failures`` times with ``fail``, then answering 200."""
    calls: list[int] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        calls.append(1)
        if len(calls) <= failures:
            return await fail(request)
        return web.json_response({"ok": True})

    return handler, calls


async def unavailable(request: web.Request) -> web.StreamResponse:
    return web.Response(status=503, text="maintenance")


async def too_many(request: web.Request) -> web.StreamResponse:
    return web.Response(status=429, headers={"Retry-After": "0.3"})


async def reset(request: web.Request) -> web.StreamResponse:
    assert request.transport is not None
    request.transport.abort()
    return web.Response()


async def hang(request: web.Request) -> web.StreamResponse:
    await asyncio.sleep(1)
    return web.Response()


@pytest.mark.parametrize(
    ("fail", "error"),
    [
        (unavailable, BrokerUnavailable),
        (too_many, RateLimited),
        (reset, NetworkError),
        (hang, BrokerTimeout),
    ],
)
async def test_reads_are_retried_and_order_posts_never(
    loopback: Loopback, fail: Handler, error: type[Exception]
) -> None:
    read, read_calls = flaky(2, fail)
    place, place_calls = flaky(2, fail)
    loopback.route("GET", "/orders", read)
    loopback.route("POST", "/orders", place)
    url = await loopback.start()
    timeouts = Timeouts(connect=1, read=0.2, total=0.5)
    async with HttpClient(broker="test", base_url=url, retry=FAST, timeouts=timeouts) as client:
        assert (await client.get("/orders")).json() == {"ok": True}
        with pytest.raises(error):
            await client.post("/orders", json={"symbol": "AAPL"})
    assert len(read_calls) == 3
    assert len(place_calls) == 1


async def test_retry_after_is_honoured(loopback: Loopback) -> None:
    handler, calls = flaky(1, too_many)
    loopback.route("GET", "/q", handler)
    url = await loopback.start()
    async with HttpClient(broker="test", base_url=url, retry=FAST) as client:
        started = time.monotonic()
        await client.get("/q")
    assert time.monotonic() - started >= 0.3
    assert len(calls) == 2


async def test_total_time_is_bounded(loopback: Loopback) -> None:
    loopback.route("GET", "/down", unavailable)
    url = await loopback.start()
    policy = RetryPolicy(max_attempts=100, base_delay=0.05, max_delay=0.1, total_timeout=0.6)
    async with HttpClient(broker="test", base_url=url, retry=policy) as client:
        started = time.monotonic()
        with pytest.raises(BrokerUnavailable):
            await client.get("/down")
    assert time.monotonic() - started < 1.0


async def test_a_retry_after_beyond_the_budget_is_not_waited_for(loopback: Loopback) -> None:
    async def later(request: web.Request) -> web.StreamResponse:
        return web.Response(status=429, headers={"Retry-After": "120"})

    loopback.route("GET", "/q", later)
    url = await loopback.start()
    async with HttpClient(broker="test", base_url=url, retry=FAST) as client:
        started = time.monotonic()
        with pytest.raises(RateLimited) as raised:
            await client.get("/q")
    assert raised.value.retry_after == 120
    assert time.monotonic() - started < 1.0


async def test_connection_refused_is_a_network_error() -> None:
    async with HttpClient(
        broker="test", base_url="http://127.0.0.1:9", retry=RetryPolicy(max_attempts=1)
    ) as client:
        with pytest.raises(NetworkError, match="could not be reached"):
            await client.get("/")


def test_parse_retry_after() -> None:
    now = datetime(2015, 10, 21, 7, 28, tzinfo=UTC)
    assert parse_retry_after("2") == 2
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now=now) == 30
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
