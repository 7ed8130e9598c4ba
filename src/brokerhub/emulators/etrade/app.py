"""ETradeEmulator: E*TRADE's v1 REST API and OAuth 1.0a service as a local ASGI app.

One app answers for every E*TRADE host (``api.etrade.com`` for tokens and live data,
``apisb.etrade.com`` for sandbox data, ``us.etrade.com`` for the authorize page), so a client
pointed at it keeps E*TRADE's paths. Every ``/v1`` call is verified by :mod:`.oauth`; XML is
the default and a ``.json`` suffix asks for JSON (:mod:`.wire`). Handlers live in
:mod:`.handlers`; this module holds the plumbing: format suffix, rate limits, test hooks.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from brokerhub.emulators.etrade.handlers import routes
from brokerhub.emulators.etrade.oauth import (
    OAuthProvider,
    OAuthRefused,
    SignedCall,
    new_consumer,
    unauthorized_page,
)
from brokerhub.emulators.etrade.state import AccountDirectory
from brokerhub.emulators.etrade.wire import rate_limit_page
from brokerhub.sim.exchange import SimExchange

FORM_TYPE = "application/x-www-form-urlencoded"
FORMAT_KEY = "etrade.format"
SIGNED_PATH_KEY = "etrade.signed_path"

ETRADE_RATE_LIMITS: Mapping[str, int] = {"accounts": 2, "market": 4, "order": 2}
"""Requests per second per consumer key and module (E*TRADE's developer guide, v0 era)."""


@dataclass
class Call:
    """A verified API call: who made it, in which format, and its request."""

    consumer_key: str
    fmt: str
    request: Request


Handler = Callable[[Call], Awaitable[Response]]


class ETradeEmulator:
    """A stateful E*TRADE on a :class:`SimExchange`.

    Args:
        exchange: the simulated market and accounts.
        consumers: accepted consumer key -> secret; a fresh pair when omitted (see
            :attr:`consumers`).
        starting_cash: the deposit of the account each login gets on first listing.
        rate_limits: requests per second per consumer and module; None turns limits off.
    """

    def __init__(
        self,
        exchange: SimExchange,
        *,
        consumers: Mapping[str, str] | None = None,
        starting_cash: Decimal = Decimal(100_000),
        rate_limits: Mapping[str, int] | None = ETRADE_RATE_LIMITS,
    ) -> None:
        if not consumers:
            key, secret = new_consumer()
            consumers = {key: secret}
        self.consumers = dict(consumers)
        self.exchange = exchange
        self.oauth = OAuthProvider(exchange.clock, self.consumers)
        self.directory = AccountDirectory(exchange, starting_cash)
        self.rate_limits = dict(rate_limits) if rate_limits else {}
        self._calls: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._hangs: dict[str, float] = {}
        self.placements = 0
        self._app = Starlette(routes=[*self._oauth_routes(), *routes(self)])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI call, moving a ``.json`` suffix into the scope."""
        if scope["type"] == "http":
            path: str = scope["path"]
            scope = dict(scope)
            scope[SIGNED_PATH_KEY] = path
            scope[FORMAT_KEY] = "xml"
            if path.endswith(".json"):
                scope["path"] = path[: -len(".json")]
                scope[FORMAT_KEY] = "json"
        await self._app(scope, receive, send)

    def hang_next(self, path_suffix: str, seconds: float) -> None:
        """Delay the answer to the next call whose path ends with ``path_suffix``.

        The call is carried out at once; only its answer waits, as when a response is lost
        on the way back (a test hook for reconciliation).
        """
        self._hangs[path_suffix] = seconds

    async def _maybe_hang(self, path: str) -> None:
        for suffix, seconds in list(self._hangs.items()):
            if path.endswith(suffix):
                del self._hangs[suffix]
                await asyncio.sleep(seconds)

    def _over_limit(self, consumer_key: str, module: str) -> bool:
        limit = self.rate_limits.get(module)
        if not limit:
            return False
        now = time.monotonic()
        window = self._calls[(consumer_key, module)]
        while window and now - window[0] >= 1.0:
            window.popleft()
        if len(window) >= limit:
            return True
        window.append(now)
        return False

    @staticmethod
    async def signed_call(request: Request) -> SignedCall:
        """Return the request as the client signed it (original path and query)."""
        scope = request.scope
        host = request.headers.get("host", "localhost")
        uri = f"{request.url.scheme}://{host}{scope.get(SIGNED_PATH_KEY, scope['path'])}"
        if request.url.query:
            uri += f"?{request.url.query}"
        body = await request.body()
        form = request.headers.get("content-type", "").startswith(FORM_TYPE)
        return SignedCall(
            uri=uri,
            method=request.method,
            headers=dict(request.headers),
            body=body.decode() if form and body else None,
        )

    def api(self, module: str, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        """Wrap ``handler``: verify OAuth, apply the module's rate limit, honour hang hooks."""

        async def endpoint(request: Request) -> Response:
            try:
                consumer_key = self.oauth.verify(await self.signed_call(request))
            except OAuthRefused as refused:
                return HTMLResponse(unauthorized_page(refused.problem, refused.detail), 401)
            if self._over_limit(consumer_key, module):
                return rate_limit_page()
            response = await handler(Call(consumer_key, request.scope[FORMAT_KEY], request))
            await self._maybe_hang(request.url.path)
            return response

        return endpoint

    def _oauth_routes(self) -> list[Route]:
        async def request_token(request: Request) -> Response:
            try:
                body = self.oauth.request_token(await self.signed_call(request))
            except OAuthRefused as refused:
                return HTMLResponse(unauthorized_page(refused.problem, refused.detail), 401)
            return PlainTextResponse(body, media_type=FORM_TYPE)

        async def access_token(request: Request) -> Response:
            try:
                body = self.oauth.access_token(await self.signed_call(request))
            except OAuthRefused as refused:
                return HTMLResponse(unauthorized_page(refused.problem, refused.detail), 401)
            return PlainTextResponse(body, media_type=FORM_TYPE)

        async def renew(request: Request) -> Response:
            try:
                self.oauth.verify(await self.signed_call(request), renewing=True)
            except OAuthRefused as refused:
                return HTMLResponse(unauthorized_page(refused.problem, refused.detail), 401)
            return PlainTextResponse("Access Token has been renewed")

        async def revoke(request: Request) -> Response:
            try:
                self.oauth.revoke(await self.signed_call(request))
            except OAuthRefused as refused:
                return HTMLResponse(unauthorized_page(refused.problem, refused.detail), 401)
            return PlainTextResponse("Revoked Access Token")

        async def authorize(request: Request) -> Response:
            key = request.query_params.get("key", "")
            token = request.query_params.get("token", "")
            try:
                verifier = self.oauth.authorize(key, token)
            except OAuthRefused:
                return HTMLResponse(
                    "<html><body><h1>Authorization failed</h1>"
                    "<p>The consumer key or request token is not valid.</p></body></html>",
                    400,
                )
            return HTMLResponse(
                "<html><head><title>E*TRADE authorization (emulator)</title></head><body>"
                "<h1>Authorize application</h1>"
                "<p>Copy this verification code into your application:</p>"
                f'<input type="text" id="verifier" readonly value="{verifier}"/>'
                "</body></html>"
            )

        methods = ["GET", "POST"]
        return [
            Route("/oauth/request_token", request_token, methods=methods),
            Route("/oauth/access_token", access_token, methods=methods),
            Route("/oauth/renew_access_token", renew, methods=methods),
            Route("/oauth/revoke_access_token", revoke, methods=methods),
            Route("/e/t/etws/authorize", authorize, methods=["GET"]),
        ]


def verifier_from_page(html: str) -> str:
    """Return the verification code shown on the emulator's authorize page."""
    marker = 'id="verifier" readonly value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]
