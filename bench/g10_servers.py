"""The two G10 servers and the quote source they share.

Quotes: :func:`quote_stream` yields quotes of one symbol stamped (``as_of``) with the wall
clock when they are produced, either as fast as the event loop lets it (one quote, then one
yield to the loop) or at a set rate. The symbol names the rate, so each run picks its own:
``R0N3`` is unpaced (run 3), ``R5N1`` is 5 quotes per second (run 1).

- ``python -m bench.g10_servers hub --host H --port P``: ``brokerhub serve`` itself (the same
  function, uvicorn and flags) with one more broker registered, :data:`BENCH_FEED`, whose
  ``stream_quotes`` is :func:`quote_stream`. Subscribers use the hub's ``/ws`` as any client
  does; the hub opens one upstream per symbol and fans it out (events/streams.py).
- ``python -m bench.g10_servers peer --host H --port P``: a raw ``websockets`` server. A client
  sends the same subscribe message; the first subscriber of a symbol starts its
  :func:`quote_stream`; each quote is rendered once into the hub's frame (the hub's own
  ``quote_frame``) and sent with ``websockets.broadcast`` to every subscriber of the symbol.
  Same event loop as uvicorn picks (uvloop), same default permessage-deflate as the hub's
  uvicorn.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from brokerhub.api.routes.ws import quote_frame
from brokerhub.brokers.base import AuthMethod, BaseBroker, BrokerSpec, get_registry
from brokerhub.core.capabilities import Capability
from brokerhub.core.marketdata import Quote

BENCH_FEED = "g10bench"
_SYMBOL = re.compile(r"R(\d+)N\d+")
_TICK = Decimal("0.01")


def symbol_for(rate: int, run: int) -> str:
    """Return the symbol whose stream runs at ``rate`` quotes/s (0: unpaced) for ``run``."""
    return f"R{rate}N{run}"


def _rate_of(symbol: str) -> int:
    match = _SYMBOL.fullmatch(symbol)
    if match is None:
        raise ValueError(f"{symbol!r} is not a G10 symbol such as R5N1")
    return int(match.group(1))


def _quote(symbol: str, seq: int) -> Quote:
    bid = Decimal(100) + (seq % 500) * _TICK
    return Quote(
        symbol=symbol,
        bid=bid,
        ask=bid + _TICK,
        last=bid,
        bid_size=Decimal(100),
        ask_size=Decimal(200),
        volume=Decimal(seq),
        as_of=datetime.now(UTC),
    )


async def quote_stream(symbol: str) -> AsyncIterator[Quote]:
    """Yield quotes of ``symbol`` at the rate its name gives, stamped when produced."""
    rate = _rate_of(symbol)
    loop = asyncio.get_running_loop()
    start = loop.time()
    seq = 0
    while True:
        if rate:
            await asyncio.sleep(max(0.0, start + seq / rate - loop.time()))
        else:
            await asyncio.sleep(0)
        yield _quote(symbol, seq)
        seq += 1


class BenchQuoteBroker(BaseBroker):
    """A market-data-only broker streaming :func:`quote_stream` quotes."""

    name = BENCH_FEED
    capabilities = frozenset({Capability.STREAM_QUOTES})

    async def stream_quotes(self, symbols: list[str]) -> AsyncGenerator[Quote, None]:
        """Yield the quotes of the one symbol the hub streams per upstream."""
        [symbol] = symbols
        async for quote in quote_stream(symbol):
            yield quote


def _factory(credentials: Mapping[str, Any]) -> BenchQuoteBroker:
    return BenchQuoteBroker()


BENCH_SPEC = BrokerSpec(
    name=BENCH_FEED,
    display_name="G10 benchmark quotes",
    factory=_factory,
    capabilities=BenchQuoteBroker.capabilities,
    auth_method=AuthMethod.NONE,
    is_live_capable=False,
)


def serve_hub(host: str, port: int) -> None:
    """Run ``brokerhub serve`` with :data:`BENCH_SPEC` registered."""
    from brokerhub.cli.main import serve

    get_registry().register(BENCH_SPEC)
    serve(host=host, port=port)


class BroadcastPeer:
    """Subscribers by symbol; one producer per symbol broadcasting each frame once."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[Any]] = {}
        self._producers: dict[str, asyncio.Task[None]] = {}

    async def handle(self, connection: Any) -> None:
        """Serve one client: read its subscribe message, then keep it until it leaves."""
        message = json.loads(await connection.recv())
        [symbol] = (str(s).strip().upper() for s in message["symbols"])
        feed = str(message["feed"])
        subscribers = self._subscribers.setdefault(symbol, set())
        subscribers.add(connection)
        if symbol not in self._producers:
            self._producers[symbol] = asyncio.create_task(self._produce(feed, symbol))
        try:
            await connection.wait_closed()
        finally:
            subscribers.discard(connection)
            if not subscribers:
                del self._subscribers[symbol]
                producer = self._producers.pop(symbol)
                producer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await producer

    async def _produce(self, feed: str, symbol: str) -> None:
        from websockets.asyncio.server import broadcast

        async for quote in quote_stream(symbol):
            broadcast(self._subscribers.get(symbol, ()), quote_frame(feed, quote))


def serve_peer(host: str, port: int) -> None:
    """Run the raw ``websockets`` broadcast server until stopped."""
    import uvloop
    from websockets.asyncio.server import serve

    async def forever() -> None:
        peer = BroadcastPeer()
        async with serve(peer.handle, host, port, max_size=2**16):
            await asyncio.Future()

    uvloop.run(forever())


def main() -> None:
    """Parse ``hub|peer --host --port`` and run that server."""
    parser = argparse.ArgumentParser(description="G10 servers")
    parser.add_argument("server", choices=("hub", "peer"))
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    (serve_hub if args.server == "hub" else serve_peer)(args.host, args.port)


if __name__ == "__main__":
    main()
