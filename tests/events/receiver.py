"""A loopback webhook receiver that verifies every signature with standardwebhooks."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    """One request as the receiver saw it."""

    headers: dict[str, str]
    body: str
    verified: bool
    payload: dict[str, Any] | None


@dataclass
class Receiver:
    """Answer ``fail_first`` requests with ``fail_status``, then 204; record everything."""

    url: str = ""
    secret: str | None = None
    fail_first: int = 0
    fail_status: int = 500
    requests: list[Received] = field(default_factory=list)

    @property
    def accepted(self) -> list[Received]:
        """Return the requests answered with success."""
        return self.requests[self.fail_first :]

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.text()
        headers = dict(request.headers)
        verified, payload = False, None
        if self.secret is not None:
            try:
                Webhook(self.secret).verify(body, headers)
                verified, payload = True, json.loads(body)
            except WebhookVerificationError:
                verified = False
        self.requests.append(Received(headers, body, verified, payload))
        if len(self.requests) <= self.fail_first:
            return web.Response(status=self.fail_status, headers={"Location": "/elsewhere"})
        return web.Response(status=204)


@asynccontextmanager
async def running_receiver(**options: Any) -> AsyncIterator[Receiver]:
    """Serve a :class:`Receiver` on 127.0.0.1 (a free port) while the context is open."""
    receiver = Receiver(**options)
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    receiver.url = f"http://127.0.0.1:{port}/hook"
    try:
        yield receiver
    finally:
        await runner.cleanup()
