"""A loopback aiohttp server per test: real HTTP on 127.0.0.1, handlers written by the test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import pytest
from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Loopback:
    """A running server: add routes before the first request, read ``url``."""

    app: web.Application = field(default_factory=web.Application)
    url: str = ""
    runner: web.AppRunner | None = None
    peers: set[object] = field(default_factory=set)

    def route(self, method: str, path: str, handler: Handler) -> None:
        self.app.router.add_route(method, path, handler)

    async def start(self) -> str:
        @web.middleware
        async def track(request: web.Request, handler: Handler) -> web.StreamResponse:
            if request.transport is not None:
                self.peers.add(request.transport.get_extra_info("peername"))
            return await handler(request)

        self.app.middlewares.append(track)
        self.runner = web.AppRunner(self.app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self.url


@pytest.fixture
async def loopback() -> AsyncIterator[Loopback]:
    server = Loopback()
    yield server
    if server.runner is not None:
        await server.runner.cleanup()
