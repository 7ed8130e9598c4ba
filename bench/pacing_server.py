"""A canned-response HTTP/1.1 server that can enforce a broker's rate limits (G1, G3, G4).

Run as ``python -m bench.pacing_server --body FILE [--bucket RATE BURST] [--window CALLS
PERIOD]``; it prints its port on the first line of stdout and serves until terminated.

It answers every path with the same canned body (``application/json``), as cheaply as a
Python server can (a bare :class:`asyncio.Protocol` on uvloop, no framework), so a client
benchmark measures the client and not the server. With limits it plays a broker's pacing:

* ``--bucket RATE BURST``: a token bucket of ``BURST`` tokens refilled at ``RATE`` per second
  (Alpaca-style); an empty bucket answers **429** with ``Retry-After``.
* ``--window CALLS PERIOD``: at most ``CALLS`` requests in any sliding ``PERIOD`` seconds
  (E*TRADE-style); over it answers **HTTP 400** with E*TRADE's HTML over-limit page, not 429.

A request is counted when the server has read it, the moment it decides. Two control paths
answer without counting: ``GET /_stats`` (accepted, rejected_429, rejected_400, first and last
accepted instant on this server's monotonic clock; ``?times=1`` adds every accepted instant)
and ``GET /_reset`` (a full bucket, an empty window and zero counts). ``--route PATH FILE``
answers one path with another body (e.g. ``/v2/account``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import sys
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.harness import (
    LOOPBACK,
    SERVER_CPU,
    background,
    free_port,
    http_get,
    python_command,
    wait_for_http,
)

OVER_LIMIT_PAGE = (
    b"<html><head><title>Error</title></head><body><h1>HTTP Status 400</h1>"
    b"<p>Number of requests exceeded the rate limit set</p></body></html>"
)


@dataclass
class Limits:
    """The broker's rules and what they decided so far."""

    bucket_rate: float | None = None
    bucket_burst: int = 1
    window_calls: int | None = None
    window_period: float = 1.0
    tokens: float = 0.0
    refilled_at: float = 0.0
    arrivals: deque[float] = field(default_factory=deque)
    accepted: int = 0
    rejected_429: int = 0
    rejected_400: int = 0
    first: float | None = None
    last: float | None = None
    times: list[float] = field(default_factory=list)

    def reset(self) -> None:
        """Start over: a full bucket, an empty window, no counts."""
        self.tokens = float(self.bucket_burst)
        self.refilled_at = time.monotonic()
        self.arrivals.clear()
        self.accepted = self.rejected_429 = self.rejected_400 = 0
        self.first = self.last = None
        self.times.clear()

    def decide(self) -> int:
        """Count one request now; return 200, 429 (bucket empty) or 400 (window full)."""
        now = time.monotonic()
        if self.bucket_rate is not None:
            self.tokens = min(
                float(self.bucket_burst), self.tokens + (now - self.refilled_at) * self.bucket_rate
            )
            self.refilled_at = now
            if self.tokens < 1.0:
                self.rejected_429 += 1
                return 429
        if self.window_calls is not None:
            arrivals = self.arrivals
            while arrivals and now - arrivals[0] >= self.window_period:
                arrivals.popleft()
            if len(arrivals) >= self.window_calls:
                self.rejected_400 += 1
                return 400
            arrivals.append(now)
        if self.bucket_rate is not None:
            self.tokens -= 1.0
        self.accepted += 1
        if self.first is None:
            self.first = now
        self.last = now
        self.times.append(now)
        return 200

    def stats(self, times: bool = False) -> dict[str, object]:
        """Return the counts, the first and last accepted instants and, if asked, all."""
        found: dict[str, object] = {"times": self.times} if times else {}
        return found | {
            "accepted": self.accepted,
            "rejected_429": self.rejected_429,
            "rejected_400": self.rejected_400,
            "first": self.first,
            "last": self.last,
        }


def _response(status: int, body: bytes, content_type: bytes, extra: bytes = b"") -> bytes:
    reason = {200: b"OK", 400: b"Bad Request", 429: b"Too Many Requests"}[status]
    return (
        b"HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n%s\r\n"
        % (status, reason, content_type, len(body), extra)
    ) + body


class CannedProtocol(asyncio.Protocol):
    """Keep-alive HTTP/1.1: read a request head (and any Content-Length body), answer."""

    def __init__(self, limits: Limits, canned: bytes, routes: dict[bytes, bytes]) -> None:
        self._limits = limits
        self._canned = canned
        self._routes = routes
        self._buffer = b""
        self._transport: asyncio.WriteTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while True:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self._buffer[:end]
            length = 0
            lowered = head.lower()
            marker = lowered.find(b"\r\ncontent-length:")
            if marker >= 0:
                stop = lowered.find(b"\r\n", marker + 2)
                length = int(lowered[marker + 17 : stop if stop >= 0 else None])
            if len(self._buffer) < end + 4 + length:
                return
            self._buffer = self._buffer[end + 4 + length :]
            assert self._transport is not None
            self._transport.write(self._answer(head.split(b" ", 2)[1]))

    def _answer(self, target: bytes) -> bytes:
        limits = self._limits
        if target.startswith(b"/_stats"):
            found = limits.stats(times=target.endswith(b"?times=1"))
            return _response(200, json.dumps(found).encode(), b"application/json")
        if target == b"/_reset":
            limits.reset()
            return _response(200, b"{}", b"application/json")
        status = limits.decide()
        if status == 429:
            return _response(
                429,
                b'{"message":"rate limit exceeded"}',
                b"application/json",
                b"Retry-After: 1\r\n",
            )
        if status == 400:
            return _response(400, OVER_LIMIT_PAGE, b"text/html")
        body = self._routes.get(target.split(b"?", 1)[0], self._canned)
        return _response(200, body, b"application/json")


