"""A small OAuth 2.0 authorization server and an OAuth 2.0 broker that uses it, for tests.

The server keeps RFC 9700's rules: exact redirect URI match, single-use codes bound to their
PKCE challenge (S256, verified with authlib), rotating refresh tokens whose reuse revokes the
whole family, and bearer-protected ``/v1/accounts`` and ``/v1/balance``.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode

import pytest
from authlib.oauth2.rfc7636.challenge import compare_s256_code_challenge  # type: ignore[import-untyped]
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from brokerhub.auth.oauth2 import OAuth2Client, OAuth2Config, OAuth2Tokens
from brokerhub.auth.tokens import TOKEN_STORE_FIELD, OAuth2Session
from brokerhub.brokers import base
from brokerhub.brokers.base import AuthMethod, BaseBroker, BrokerSpec
from brokerhub.brokers.http import HttpClient, resolve_base_url
from brokerhub.config import broker_base_url_override
from brokerhub.core.capabilities import Capability
from brokerhub.core.clock import utcnow
from brokerhub.core.portfolio import Account, Balance
from brokerhub.emulators.serve import LoopbackServer

BROKER = "oauthtest"
CLIENT_ID = "hub-client"
CLIENT_SECRET = "hub-client-secret-0123456789"
CONFIG = OAuth2Config(
    authorize_url="https://auth.broker.example/oauth/authorize",
    token_url="https://auth.broker.example/oauth/token",
    scopes=("read", "trade"),
)


@dataclass
class AuthServer:
    """The server's state; ``expires_in`` is what new access tokens live.

    ``refresh_expires_in``, when set, is sent as ``refresh_token_expires_in`` with the tokens
    of a code exchange only: the grant's fixed lifetime, which refreshes do not extend.
    """

    redirect_uris: set[str] = field(default_factory=set)
    expires_in: int = 3600
    refresh_expires_in: int | None = None
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    access: set[str] = field(default_factory=set)
    refresh: dict[str, str] = field(default_factory=dict)  # token -> family
    used_refresh: dict[str, str] = field(default_factory=dict)
    revoked_families: set[str] = field(default_factory=set)
    refreshes: int = 0

    def app(self) -> Starlette:
        """Return the ASGI app."""
        return Starlette(
            routes=[
                Route("/oauth/authorize", self.authorize),
                Route("/oauth/token", self.token, methods=["POST"]),
                Route("/v1/accounts", self.accounts),
            ]
        )

    async def authorize(self, request: Request) -> Response:
        q = request.query_params
        if q.get("client_id") != CLIENT_ID or q.get("redirect_uri") not in self.redirect_uris:
            return JSONResponse({"error": "invalid_request"}, 400)
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "challenge": q.get("code_challenge", ""),
            "redirect_uri": q["redirect_uri"],
        }
        location = q["redirect_uri"] + "?" + urlencode({"code": code, "state": q["state"]})
        return RedirectResponse(location, 302)

    def _issue(self, family: str) -> dict[str, Any]:
        access, refresh = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        self.access.add(access)
        self.refresh[refresh] = family
        return {
            "access_token": access,
            "refresh_token": refresh,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
        }

    async def token(self, request: Request) -> Response:
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if request.headers.get("authorization") != expected:
            return JSONResponse({"error": "invalid_client"}, 401)
        form = dict(parse_qsl((await request.body()).decode()))
        if form.get("grant_type") == "authorization_code":
            grant = self.codes.pop(str(form.get("code")), None)
            verifier = str(form.get("code_verifier") or "")
            if (
                grant is None
                or grant["redirect_uri"] != form.get("redirect_uri")
                or not compare_s256_code_challenge(verifier, grant["challenge"])
            ):
                return JSONResponse({"error": "invalid_grant"}, 400)
            issued = self._issue(secrets.token_hex(4))
            if self.refresh_expires_in is not None:
                issued["refresh_token_expires_in"] = self.refresh_expires_in
            return JSONResponse(issued)
        old = str(form.get("refresh_token"))
        family = self.refresh.pop(old, None)
        if family is None:
            reused = self.used_refresh.get(old)
            if reused is not None:
                self.revoked_families.add(reused)  # reuse: revoke the whole family
            return JSONResponse({"error": "invalid_grant"}, 400)
        self.used_refresh[old] = family
        if family in self.revoked_families:
            return JSONResponse({"error": "invalid_grant"}, 400)
        self.refreshes += 1
        return JSONResponse(self._issue(family))

    async def accounts(self, request: Request) -> Response:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if token not in self.access:
            return JSONResponse({"error": "invalid_token"}, 401)
        return JSONResponse([{"id": "OA-1001", "name": "OAuth test"}])

    def revoke_all(self) -> None:
        """Revoke every refresh token family (the user withdrew consent)."""
        self.revoked_families.update(self.refresh.values())


@contextmanager
def registered_oauth_broker(
    monkeypatch: pytest.MonkeyPatch, redirect_uri: str
) -> Iterator[tuple[AuthServer, str]]:
    """Serve the authorization server and register its broker; yield the server and its URL."""
    registry = base.BrokerRegistry()
    for spec in base.get_registry().specs():
        registry.register(spec)
    registry.register(SPEC)
    monkeypatch.setattr(base, "_registry", registry)
    state = AuthServer(redirect_uris={redirect_uri})
    with LoopbackServer(state.app()) as loopback:
        monkeypatch.setenv(f"BROKERHUB_{BROKER.upper()}_BASE_URL", loopback.url)
        yield state, loopback.url


class OAuthTestAdapter(BaseBroker):
    """An adapter whose every call is authorized by an :class:`OAuth2Session`."""

    name: ClassVar[str] = BROKER
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.ACCOUNTS, Capability.BALANCE}
    )

    def __init__(self, credentials: Mapping[str, Any]) -> None:
        base = resolve_base_url(BROKER, "https://api.broker.example", credentials)
        override = broker_base_url_override(BROKER)
        client = OAuth2Client(
            CONFIG.rebased(override) if override else CONFIG,
            str(credentials["client_id"]),
            credentials.get("client_secret"),
            "",
            broker=BROKER,
        )
        self.session = OAuth2Session(
            client,
            OAuth2Tokens.from_credentials(credentials),
            store=credentials.get(TOKEN_STORE_FIELD),
        )
        self._http = HttpClient(broker=BROKER, base_url=base, auth=self.session)
        self._client = client

    async def accounts(self) -> list[Account]:
        rows = (await self._http.get("/v1/accounts")).json()
        return [Account(account_id=row["id"], name=row["name"]) for row in rows]

    async def balance(self, account_id: str) -> Balance:
        await self._http.get("/v1/accounts")
        cash = Decimal(1000)
        return Balance(
            account_id=account_id, cash=cash, buying_power=cash, total_value=cash, as_of=utcnow()
        )

    async def close(self) -> None:
        await self._http.close()
        await self._client.close()


SPEC = BrokerSpec(
    name=BROKER,
    display_name="OAuth Test",
    factory=OAuthTestAdapter,
    capabilities=OAuthTestAdapter.capabilities,
    auth_method=AuthMethod.OAUTH2,
    required_fields=("client_id", "access_token"),
    oauth=CONFIG,
)
