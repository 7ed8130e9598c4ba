"""A client's frames go out at once while its connection takes them, in order when it stalls."""

from __future__ import annotations

import asyncio

import pytest
from starlette.websockets import WebSocket, WebSocketDisconnect

from brokerhub.api.ws_outgoing import KeepServerSend, OutgoingFrames, text_sender


class Connection:
    """An ASGI-like text send that suspends while ``open`` is cleared (a full write buffer)."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.open = asyncio.Event()
        self.open.set()
        self.gone = False

    async def send_text(self, frame: str) -> None:
        await self.open.wait()
        if self.gone:
            raise ConnectionResetError("gone")
        self.sent.append(frame)


async def test_frames_are_sent_in_the_callers_step_while_the_connection_takes_them() -> None:
    connection = Connection()
    outgoing = OutgoingFrames(connection.send_text, limit=10)
    outgoing.send("a")
    outgoing.send("b")
    assert connection.sent == ["a", "b"]  # no writer task ran


async def test_a_stalled_connection_gets_every_frame_in_order_once_it_drains() -> None:
    connection = Connection()
    outgoing = OutgoingFrames(connection.send_text, limit=10)
    writer = asyncio.create_task(outgoing.write())
    connection.open.clear()
    for frame in ("a", "b", "c"):
        outgoing.send(frame)
    await asyncio.sleep(0.01)
    assert connection.sent == []
    connection.open.set()
    await asyncio.sleep(0.01)
    assert connection.sent == ["a", "b", "c"]
    outgoing.send("d")
    assert connection.sent == ["a", "b", "c", "d"]
    writer.cancel()
    with pytest.raises(asyncio.CancelledError):
        await writer


async def test_a_client_that_cannot_keep_up_skips_frames_past_the_limit() -> None:
    connection = Connection()
    outgoing = OutgoingFrames(connection.send_text, limit=2)
    writer = asyncio.create_task(outgoing.write())
    connection.open.clear()
    for frame in ("a", "b", "c", "d"):
        outgoing.send(frame)
    connection.open.set()
    await asyncio.sleep(0.01)
    assert connection.sent == ["a", "b", "c"]  # "a" was being sent, two queued behind it
    writer.cancel()
    with pytest.raises(asyncio.CancelledError):
        await writer


async def test_a_failed_send_ends_the_writer_with_its_error() -> None:
    connection = Connection()
    connection.gone = True
    outgoing = OutgoingFrames(connection.send_text, limit=10)
    outgoing.send("a")
    with pytest.raises(ConnectionResetError):
        await asyncio.wait_for(outgoing.write(), timeout=5)


async def test_frames_go_to_the_servers_own_send_and_a_gone_client_is_a_disconnect() -> None:
    sent: list[dict[str, object]] = []
    gone = False

    async def server_send(message: dict[str, object]) -> None:
        if gone:
            raise ConnectionResetError("the server's ClientDisconnected is an OSError")
        sent.append(message)

    async def app(scope: dict[str, object], receive: object, send: object) -> None:
        websocket = WebSocket(scope, receive=no_messages, send=starlette_send)
        await text_sender(websocket)("quote")

    async def no_messages() -> dict[str, object]:
        return {"type": "websocket.disconnect"}

    async def starlette_send(message: dict[str, object]) -> None:
        raise AssertionError("a frame went through Starlette's wrapped send")

    scope = {"type": "websocket", "path": "/ws", "headers": []}
    await KeepServerSend(app)(scope, no_messages, server_send)  # type: ignore[arg-type]
    assert sent == [{"type": "websocket.send", "text": "quote"}]
    gone = True
    with pytest.raises(WebSocketDisconnect):
        await KeepServerSend(app)(scope, no_messages, server_send)  # type: ignore[arg-type]
