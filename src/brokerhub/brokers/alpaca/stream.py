"""The trade-updates WebSocket: order changes as they happen.

Alpaca documents the handshake (docs.alpaca.markets, Websocket Streaming): send
``{"action": "authenticate", "data": {"key_id", "secret_key"}}``, expect the ``authorization``
stream to say ``"status": "authorized"``, send ``{"action": "listen", "data": {"streams":
["trade_updates"]}}``, then read ``trade_updates`` messages. The paper host sends binary
frames and the live host text frames; both carry JSON. The WebSocket is opened with aiohttp
directly because the shared HTTP stack speaks request/response only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp

from brokerhub.brokers.alpaca.auth import AlpacaKeyAuth
from brokerhub.brokers.alpaca.config import BROKER
from brokerhub.brokers.alpaca.schemas import AlpacaTradeUpdate
from brokerhub.brokers.http import decode_json
from brokerhub.errors import AuthenticationFailed, NetworkError

TRADE_UPDATES = "trade_updates"


def _decode(message: aiohttp.WSMessage) -> dict[str, Any] | None:
    if message.type not in {aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY}:
        return None
    decoded = decode_json(message.data)
    return decoded if isinstance(decoded, dict) else None


async def _next(websocket: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    while True:
        message = await websocket.receive()
        if message.type in {
            aiohttp.WSMsgType.CLOSE,
            aiohttp.WSMsgType.CLOSED,
            aiohttp.WSMsgType.ERROR,
        }:
            raise NetworkError("alpaca closed the trade-updates stream", broker=BROKER)
        decoded = _decode(message)
        if decoded is not None:
            return decoded


async def trade_updates(url: str, auth: AlpacaKeyAuth) -> AsyncIterator[AlpacaTradeUpdate]:
    """Yield each ``trade_updates`` message of the account until the stream closes.

    Raises:
        AuthenticationFailed: the key pair was refused.
        NetworkError: the stream closed or could not be opened.
    """
    async with aiohttp.ClientSession() as session:
        try:
            websocket = await session.ws_connect(url, heartbeat=30)
        except aiohttp.ClientError as exc:
            raise NetworkError(
                f"alpaca trade-updates stream unreachable ({type(exc).__name__})", broker=BROKER
            ) from None
        async with websocket:
            await websocket.send_json(auth.stream_message())
            answer = await _next(websocket)
            status = (answer.get("data") or {}).get("status")
            if answer.get("stream") != "authorization" or status != "authorized":
                raise AuthenticationFailed(
                    "alpaca refused the stream's keys", broker=BROKER, raw=answer
                )
            await websocket.send_json({"action": "listen", "data": {"streams": [TRADE_UPDATES]}})
            while True:
                message = await _next(websocket)
                if message.get("stream") == TRADE_UPDATES:
                    yield AlpacaTradeUpdate.model_validate(message.get("data") or {})
