"""WebSocket ``/ws``: quotes by the seed's subscribe message, and the user's own events.

Authenticate with ``Authorization: Bearer <key>`` or ``?api_key=<key>`` (browsers cannot set
headers on a WebSocket). Client messages::

    {"action": "subscribe", "feed": "paper", "symbols": ["AAPL", "MSFT"]}
    {"action": "unsubscribe", "feed": "paper", "symbols": ["AAPL"]}
    {"action": "ping"}

Server messages: ``{"type": "ready"}`` once events flow, ``{"type": "subscribed" |
"unsubscribed", "feed", "symbols"}``,
``{"type": "quote", "feed", "data": {...}}``, ``{"type": "event", "event": <webhook
payload>}`` for the user's own order_update and account events, ``{"type": "pong"}`` and
``{"type": "error", "error": "..."}``.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import simplejson
from fastapi import WebSocket, WebSocketDisconnect
from fastapi.routing import APIRouter
from starlette.websockets import WebSocketDisconnected

from brokerhub.api.ws_outgoing import OutgoingFrames, text_sender
from brokerhub.brokers.base import Broker
from brokerhub.core.marketdata import Quote
from brokerhub.errors import AuthenticationFailed, BrokerHubError, ValidationFailed
from brokerhub.events.models import dumps
from brokerhub.hub import Hub
from brokerhub.marketdata.service import MAX_QUOTE_SYMBOLS
from brokerhub.metrics import WS_CLIENTS

router = APIRouter(tags=["streams"])

POLICY_VIOLATION = 1008
OUTGOING_QUEUE_SIZE = 1000
# Frames of the latest quotes kept for reuse: more than the (feed, symbol) streams ever open.
QUOTE_FRAMES_KEPT = 4096


@functools.lru_cache(maxsize=QUOTE_FRAMES_KEPT)
def quote_frame(feed: str, quote: Quote) -> str:
    """Return the frame of ``quote`` on ``feed``, rendered once for every client watching it.

    The streams hand the same quote to each watcher; rendering it per client cost more than
    sending it (G10). Quotes are immutable, so equal quotes share one frame.
    """
    return dumps({"type": "quote", "feed": feed, "data": quote.model_dump(exclude={"raw"})})


class _Client:
    """One connected WebSocket client of one user."""

    def __init__(self, hub: Hub, websocket: WebSocket, user_id: int) -> None:
        self.hub = hub
        self.websocket = websocket
        self.user_id = user_id
        self.outgoing = OutgoingFrames(text_sender(websocket), OUTGOING_QUEUE_SIZE)
        self.watching: set[tuple[str, str]] = set()

    def send(self, message: dict[str, Any]) -> None:
        self.send_frame(dumps(message))

    def send_frame(self, frame: str) -> None:
        self.outgoing.send(frame)

    def on_quote(self, feed: str, quote: Quote) -> None:
        self.send_frame(quote_frame(feed, quote))

    async def adapter(self, feed: str) -> Broker:
        spec = self.hub.connections.spec(feed)
        for row in await self.hub.connections.list(user_id=self.user_id):
            if row.brokerage_name == feed and row.credentials_encrypted is not None:
                return self.hub.pool.adapter_for(row)
        if spec.required_fields:
            raise ValidationFailed(f"feed: connect a {feed} account to stream its quotes")
        return self.hub.pool.build(feed, {})

    async def handle(self, message: dict[str, Any]) -> None:
        action = message.get("action")
        if action == "ping":
            self.send({"type": "pong"})
            return
        feed = str(message.get("feed", "")).strip().lower()
        raw = message.get("symbols")
        if action not in ("subscribe", "unsubscribe") or not feed or not isinstance(raw, list):
            raise ValidationFailed(
                'expected {"action": "subscribe", "feed": ..., "symbols": [...]}'
            )
        symbols = sorted({str(symbol).strip().upper() for symbol in raw if str(symbol).strip()})
        if action == "subscribe":
            if len(self.watching | {(feed, s) for s in symbols}) > MAX_QUOTE_SYMBOLS:
                raise ValidationFailed(f"symbols: at most {MAX_QUOTE_SYMBOLS} per connection")
            adapter = await self.adapter(feed)
            self.send({"type": "subscribed", "feed": feed, "symbols": symbols})
            for symbol in symbols:
                if (feed, symbol) not in self.watching:
                    self.watching.add((feed, symbol))
                    self.hub.streams.watch(feed, symbol, adapter, self.on_quote)
        else:
            for symbol in symbols:
                if (feed, symbol) in self.watching:
                    self.watching.discard((feed, symbol))
                    await self.hub.streams.unwatch(feed, symbol, self.on_quote)
            self.send({"type": "unsubscribed", "feed": feed, "symbols": symbols})

    async def read(self) -> None:
        while True:
            try:
                text = await self.websocket.receive_text()
            except (WebSocketDisconnect, WebSocketDisconnected):  # a send found the client gone
                return
            try:
                message = simplejson.loads(text)
                if not isinstance(message, dict):
                    raise ValidationFailed("messages are JSON objects")
                await self.handle(message)
            except (ValueError, BrokerHubError) as exc:
                self.send({"type": "error", "error": str(exc)})

    async def forward_events(self) -> None:
        async with self.hub.events.bus.subscribe() as events:
            self.send({"type": "ready"})
            while True:
                event = await events.get()
                if event.user_id == self.user_id:
                    self.send({"type": "event", "event": event.payload()})

    async def write(self) -> None:
        with contextlib.suppress(WebSocketDisconnect):  # gone without a close frame
            await self.outgoing.write()

    async def close(self) -> None:
        for feed, symbol in list(self.watching):
            await self.hub.streams.unwatch(feed, symbol, self.on_quote)
        self.watching.clear()
        self.outgoing.close()


def _api_key(websocket: WebSocket) -> str:
    header = websocket.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return websocket.query_params.get("api_key", "")


@router.websocket("/ws")
async def stream(websocket: WebSocket) -> None:
    """Stream quotes the client subscribes to and the user's own events."""
    hub: Hub = websocket.app.state.hub
    try:
        user = await hub.users.authenticate(_api_key(websocket))
    except AuthenticationFailed:
        await websocket.close(code=POLICY_VIOLATION, reason="invalid API key")
        return
    await websocket.accept()
    client = _Client(hub, websocket, user.id)
    WS_CLIENTS.inc()
    try:
        async with anyio.create_task_group() as group:

            async def until_one_ends(job: Callable[[], Awaitable[None]]) -> None:
                try:
                    await job()
                finally:
                    group.cancel_scope.cancel()

            for job in (client.read, client.forward_events, client.write):
                group.start_soon(until_one_ends, job)
    finally:
        with anyio.CancelScope(shield=True):
            await client.close()
        WS_CLIENTS.dec()
