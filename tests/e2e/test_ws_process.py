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


async def test_a_key_in_the_query_string_never_reaches_the_log(server: Served) -> None:
    """Browsers cannot set headers on a WebSocket, so the dashboard passes ?api_key=."""
    url = f"{server.base}/ws?api_key={server.key}"
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        first = await ws.receive_json(timeout=10)
        assert first["type"] == "ready"
    await asyncio.sleep(1)
    lines = (server.home.parent / "server.log").read_text().splitlines()
    websocket_lines = [line for line in lines if "WebSocket /ws" in line]
    assert websocket_lines
    secret = server.key.split("_", 2)[2]
    assert not [line for line in websocket_lines if secret in line]
