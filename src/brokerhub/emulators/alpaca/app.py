"""The emulator's ASGI app: trading and market-data routes, the stream, and error answers."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from brokerhub.emulators.alpaca.errors import AlpacaHttpError, not_found
from brokerhub.emulators.alpaca.marketdata import MarketDataRoutes
from brokerhub.emulators.alpaca.responses import WireJSON
from brokerhub.emulators.alpaca.state import AlpacaEmulator
from brokerhub.emulators.alpaca.stream import trade_updates
from brokerhub.emulators.alpaca.trading import TradingRoutes


async def _error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AlpacaHttpError)  # noqa: S101 - registered for this class only
    return WireJSON(exc.body, status_code=exc.status, headers=exc.headers)


async def _not_found(request: Request, exc: Exception) -> Response:
    return await _error(request, not_found("endpoint not found"))


def create_app(emulator: AlpacaEmulator) -> Starlette:
    """Return the ASGI app serving Alpaca's trading and data hosts from one origin.

    Trading (``/v2/account``, ``/v2/orders``, ...) and market data (``/v2/stocks/...``) share
    one server, so ``url_override`` of alpaca-py's trading and data clients may point at the
    same URL; the trade-updates WebSocket is at ``/stream``.
    """

    async def stream(websocket: WebSocket) -> None:
        await trade_updates(emulator, websocket)

    routes: list[Route | WebSocketRoute] = [
        *TradingRoutes(emulator).routes(),
        *MarketDataRoutes(emulator).routes(),
        WebSocketRoute("/stream", stream),
    ]
    return Starlette(
        routes=routes,
        exception_handlers={AlpacaHttpError: _error, 404: _not_found},
    )
