"""OAuth 2.0 authorization code flow with PKCE (RFC 7636, S256) and state, on authlib.

The client side only: :meth:`OAuth2Client.authorization_url` (with ``state`` and the S256
challenge), :meth:`OAuth2Client.exchange_code`, :meth:`OAuth2Client.refresh` (rotation: a
new refresh token replaces the old one, and the old one is kept when the server sends none)
and :meth:`OAuth2Client.revoke`. Grant URIs, token request bodies and the S256 challenge are
authlib's; requests travel on the hub's HTTP stack. Per RFC 9700 the redirect URI is fixed per
broker, ``state`` is single use, and a rejected refresh means the user must authorize again.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from authlib.common.security import generate_token  # type: ignore[import-untyped]
from authlib.common.urls import url_decode  # type: ignore[import-untyped]
from authlib.oauth2.rfc6749.parameters import (  # type: ignore[import-untyped]
    prepare_grant_uri,
    prepare_token_request,
)
from authlib.oauth2.rfc7636 import create_s256_code_challenge  # type: ignore[import-untyped]

from brokerhub.auth.oauth1 import rebase_url
from brokerhub.brokers.http import HttpClient, HttpResponse, Timeouts
from brokerhub.core.clock import utcnow
from brokerhub.errors import AuthenticationFailed, BrokerHubError, ReauthorizationRequired
from brokerhub.logging import register_secret

VERIFIER_LENGTH = 64
"""PKCE verifiers: 64 characters of ``A-Z a-z 0-9`` (RFC 7636 allows 43 to 128)."""
STATE_LENGTH = 32
# Token-endpoint error codes (RFC 6749 section 5.2) that end the grant.
GRANT_ENDED = frozenset({"invalid_grant", "unauthorized_client"})
ACCESS_EXPIRES_AT_FIELD = "token_expires_at"
REFRESH_EXPIRES_AT_FIELD = "refresh_token_expires_at"
REFRESH_EXPIRES_IN_FIELDS = ("refresh_token_expires_in", "refresh_expires_in")
"""Non-standard token response fields some servers use for the refresh token's lifetime."""


@dataclass(frozen=True)
class OAuth2Config:
    """Where a broker's OAuth 2.0 endpoints are and what to ask for.

    Attributes:
        authorize_url: the authorization endpoint the user's browser opens.
        token_url: the token endpoint (code exchange and refresh).
        revoke_url: the revocation endpoint (RFC 7009), if any.
        scopes: the scopes requested.
        use_pkce: send an S256 code challenge (RFC 9700: always, where the broker accepts it).
        client_secret_basic: authenticate the client with HTTP Basic (else in the form body).
        refresh_margin_seconds: refresh this long before the access token expires.
        refresh_token_lifetime_seconds: how long a refresh token lives from the user's
            authorization, where the broker documents a fixed lifetime and its token
            responses do not say (None: until revoked).
    """

    authorize_url: str
    token_url: str
    revoke_url: str | None = None
    scopes: tuple[str, ...] = ()
    use_pkce: bool = True
    client_secret_basic: bool = True
    refresh_margin_seconds: float = 60.0
    refresh_token_lifetime_seconds: float | None = None

    def rebased(self, base_url: str) -> OAuth2Config:
        """Return this config with every endpoint's host replaced by ``base_url``."""
        return replace(
            self,
            authorize_url=rebase_url(self.authorize_url, base_url),
            token_url=rebase_url(self.token_url, base_url),
            revoke_url=rebase_url(self.revoke_url, base_url) if self.revoke_url else None,
        )


def _after(now: datetime, seconds: Any) -> datetime | None:
    return None if seconds is None else now + timedelta(seconds=float(seconds))


def new_code_verifier() -> str:
    """Return a fresh PKCE code verifier."""
    verifier: str = generate_token(VERIFIER_LENGTH)
    return verifier


def s256_challenge(verifier: str) -> str:
    """Return the S256 code challenge of ``verifier`` (unpadded base64url of its SHA-256)."""
    challenge: str = create_s256_code_challenge(verifier)
    return challenge


