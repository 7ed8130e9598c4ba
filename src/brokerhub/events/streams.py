"""Quote streams for WebSocket clients: one upstream subscription per brokerage and symbol.

However many clients watch AAPL on a feed, the hub opens one ``stream_quotes(["AAPL"])`` on
that brokerage's adapter and fans each quote out; the upstream closes with its last watcher.
A new watcher of a running upstream gets the latest quote at once. Quotes are market data,
not account data, so one upstream serves every user.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field

import structlog

from brokerhub.brokers.base import Broker
from brokerhub.core.marketdata import Quote
from brokerhub.metrics import WS_UPSTREAMS, WS_UPSTREAMS_STARTED

log = structlog.get_logger(__name__)

QuoteListener = Callable[[str, Quote], None]


@dataclass
class _Upstream:
    task: asyncio.Task[None] | None = None
    listeners: set[QuoteListener] = field(default_factory=set)
    last: Quote | None = None


class QuoteStreams:
    """Shared upstream quote subscriptions keyed by (feed, symbol)."""

    def __init__(self) -> None:
        self._upstreams: dict[tuple[str, str], _Upstream] = {}

    @property
    def upstream_count(self) -> int:
        """Return how many upstream subscriptions are open."""
        return len(self._upstreams)

    def watch(self, feed: str, symbol: str, adapter: Broker, listener: QuoteListener) -> None:
        """Call ``listener(feed, quote)`` for each quote of ``symbol`` on ``feed``.

        ``adapter`` opens the upstream if none is open yet for (feed, symbol).
        """
        key = (feed, symbol)
        upstream = self._upstreams.get(key)
        if upstream is None:
            upstream = self._upstreams[key] = _Upstream()
            upstream.task = asyncio.create_task(self._pump(key, upstream, adapter))
            WS_UPSTREAMS.inc()
            WS_UPSTREAMS_STARTED.inc()
        upstream.listeners.add(listener)
        if upstream.last is not None:
            listener(feed, upstream.last)

    async def unwatch(self, feed: str, symbol: str, listener: QuoteListener) -> None:
        """Stop calling ``listener``; close the upstream when nobody watches any more."""
        key = (feed, symbol)
        upstream = self._upstreams.get(key)
        if upstream is None:
            return
        upstream.listeners.discard(listener)
        if not upstream.listeners:
            await self._stop(key)

    async def _pump(self, key: tuple[str, str], upstream: _Upstream, adapter: Broker) -> None:
        feed, symbol = key
        try:
            async for quote in adapter.stream_quotes([symbol]):
                upstream.last = quote
                for listener in list(upstream.listeners):
                    listener(feed, quote)
        except Exception:
            log.exception("quote_stream_failed", feed=feed, symbol=symbol)

    async def _stop(self, key: tuple[str, str]) -> None:
        upstream = self._upstreams.pop(key, None)
        if upstream is None or upstream.task is None:
            return
        WS_UPSTREAMS.dec()
        upstream.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await upstream.task

    async def close(self) -> None:
        """Close every upstream."""
        for key in list(self._upstreams):
            await self._stop(key)
