"""A client's frames go out at once while its connection takes them, in order when it stalls."""

from __future__ import annotations

import asyncio

import pytest

from brokerhub.api.ws_outgoing import OutgoingFrames


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