async def serve(limits: Limits, canned: bytes, routes: dict[bytes, bytes], port: int = 0) -> None:
    """Listen on a loopback port (0: a free one), print it, serve until cancelled."""
    limits.reset()
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((LOOPBACK, port))
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: CannedProtocol(limits, canned, routes), sock=sock)
    print(sock.getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


@contextmanager
def canned_server(
    body: bytes,
    folder: Path,
    *,
    bucket: tuple[float, int] | None = None,
    window: tuple[int, float] | None = None,
    routes: dict[str, bytes] | None = None,
) -> Iterator[str]:
    """Run the server on :data:`SERVER_CPU` serving ``body`` (``routes``: other bodies by
    path); yield its base URL."""
    body_file = folder / "canned-body.json"
    body_file.write_bytes(body)
    port = free_port()
    args = ["--body", str(body_file), "--port", str(port)]
    for number, (path, content) in enumerate((routes or {}).items()):
        route_file = folder / f"canned-route-{number}.json"
        route_file.write_bytes(content)
        args += ["--route", path, str(route_file)]
    if bucket:
        args += ["--bucket", str(bucket[0]), str(bucket[1])]
    if window:
        args += ["--window", str(window[0]), str(window[1])]
    base = f"http://{LOOPBACK}:{port}"
    with background(python_command("bench.pacing_server", *args), cpu=SERVER_CPU) as process:
        wait_for_http(f"{base}/_stats", process)
        yield base


SYMBOLS = ("AAPL", "MSFT", "NVDA", "AMZN", "GOOG", "META", "TSLA", "SPY", "QQQ", "IWM")


def alpaca_positions_body(count: int = 10) -> bytes:
    """Return a ``GET /v2/positions`` body of ``count`` long positions, as the Alpaca
    emulator writes them (:func:`brokerhub.emulators.alpaca.wire.position_json`)."""
    from brokerhub.core.instruments import Instrument
    from brokerhub.core.portfolio import Position
    from brokerhub.emulators.alpaca.wire import position_json

    positions = []
    for index in range(count):
        symbol = SYMBOLS[index % len(SYMBOLS)] + ("" if index < len(SYMBOLS) else str(index))
        quantity, average, price = Decimal(10 + index), Decimal("101.25"), Decimal("187.10")
        positions.append(
            Position(
                instrument=Instrument.equity(symbol),
                quantity=quantity,
                average_price=average,
                current_price=price,
                market_value=quantity * price,
                cost_basis=quantity * average,
                unrealized_pnl=quantity * (price - average),
                unrealized_pnl_percent=Decimal("84.79"),
                as_of=datetime(2025, 1, 6, 15, 0, tzinfo=UTC),
            )
        )
    return json.dumps([position_json(p) for p in positions]).encode()


def alpaca_account_body(account_number: str = "PA3BENCH0001") -> bytes:
    """Return a ``GET /v2/account`` body as the Alpaca emulator writes it."""
    from brokerhub.core.portfolio import Balance
    from brokerhub.emulators.alpaca.wire import account_json

    at = datetime(2025, 1, 6, 15, 0, tzinfo=UTC)
    cash = Decimal(100_000)
    balance = Balance(
        account_id=account_number, cash=cash, buying_power=cash, total_value=cash, as_of=at
    )
    return json.dumps(account_json(account_number, balance, at)).encode()


def reset(base: str) -> None:
    """Give the server a full bucket, an empty window and zero counts."""
    http_get(f"{base}/_reset")


def stats(base: str, *, times: bool = False) -> dict[str, Any]:
    """Return the server's counts (accepted, rejected_429, rejected_400, first, last) and,
    with ``times``, every accepted instant."""
    found: dict[str, Any] = json.loads(http_get(f"{base}/_stats" + ("?times=1" if times else "")))
    return found


def main(argv: list[str] | None = None) -> None:
    """Parse the limits and the body file, then serve."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--body", type=Path, required=True, help="the canned JSON body")
    parser.add_argument("--bucket", nargs=2, type=float, metavar=("RATE", "BURST"))
    parser.add_argument("--window", nargs=2, type=float, metavar=("CALLS", "PERIOD"))
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument(
        "--route",
        nargs=2,
        action="append",
        default=[],
        metavar=("PATH", "FILE"),
        help="answer PATH with FILE's body instead of --body",
    )
    args = parser.parse_args(argv)
    limits = Limits()
    if args.bucket:
        limits.bucket_rate, limits.bucket_burst = args.bucket[0], int(args.bucket[1])
    if args.window:
        limits.window_calls, limits.window_period = int(args.window[0]), args.window[1]
    try:
        import uvloop

        runner = uvloop.run
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        runner = asyncio.run
    try:
        routes = {path.encode(): Path(file).read_bytes() for path, file in args.route}
        runner(serve(limits, args.body.read_bytes(), routes, args.port))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
