"""The Alpaca and E*TRADE emulators in one process, each behind a broker-side rate limit (G5).

Run as ``python -m bench.emulator_lanes SPEC_JSON``; prints ``{"alpaca": port, "etrade":
port}`` on its first line, then serves both on 127.0.0.1 until terminated.

SPEC_JSON holds ``alpaca_limit`` and ``etrade_limit`` (``[calls, period]``, the scaled broker
limits), ``etrade_logins`` (``[[consumer_key, secret, accounts], ...]``) and ``seed``. Both
emulators run with their own limits off and share one simulated exchange; each login's extra
accounts are opened on the exchange before it first lists them. In front of each emulator a
middleware plays the broker's limit per budget holder, on a sliding window: per
``APCA-API-KEY-ID`` (Alpaca answers **429**), per OAuth consumer key on ``/v1/accounts``
(E*TRADE answers **HTTP 400** with its over-limit page). ``GET /_lanes`` returns, per holder,
the requests counted and refused since ``GET /_reset``.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import time
from collections import defaultdict, deque
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from brokerhub.emulators.alpaca import AlpacaEmulator, create_app
from brokerhub.emulators.etrade import ETradeEmulator
from brokerhub.emulators.etrade.state import AccountDirectory
from brokerhub.sim.clock import ManualClock
from brokerhub.sim.config import SimConfig
from brokerhub.sim.exchange import SimExchange

START = datetime(2025, 1, 6, 15, 0, tzinfo=UTC)
CONSUMER_KEY = re.compile(r'oauth_consumer_key="([^"]+)"')
ETRADE_OVER_LIMIT = (
    b"<html><head><title>Error</title></head><body><h1>HTTP Status 400</h1>"
    b"<p>Number of requests exceeded the rate limit set</p></body></html>"
)


class LaneLimit:
    """A broker's sliding-window limit per budget holder, in front of an ASGI app.

    Args:
        app: the emulator.
        calls: requests allowed per holder in any ``period`` seconds.
        period: the window in seconds.
        holder: the budget holder of a request's scope, or None when it is not limited.
        status: the refusal's status (429, or 400 for E*TRADE).
        body: the refusal's body.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        calls: int,
        period: float,
        holder: Callable[[Scope], str | None],
        status: int,
        body: bytes,
        content_type: bytes,
    ) -> None:
        self.app, self.calls, self.period, self.holder = app, calls, period, holder
        self.status, self.body, self.content_type = status, body, content_type
        self.windows: dict[str, deque[float]] = defaultdict(deque)
        self.counted: dict[str, int] = defaultdict(int)
        self.refused: dict[str, int] = defaultdict(int)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] in {"/_lanes", "/_reset"}:
            if scope["path"] == "/_reset":
                self.windows.clear()
                self.counted.clear()
                self.refused.clear()
            body = json.dumps({"counted": self.counted, "refused": self.refused}).encode()
            await _answer(send, 200, body, b"application/json")
            return
        holder = self.holder(scope) if scope["type"] == "http" else None
        if holder is not None:
            now = time.monotonic()
            window = self.windows[holder]
            while window and now - window[0] >= self.period:
                window.popleft()
            self.counted[holder] += 1
            if len(window) >= self.calls:
                self.refused[holder] += 1
                await _answer(send, self.status, self.body, self.content_type)
                return
            window.append(now)
        await self.app(scope, receive, send)


async def _answer(send: Send, status: int, body: bytes, content_type: bytes) -> None:
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    if status == 429:
        headers.append((b"retry-after", b"1"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def alpaca_holder(scope: Scope) -> str | None:
    """Return the API key id of an Alpaca call (its budget holder)."""
    return _header(scope, b"apca-api-key-id")


def etrade_holder(scope: Scope) -> str | None:
    """Return the consumer key of an E*TRADE accounts-module call (its budget holder)."""
    if not scope["path"].startswith("/v1/accounts"):
        return None
    found = CONSUMER_KEY.search(_header(scope, b"authorization") or "")
    return found[1] if found else None


def build(spec: dict[str, Any]) -> tuple[LaneLimit, LaneLimit]:
    """Return the Alpaca and E*TRADE apps, each behind its lane limit."""
    exchange = SimExchange.in_memory(ManualClock(START), SimConfig(seed=int(spec["seed"])))
    logins = spec["etrade_logins"]
    for number, (key, _, accounts) in enumerate(logins):
        for index in range(int(accounts)):
            account_id = str(84_000_000 + number * 100 + index)
            exchange.open_account(
                AccountDirectory.profile(key),
                Decimal(100_000),
                account_id=account_id,
                name=f"Brokerage {account_id[-4:]}",
            )
    etrade = ETradeEmulator(
        exchange, consumers={key: secret for key, secret, _ in logins}, rate_limits=None
    )
    alpaca = create_app(AlpacaEmulator(exchange))
    alpaca_calls, alpaca_period = spec["alpaca_limit"]
    etrade_calls, etrade_period = spec["etrade_limit"]
    return (
        LaneLimit(
            alpaca,
            calls=int(alpaca_calls),
            period=float(alpaca_period),
            holder=alpaca_holder,
            status=429,
            body=b'{"code":42910000,"message":"rate limit exceeded"}',
            content_type=b"application/json",
        ),
        LaneLimit(
            etrade,
            calls=int(etrade_calls),
            period=float(etrade_period),
            holder=etrade_holder,
            status=400,
            body=ETRADE_OVER_LIMIT,
            content_type=b"text/html",
        ),
    )


async def serve(spec: dict[str, Any]) -> None:
    """Serve both emulators on free loopback ports; print the ports as JSON."""
    running = []
    ports = {}
    for name, app in zip(("alpaca", "etrade"), build(spec), strict=True):
        config = uvicorn.Config(
            app, host="127.0.0.1", port=0, log_level="warning", lifespan="off", access_log=False
        )
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve())
        running.append(task)
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        ports[name] = server.servers[0].sockets[0].getsockname()[1]
    print(json.dumps(ports), flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(serve(json.loads(sys.argv[1])))
