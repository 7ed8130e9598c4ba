"""The trade-updates WebSocket at ``/stream``, as Alpaca documents it.

The client sends ``{"action": "authenticate", "data": {"key_id", "secret_key"}}`` and gets
``{"stream": "authorization", "data": {"status": "authorized", "action": "authenticate"}}``
(``"unauthorized"`` plus a message, then a close, for a refused pair); then
``{"action": "listen", "data": {"streams": ["trade_updates"]}}`` is acknowledged on the
``listening`` stream, and every order change arrives as
``{"stream": "trade_updates", "data": {"event", "timestamp", "order", ...}}``. Messages are
sent as binary frames, as Alpaca's paper stream does.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import anyio
import simplejson
from starlette.websockets import WebSocket, WebSocketDisconnect

from brokerhub.core.orders import Order, OrderStatus
from brokerhub.emulators.alpaca.errors import AlpacaHttpError
from brokerhub.emulators.alpaca.state import AlpacaEmulator
from brokerhub.emulators.alpaca.wire import CORE_TO_WIRE_EVENT, order_json, text, timestamp

TRADE_UPDATES = "trade_updates"


async def _send(websocket: WebSocket, message: dict[str, Any]) -> None:
    encoded: str = simplejson.dumps(message, use_decimal=True, separators=(",", ":"))
    await websocket.send_bytes(encoded.encode())


async def _receive(websocket: WebSocket) -> dict[str, Any]:
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    raw = message.get("text") or message.get("bytes") or b"{}"
    decoded = json.loads(raw)
    return decoded if isinstance(decoded, dict) else {}


def trade_update(order: Order, position_qty: Any, replaced_by: str | None) -> dict[str, Any]:
    """Return the ``trade_updates`` message of an order's latest change."""
    data: dict[str, Any] = {
        "event": CORE_TO_WIRE_EVENT[order.status],
        "timestamp": timestamp(order.updated_at),
        "order": order_json(order, replaced_by),
    }
    if order.status in {OrderStatus.FILLED, OrderStatus.PARTIALLY_FILLED} and order.fills:
        fill = order.fills[-1]
        data |= {
            "execution_id": str(uuid.uuid5(uuid.NAMESPACE_URL, fill.fill_id)),
            "price": text(fill.price),
            "qty": text(fill.quantity),
            "position_qty": text(position_qty),
        }
    return {"stream": TRADE_UPDATES, "data": data}


async def trade_updates(emulator: AlpacaEmulator, websocket: WebSocket) -> None:
    """Serve one trade-updates connection until the client goes away."""
    await websocket.accept()
    try:
        hello = await _receive(websocket)
        data = hello.get("data") or {}
        try:
            if hello.get("action") not in {"authenticate", "auth"}:
                raise AlpacaHttpError(401, {"message": "unauthorized"})
            account_id = emulator.check_keys(data.get("key_id"), data.get("secret_key"))
        except AlpacaHttpError:
            refusal = {
                "action": "authenticate",
                "status": "unauthorized",
                "message": "access key verification failed",
            }
            await _send(websocket, {"stream": "authorization", "data": refusal})
            await websocket.close(code=1008)
            return
        granted = {"status": "authorized", "action": "authenticate"}
        await _send(websocket, {"stream": "authorization", "data": granted})
        listen = await _receive(websocket)
        wanted = (listen.get("data") or {}).get("streams") or []
        streams = [s for s in wanted if s == TRADE_UPDATES]
        await _send(websocket, {"stream": "listening", "data": {"streams": streams}})
        if not streams:
            return
        seq, _ = emulator.exchange.order_changes(account_id, 0)
        while True:
            seq, changed = emulator.exchange.order_changes(account_id, seq)
            if changed:
                held = {p.symbol: p.quantity for p in emulator.exchange.positions(account_id)}
                replaced = emulator.replaced_by(emulator.exchange.orders(account_id))
                for order in changed:
                    symbol = order.legs[0].instrument.symbol
                    update = trade_update(order, held.get(symbol, 0), replaced.get(order.order_id))
                    await _send(websocket, update)
            await anyio.sleep(emulator.stream_poll_seconds)
    except WebSocketDisconnect:
        return
