"""Frames to one WebSocket client: sent at once while its connection takes them, else queued.

A quote reaches every watcher from one upstream task (events/streams.py). Queuing each frame
for a per-client writer task cost a task wake-up per frame per client, as much as the send
itself (G10). An ASGI send does not suspend while the connection's write buffer has room, so
:meth:`OutgoingFrames.send` steps the send coroutine once, by hand, in the caller: usually it
completes there. If it suspends (the buffer is full), that send is finished by the client's
writer task (:meth:`OutgoingFrames.write`), and later frames queue behind it, in order, until
the queue is drained; a client whose queue is full skips frames rather than holding anyone up.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Coroutine, Generator
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

SendText = Callable[[str], Coroutine[Any, Any, None]]

SERVER_SEND = "brokerhub.server_send"
"""Where :class:`KeepServerSend` leaves the server's own ``send`` in a WebSocket's scope."""


class KeepServerSend:
    """ASGI middleware: keep the server's own ``send`` in every WebSocket's scope.

    Starlette hands a route a ``send`` wrapped for exception handling, and its
    ``WebSocket.send`` checks the state machine on every message: for a quote frame that is
    two more coroutines and a third of the hub's own cost per frame (G10). Frames sent with
    :func:`text_sender` go straight to the server; everything else (accept, receive, close)
    still goes through Starlette.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            scope[SERVER_SEND] = send
        await self.app(scope, receive, send)


def text_sender(websocket: WebSocket) -> SendText:
    """Return how to send a text frame to ``websocket``: by the server's own ``send`` when
    :class:`KeepServerSend` kept it, else Starlette's ``send_text``.

    A send to a client that is gone raises WebSocketDisconnect, as Starlette's does.
    """
    server_send: Send | None = websocket.scope.get(SERVER_SEND)
    if server_send is None:
        return websocket.send_text

    async def send_text(frame: str) -> None:
        try:
            await server_send({"type": "websocket.send", "text": frame})
        except OSError:  # the server's ClientDisconnected
            raise WebSocketDisconnect(code=1006) from None

    return send_text


class _Suspended:
    """Awaits a coroutine that was stepped by hand and suspended, to its end.

    What a task does for a coroutine it started: each future the coroutine waits on is
    handed to the awaiting task, and its result, or an exception such as a cancellation, is
    passed back in.
    """

    def __init__(self, coroutine: Coroutine[Any, Any, None], waiting_on: object) -> None:
        self._coroutine = coroutine
        self._waiting_on = waiting_on

    def __await__(self) -> Generator[Any, Any, None]:
        coroutine, waiting_on = self._coroutine, self._waiting_on
        while True:
            try:
                result = yield waiting_on
            except BaseException as exc:  # a cancellation: raised where the coroutine waits
                try:
                    waiting_on = coroutine.throw(exc)
                except StopIteration:
                    return
            else:
                try:
                    waiting_on = coroutine.send(result)
                except StopIteration:
                    return


class OutgoingFrames:
    """One client's outgoing text frames, in order, with at most ``limit`` waiting."""

    def __init__(self, send_text: SendText, limit: int) -> None:
        self._send_text = send_text
        self._limit = limit
        self._queued: deque[str] = deque()
        self._suspended: _Suspended | None = None
        self._writing = False
        self._failure: BaseException | None = None
        self._wake = asyncio.Event()

    def send(self, frame: str) -> None:
        """Send ``frame`` now if nothing is ahead of it and the connection takes it, else queue it.

        A failed send (the client went away) is raised by :meth:`write`.
        """
        if self._queued or self._suspended is not None or self._writing or self._failure:
            if len(self._queued) < self._limit:  # a client that cannot keep up skips frames
                self._queued.append(frame)
                self._wake.set()
            return
        sending = self._send_text(frame)
        try:
            waiting_on = sending.send(None)
        except StopIteration:
            return
        except BaseException as exc:
            self._failure = exc
        else:
            self._suspended = _Suspended(sending, waiting_on)
        self._wake.set()

    async def write(self) -> None:
        """Finish a suspended send and send the queued frames, until a send fails."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            self._writing = True
            try:
                if self._failure is not None:
                    raise self._failure
                if self._suspended is not None:
                    await self._suspended
                    self._suspended = None
                while self._queued:
                    await self._send_text(self._queued.popleft())
            finally:
                self._writing = False

    def close(self) -> None:
        """Drop whatever is still waiting (the client is gone)."""
        self._queued.clear()
        self._suspended = None
