"""The WebSocket stream on the real server process: clients that leave do not crash it."""

from __future__ import annotations

import asyncio

import aiohttp

from tests.e2e.served import Served


async def test_a_client_that_leaves_mid_stream_leaves_no_error(server: Served) -> None:
    headers = {"Authorization": f"Bearer {server.key}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        for _ in range(3):
            async with session.ws_connect(f"{server.base}/ws") as ws:
                await ws.send_json({"action": "subscribe", "feed": "paper", "symbols": ["AAPL"]})
                first = await ws.receive_json(timeout=10)
                assert first["type"] in {"ready", "subscribed", "quote"}
        async with session.get(f"{server.base}/health") as health:
            assert health.status == 200
    await asyncio.sleep(2)  # an error from the closed streams would be logged by now
    text = (server.home.parent / "server.log").read_text()
    assert "Exception in ASGI application" not in text
    assert "Traceback" not in text
