"""The Market Data v2 routes for stocks: latest quotes and trades, historical bars.

Bars page with ``next_page_token``: an opaque token (here the URL-safe base64 of the next
bar's opening instant) that the client sends back as ``page_token``.
"""

from __future__ import annotations

import base64
import itertools
from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from brokerhub.core.marketdata import Bar, Timeframe
from brokerhub.emulators.alpaca.errors import invalid
from brokerhub.emulators.alpaca.responses import WireJSON
from brokerhub.emulators.alpaca.state import AlpacaEmulator
from brokerhub.emulators.alpaca.trading import parse_time
from brokerhub.emulators.alpaca.wire import bar_json, quote_json, trade_json
from brokerhub.errors import NotFound

DEFAULT_BAR_LIMIT = 1000
MAX_BAR_LIMIT = 10_000
WIRE_TIMEFRAMES = {t.value: t for t in Timeframe}


def _token(at: datetime) -> str:
    return base64.urlsafe_b64encode(at.isoformat().encode()).decode()


def _untoken(token: str) -> datetime:
    try:
        return datetime.fromisoformat(base64.urlsafe_b64decode(token.encode()).decode())
    except ValueError:
        raise invalid("invalid page_token") from None


class MarketDataRoutes:
    """Handlers of the stock market-data endpoints over one emulator."""

    def __init__(self, emulator: AlpacaEmulator) -> None:
        self.emulator = emulator
        self.exchange = emulator.exchange
        self._trade_ids = itertools.count(1)

    def routes(self) -> list[Route]:
        """Return the Starlette routes."""
        return [
            Route("/v2/stocks/quotes/latest", self.latest_quotes),
            Route("/v2/stocks/trades/latest", self.latest_trades),
            Route("/v2/stocks/bars", self.bars),
            Route("/v2/stocks/{symbol}/bars", self.symbol_bars),
        ]

    def _symbols(self, request: Request) -> list[str]:
        raw = request.query_params.get("symbols", "")
        symbols = [s.strip().upper() for s in raw.split(",") if s.strip()]
        if not symbols:
            raise invalid("symbols is required")
        return symbols

    async def latest_quotes(self, request: Request) -> Response:
        """GET /v2/stocks/quotes/latest?symbols=A,B: unknown symbols are left out."""
        self.emulator.authenticate(request)
        quotes = {}
        for symbol in self._symbols(request):
            try:
                quotes[symbol] = quote_json(self.exchange.quote(symbol))
            except NotFound:
                continue
        return WireJSON({"quotes": quotes})

    async def latest_trades(self, request: Request) -> Response:
        """GET /v2/stocks/trades/latest?symbols=A,B: a trade at each quote's last price."""
        self.emulator.authenticate(request)
        trades = {}
        for symbol in self._symbols(request):
            try:
                trades[symbol] = trade_json(self.exchange.quote(symbol), next(self._trade_ids))
            except NotFound:
                continue
        return WireJSON({"trades": trades})

    def _bars(
        self, request: Request, symbols: list[str]
    ) -> tuple[dict[str, list[Bar]], str | None]:
        params = request.query_params
        timeframe = WIRE_TIMEFRAMES.get(params.get("timeframe", ""))
        if timeframe is None:
            raise invalid(f"invalid timeframe {params.get('timeframe')}")
        now = self.exchange.sync()
        start = parse_time(params.get("start"), "start") or now.replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        end = parse_time(params.get("end"), "end") or now
        token = params.get("page_token")
        if token:
            start = _untoken(token)
        raw_limit = params.get("limit")
        limit = DEFAULT_BAR_LIMIT
        if raw_limit:
            if not raw_limit.isdigit() or int(raw_limit) < 1:
                raise invalid("invalid limit")
            limit = min(int(raw_limit), MAX_BAR_LIMIT)
        found: list[tuple[str, Bar]] = []
        for symbol in symbols:
            try:
                found += [(symbol, b) for b in self.exchange.bars(symbol, timeframe, start, end)]
            except NotFound:
                continue
        found.sort(key=lambda pair: (pair[1].start, pair[0]))
        page, rest = found[:limit], found[limit:]
        if rest and rest[0][1].start == page[-1][1].start:
            whole = [pair for pair in page if pair[1].start < page[-1][1].start]
            if whole:  # never split one instant's bars across pages
                page, rest = whole, page[len(whole) :] + rest
        by_symbol: dict[str, list[Bar]] = {}
        for symbol, bar in page:
            by_symbol.setdefault(symbol, []).append(bar)
        return by_symbol, _token(rest[0][1].start) if rest else None

    async def bars(self, request: Request) -> Response:
        """GET /v2/stocks/bars?symbols=...&timeframe=...: bars keyed by symbol."""
        self.emulator.authenticate(request)
        by_symbol, token = self._bars(request, self._symbols(request))
        return WireJSON(
            {
                "bars": {s: [bar_json(b) for b in bars] for s, bars in by_symbol.items()},
                "next_page_token": token,
            }
        )

    async def symbol_bars(self, request: Request) -> Response:
        """GET /v2/stocks/{symbol}/bars: one symbol's bars as a list."""
        self.emulator.authenticate(request)
        symbol = request.path_params["symbol"].upper()
        by_symbol, token = self._bars(request, [symbol])
        return WireJSON(
            {
                "bars": [bar_json(b) for b in by_symbol.get(symbol, [])],
                "symbol": symbol,
                "next_page_token": token,
            }
        )
