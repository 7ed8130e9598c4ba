"""The OAuth connect flows of every OAuth broker, driven by the ``oauth`` of its BrokerSpec.

``initiate`` starts a handshake and returns the URL the user opens; ``complete`` finishes it
with the verification code (OAuth 1.0a) or the code and state (OAuth 2.0), then connects the
broker's accounts through :meth:`ConnectionService.connect` with the tokens as credentials.
Handshakes are stored (secrets through the vault), expire after :data:`HANDSHAKE_LIFETIME` and
are single use: a replayed or forged ``state`` finds nothing and is refused.

The application's own credentials (E*TRADE consumer key and secret, an OAuth 2.0 client id and
secret) come from the request or from settings (``BROKERHUB_<BROKER>_CONSUMER_KEY`` /
``_CONSUMER_SECRET``, ``_CLIENT_ID`` / ``_CLIENT_SECRET``, or the E*TRADE seed's config.ini).
``BROKERHUB_<BROKER>_BASE_URL`` sends the whole flow to one host instead (an emulator).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from brokerhub.auth.oauth1 import OAuth1Client, OAuth1Config, TokenPair
from brokerhub.auth.oauth2 import OAuth2Client, OAuth2Config, new_code_verifier, new_state
from brokerhub.auth.tokens import (
    OAUTH1_EXPIRES_AT_FIELD,
    REAUTHORIZATION_REQUIRED,
    oauth1_expires_at,
)
from brokerhub.auth.vault import Vault
from brokerhub.brokers.base import BrokerSpec
from brokerhub.config import Settings, broker_base_url_override
from brokerhub.connections.service import ConnectionService, ConnectOptions
from brokerhub.core.clock import utcnow
from brokerhub.errors import ValidationFailed
from brokerhub.store.enums import ConnectionStatus, Environment
from brokerhub.store.models import ConnectionRow, OAuthHandshakeRow
from brokerhub.store.repos import oauth_handshakes as handshake_repo

HANDSHAKE_LIFETIME = timedelta(minutes=10)
INVALID_STATE = "Invalid or expired OAuth state; start the authorization again"
CALLBACK_PATH = "/brokerage_integrations/brokerages/{brokerage}/oauth/callback"


def _hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


@dataclass(frozen=True)
class OAuthStart:
    """A started handshake: where to send the user, and the state that names the handshake."""

    brokerage_name: str
    auth_method: str
    authorization_url: str
    state: str
    environment: Environment
    expires_at: datetime


@dataclass(frozen=True)
class AuthStatus:
    """Where a user stands with one OAuth brokerage."""

    brokerage_name: str
    authenticated: bool
    reauthorization_required: bool
    pending: bool
    connections: list[ConnectionRow]


class OAuthService:
    """The OAuth use cases; every handshake belongs to the user who started it."""

    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        vault: Vault,
        connections: ConnectionService,
        settings: Settings,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._vault = vault
        self._connections = connections
        self._settings = settings
        self._clock = clock

    def _oauth(self, brokerage_name: str) -> tuple[BrokerSpec, OAuth1Config | OAuth2Config]:
        spec = self._connections.spec(brokerage_name)
        if spec.oauth is None:
            raise ValidationFailed(f"Brokerage {brokerage_name} does not connect with OAuth")
        override = broker_base_url_override(brokerage_name)
        return spec, spec.oauth.rebased(override) if override else spec.oauth

    def _app_credentials(
        self, spec: BrokerSpec, key: str | None, secret: str | None
    ) -> tuple[str, str | None]:
        oauth1 = isinstance(spec.oauth, OAuth1Config)
        key_name, secret_name = (
            ("consumer_key", "consumer_secret") if oauth1 else ("client_id", "client_secret")
        )
        key = key or _setting(self._settings, f"{spec.name}_{key_name}")
        secret = secret or _setting(self._settings, f"{spec.name}_{secret_name}")
        if not key or (oauth1 and not secret):
            needed = f"{key_name} and {secret_name}" if oauth1 else key_name
            variables = f"BROKERHUB_{spec.name.upper()}_{key_name.upper()}"
            raise ValidationFailed(
                f"{spec.display_name} needs the application's {needed}: send them in the "
                f"request or set {variables} (and its secret)"
            )
        return key, secret

    def default_redirect_uri(self, brokerage_name: str) -> str:
        """Return this server's OAuth 2.0 callback URL for ``brokerage_name``."""
        path = CALLBACK_PATH.format(brokerage=brokerage_name)
        return f"http://{self._settings.host}:{self._settings.port}{path}"

    async def initiate(
        self,
        *,
        user_id: int,
        brokerage_name: str,
        use_sandbox: bool = True,
        app_key: str | None = None,
        app_secret: str | None = None,
        redirect_uri: str | None = None,
    ) -> OAuthStart:
        """Start a handshake and return the URL where the user authorizes the hub.

        Raises:
            ValidationFailed: unknown or non-OAuth brokerage, or no application credentials.
            AuthenticationFailed: the broker refused the application credentials.
        """
        spec, config = self._oauth(brokerage_name)
        key, secret = self._app_credentials(spec, app_key, app_secret)
        environment = Environment.SANDBOX if use_sandbox else Environment.PRODUCTION
        state = new_state()
        sealed: dict[str, Any] = {"app_key": key, "app_secret": secret}
        if isinstance(config, OAuth1Config):
            client = OAuth1Client(config, key, secret or "", broker=spec.name)
            try:
                request_token = await client.fetch_request_token()
            finally:
                await client.close()
            url = client.authorization_url(request_token)
            sealed |= {"request_token": request_token.token, "request_secret": request_token.secret}
        else:
            redirect = redirect_uri or self.default_redirect_uri(spec.name)
            verifier = new_code_verifier() if config.use_pkce else None
            url = OAuth2Client(config, key, secret, redirect, broker=spec.name).authorization_url(
                state, verifier
            )
            sealed |= {"code_verifier": verifier, "redirect_uri": redirect}
        expires_at = self._clock() + HANDSHAKE_LIFETIME
        async with self._sessions.begin() as session:
            await handshake_repo.purge_expired(session, now=self._clock())
            await handshake_repo.create(
                session,
                user_id=user_id,
                brokerage_name=spec.name,
                environment=environment,
                state_hash=_hash(state),
                secrets_encrypted=self._vault.encrypt(sealed),
                expires_at=expires_at,
            )
        return OAuthStart(spec.name, spec.auth_method.value, url, state, environment, expires_at)

    async def complete(
        self,
        *,
        user_id: int | None,
        brokerage_name: str,
        verification_code: str | None = None,
        code: str | None = None,
        state: str | None = None,
        account_name: str | None = None,
    ) -> list[ConnectionRow]:
        """Finish a handshake and connect the accounts it gives access to.

        Args:
            user_id: the user; None only from the OAuth 2.0 callback, where the state names it.
            brokerage_name: the brokerage.
            verification_code: the code the user copied (OAuth 1.0a).
            code: the authorization code (OAuth 2.0).
            state: the state of the handshake (required for OAuth 2.0).
            account_name: a name for the connected account.

        Raises:
            ValidationFailed: missing code, or no live handshake for this state (replayed,
                forged, expired or another brokerage's).
            AuthenticationFailed: the broker refused the code or verifier.
        """
        spec, config = self._oauth(brokerage_name)
        oauth1 = isinstance(config, OAuth1Config)
        if oauth1 and not (verification_code or "").strip():
            raise ValidationFailed("verification_code is required")
        if not oauth1 and not (code and state):
            raise ValidationFailed("code and state are required")
        row = await self._take(spec.name, user_id, state)
        secrets = self._vault.decrypt(row.secrets_encrypted, owner=f"OAuth handshake {row.id}")
        if isinstance(config, OAuth1Config):
            credentials = await self._oauth1_tokens(spec, config, secrets, str(verification_code))
        else:
            credentials = await self._oauth2_tokens(spec, config, secrets, str(code))
        credentials["sandbox"] = row.environment is not Environment.PRODUCTION
        return await self._connections.connect(
            user_id=row.user_id,
            brokerage_name=spec.name,
            credentials=credentials,
            options=ConnectOptions(environment=row.environment, account_name=account_name),
        )

    async def _take(
        self, brokerage_name: str, user_id: int | None, state: str | None
    ) -> OAuthHandshakeRow:
        async with self._sessions.begin() as session:
            row: OAuthHandshakeRow | None
            if state:
                row = await handshake_repo.take_by_state(
                    session, brokerage_name=brokerage_name, state_hash=_hash(state), user_id=user_id
                )
            elif user_id is not None:
                row = await handshake_repo.take_latest(
                    session, user_id=user_id, brokerage_name=brokerage_name
                )
            else:
                row = None
        if row is None or row.expires_at <= self._clock():
            raise ValidationFailed(INVALID_STATE)
        return row

    async def _oauth1_tokens(
        self, spec: BrokerSpec, config: OAuth1Config, secrets: dict[str, Any], verifier: str
    ) -> dict[str, Any]:
        key, secret = str(secrets["app_key"]), str(secrets["app_secret"])
        client = OAuth1Client(config, key, secret, broker=spec.name)
        request_token = TokenPair(secrets["request_token"], secrets["request_secret"])
        try:
            access = await client.fetch_access_token(request_token, verifier)
        finally:
            await client.close()
        credentials: dict[str, Any] = {
            "consumer_key": key,
            "consumer_secret": secret,
            "oauth_token": access.token,
            "oauth_token_secret": access.secret,
        }
        if config.expires_at_market_midnight:
            credentials[OAUTH1_EXPIRES_AT_FIELD] = oauth1_expires_at(self._clock()).isoformat()
        return credentials

    async def _oauth2_tokens(
        self, spec: BrokerSpec, config: OAuth2Config, secrets: dict[str, Any], code: str
    ) -> dict[str, Any]:
        key, secret = str(secrets["app_key"]), secrets.get("app_secret")
        client = OAuth2Client(config, key, secret, secrets["redirect_uri"], broker=spec.name)
        try:
            tokens = await client.exchange_code(code, secrets.get("code_verifier"))
        finally:
            await client.close()
        credentials: dict[str, Any] = {"client_id": key, **tokens.as_credentials()}
        if secret:
            credentials["client_secret"] = secret
        return credentials

    async def status(self, *, user_id: int, brokerage_name: str) -> AuthStatus:
        """Return whether the user is connected, must re-authorize, or has a flow pending."""
        spec, _ = self._oauth(brokerage_name)
        rows = [
            row
            for row in await self._connections.list(user_id=user_id)
            if row.brokerage_name == spec.name
        ]
        async with self._sessions() as session:
            pending = await handshake_repo.pending(
                session, user_id=user_id, brokerage_name=spec.name, now=self._clock()
            )
        return AuthStatus(
            brokerage_name=spec.name,
            authenticated=any(row.status is ConnectionStatus.CONNECTED for row in rows),
            reauthorization_required=any(
                row.status is ConnectionStatus.ERROR
                and (row.last_error or "").startswith(REAUTHORIZATION_REQUIRED)
                for row in rows
            ),
            pending=bool(pending),
            connections=rows,
        )


def _setting(settings: Settings, name: str) -> str | None:
    value = getattr(settings, name, None)
    if isinstance(value, SecretStr):
        return value.get_secret_value() or None
    return str(value) if value else None