def new_state() -> str:
    """Return a fresh, unguessable ``state`` value."""
    state: str = generate_token(STATE_LENGTH)
    return state


@dataclass(frozen=True)
class OAuth2Tokens:
    """What the token endpoint granted.

    Attributes:
        access_token: the bearer token.
        refresh_token: the refresh token, if granted.
        expires_at: when the access token expires (UTC), if the server said.
        token_type: normally ``Bearer``.
        scope: the granted scope, if the server said.
        refresh_expires_at: when the refresh token dies (UTC), if known: from the
            response's ``refresh_token_expires_in`` or ``refresh_expires_in`` (non-standard
            fields some servers send), else the broker's documented lifetime. After it, only
            the user can authorize again.
    """

    access_token: str
    refresh_token: str | None = None
    expires_at: datetime | None = None
    token_type: str = "Bearer"  # noqa: S105 - a token type, not a secret
    scope: str | None = None
    refresh_expires_at: datetime | None = None

    def expires_within(self, margin: timedelta, now: datetime | None = None) -> bool:
        """Return whether the access token expires within ``margin`` of ``now``."""
        return self.expires_at is not None and self.expires_at - margin <= (now or utcnow())

    def as_credentials(self) -> dict[str, str]:
        """Return the tokens as connection credential fields (for the vault)."""
        fields = {"access_token": self.access_token, "token_type": self.token_type}
        if self.refresh_token:
            fields["refresh_token"] = self.refresh_token
        if self.expires_at is not None:
            fields[ACCESS_EXPIRES_AT_FIELD] = self.expires_at.isoformat()
        if self.scope:
            fields["scope"] = self.scope
        if self.refresh_expires_at is not None:
            fields[REFRESH_EXPIRES_AT_FIELD] = self.refresh_expires_at.isoformat()
        return fields

    @classmethod
    def from_credentials(cls, credentials: Mapping[str, Any]) -> OAuth2Tokens:
        """Return the tokens stored by :meth:`as_credentials`."""
        return cls(
            access_token=str(credentials["access_token"]),
            refresh_token=credentials.get("refresh_token") or None,
            expires_at=stored_time(credentials, ACCESS_EXPIRES_AT_FIELD),
            token_type=str(credentials.get("token_type") or "Bearer"),
            scope=credentials.get("scope") or None,
            refresh_expires_at=stored_time(credentials, REFRESH_EXPIRES_AT_FIELD),
        )


def stored_time(credentials: Mapping[str, Any], field: str) -> datetime | None:
    """Return the ISO time stored under ``field`` in ``credentials``, or None."""
    value = credentials.get(field)
    return datetime.fromisoformat(str(value)) if value else None


def token_error(response: HttpResponse, broker: str) -> BrokerHubError | None:
    """Return the hub error of a token-endpoint error answer (RFC 6749 section 5.2), or None."""
    if response.status not in (400, 401):
        return None
    try:
        payload = response.json()
    except ValueError:
        return AuthenticationFailed(f"{broker} refused the OAuth request", broker=broker)
    code = str(payload.get("error", "")) if isinstance(payload, dict) else ""
    kind = ReauthorizationRequired if code in GRANT_ENDED else AuthenticationFailed
    return kind(f"{broker} refused the OAuth request ({code or response.status})", broker=broker)


class OAuth2Client:
    """The client side of the authorization code flow for one registered application.

    Args:
        config: the broker's endpoints and scopes.
        client_id: the application's client id.
        client_secret: the application's secret; None for a public client (PKCE only).
        redirect_uri: the registered redirect URI, compared by the server as an exact string.
        broker: the broker id (errors, logs).
        clock: now, for expiry times.
        timeouts: timeouts of each call.
    """

    def __init__(
        self,
        config: OAuth2Config,
        client_id: str,
        client_secret: str | None,
        redirect_uri: str,
        *,
        broker: str,
        clock: Callable[[], datetime] = utcnow,
        timeouts: Timeouts | None = None,
    ) -> None:
        self.config = config
        self.redirect_uri = redirect_uri
        self._client_id = client_id
        self._client_secret = client_secret
        register_secret(client_secret)
        self._clock = clock
        self._http = HttpClient(
            broker=broker,
            base_url=config.token_url,
            timeouts=timeouts,
            error_mapper=lambda response: token_error(response, broker),
        )

    def authorization_url(self, state: str, code_verifier: str | None) -> str:
        """Return the URL that asks the user to authorize, bound to ``state`` and the verifier."""
        extra: dict[str, str] = {}
        if self.config.use_pkce and code_verifier is not None:
            extra = {
                "code_challenge": s256_challenge(code_verifier),
                "code_challenge_method": "S256",
            }
        url: str = prepare_grant_uri(
            self.config.authorize_url,
            self._client_id,
            "code",
            redirect_uri=self.redirect_uri,
            scope=list(self.config.scopes) or None,
            state=state,
            **extra,
        )
        return url

    async def _token_request(self, grant_type: str, **fields: str | None) -> OAuth2Tokens:
        headers: dict[str, str] = {"Accept": "application/json"}
        if self._client_secret is not None and self.config.client_secret_basic:
            pair = f"{self._client_id}:{self._client_secret}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        else:
            fields["client_id"] = self._client_id
            fields["client_secret"] = self._client_secret
        body = prepare_token_request(grant_type, **fields)
        response = await self._http.post(
            self.config.token_url, form=url_decode(body), headers=headers
        )
        return self._tokens(response.json())

    def _tokens(self, payload: Any) -> OAuth2Tokens:
        if not isinstance(payload, dict) or not payload.get("access_token"):
            raise AuthenticationFailed(
                f"{self._http.broker} answered without an access token", broker=self._http.broker
            )
        now = self._clock()
        refresh_expires_in = next(
            (payload[name] for name in REFRESH_EXPIRES_IN_FIELDS if payload.get(name)), None
        )
        tokens = OAuth2Tokens(
            access_token=str(payload["access_token"]),
            refresh_token=payload.get("refresh_token") or None,
            expires_at=_after(now, payload.get("expires_in")),
            token_type=str(payload.get("token_type") or "Bearer"),
            scope=payload.get("scope") or None,
            refresh_expires_at=_after(now, refresh_expires_in),
        )
        register_secret(tokens.access_token)
        register_secret(tokens.refresh_token)
        return tokens

    async def exchange_code(self, code: str, code_verifier: str | None) -> OAuth2Tokens:
        """Trade an authorization code (and the PKCE verifier) for tokens.

        Raises:
            AuthenticationFailed: the server refused the code or the verifier.
        """
        tokens = await self._token_request(
            "authorization_code",
            code=code,
            redirect_uri=self.redirect_uri,
            code_verifier=code_verifier,
        )
        lifetime = self.config.refresh_token_lifetime_seconds
        if tokens.refresh_token and tokens.refresh_expires_at is None and lifetime is not None:
            tokens = replace(tokens, refresh_expires_at=_after(self._clock(), lifetime))
        return tokens

    async def refresh(
        self, refresh_token: str, refresh_expires_at: datetime | None = None
    ) -> OAuth2Tokens:
        """Return fresh tokens; the old refresh token is kept if the server sends no new one.

        A rotated refresh token keeps the old one's end (``refresh_expires_at``) unless the
        server states a new lifetime: a fixed lifetime counts from the user's authorization.

        Raises:
            ReauthorizationRequired: the refresh token was rejected (expired, revoked, reused).
        """
        tokens = await self._token_request("refresh_token", refresh_token=refresh_token)
        if tokens.refresh_token is None:
            tokens = replace(tokens, refresh_token=refresh_token)
        if tokens.refresh_expires_at is None:
            tokens = replace(tokens, refresh_expires_at=refresh_expires_at)
        return tokens

    async def revoke(self, token: str) -> None:
        """Revoke ``token`` (RFC 7009); nothing to do where the broker has no endpoint."""
        if self.config.revoke_url:
            form = [("token", token), ("client_id", self._client_id)]
            await self._http.post(self.config.revoke_url, form=form)

    async def close(self) -> None:
        """Close the HTTP client."""
        await self._http.close()
