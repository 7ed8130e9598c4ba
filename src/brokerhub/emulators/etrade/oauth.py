"""The emulator's OAuth 1.0a provider: consumers, request and access tokens, and checks.

Signatures are verified by oauthlib's server-side endpoints (HMAC-SHA1 only, as E*TRADE
allows). A refused request is answered the way E*TRADE answers it: HTTP 401 with a Tomcat
HTML page whose heading reads ``HTTP Status 401 - oauth_problem=<problem>``
(jessecooper/pyetrade issues #4, #5, #38, #55). The problems used:

* ``consumer_key_rejected``: unknown consumer key.
* ``timestamp_refused``: ``oauth_timestamp`` more than 5 minutes off (the page also names
  ``oauth_acceptable_timestamps``).
* ``nonce_used``: the nonce was already seen with that consumer and timestamp.
* ``token_rejected``: unknown, revoked or not-yet-authorized token.
* ``token_expired``: an access token past midnight US Eastern of its day, or one left idle
  for 2 hours (the idle one is brought back by ``renew_access_token``).
* ``signature_invalid``: anything else, including a wrong signature.

Token lifetimes follow https://apisb.etrade.com/docs/api/authorization/get_access_token.html.
"""

from __future__ import annotations

import secrets
import string
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar

from oauthlib.common import Request
from oauthlib.oauth1 import (
    AccessTokenEndpoint,
    RequestTokenEndpoint,
    RequestValidator,
    ResourceEndpoint,
)
from oauthlib.oauth1.rfc5849.utils import parse_authorization_header

from brokerhub.core.clock import next_market_midnight
from brokerhub.sim.clock import SimClock

TIMESTAMP_WINDOW_SECONDS = 300
IDLE_LIMIT = timedelta(hours=2)
VERIFIER_ALPHABET = string.ascii_uppercase + string.digits
VERIFIER_LENGTH = 5


@dataclass
class RequestToken:
    """A request token on its way to becoming an access token."""

    consumer_key: str
    secret: str
    verifier: str | None = None


@dataclass
class AccessToken:
    """An access token: valid until ``expires_at``, inactive after 2 hours without a call."""

    consumer_key: str
    secret: str
    expires_at: datetime
    last_used: datetime
    revoked: bool = False


@dataclass
class OAuthState:
    """Everything the provider remembers: consumers, tokens and nonces seen."""

    consumers: dict[str, str] = field(default_factory=dict)
    request_tokens: dict[str, RequestToken] = field(default_factory=dict)
    access_tokens: dict[str, AccessToken] = field(default_factory=dict)
    nonces: set[tuple[str, str, str]] = field(default_factory=set)


class OAuthRefused(Exception):
    """A request failed its OAuth checks; ``problem`` is E*TRADE's ``oauth_problem``."""

    def __init__(self, problem: str, detail: str = "") -> None:
        super().__init__(problem)
        self.problem = problem
        self.detail = detail


class _Validator(RequestValidator):
    """oauthlib's questions answered from :class:`OAuthState`, noting the first problem."""

    def __init__(self, provider: OAuthProvider) -> None:
        super().__init__()
        self._provider = provider
        self._state = provider.state
        self.problems: list[str] = []

    def _note(self, problem: str) -> bool:
        self.problems.append(problem)
        return False

    allowed_signature_methods = ("HMAC-SHA1",)
    enforce_ssl = False
    timestamp_lifetime = TIMESTAMP_WINDOW_SECONDS
    client_key_length = (8, 128)
    request_token_length = (8, 128)
    access_token_length = (8, 128)
    nonce_length = (4, 128)
    verifier_length = (VERIFIER_LENGTH, VERIFIER_LENGTH)
    dummy_client = "dummy-consumer-key"
    dummy_request_token = "dummy-request-token"  # noqa: S105 - oauthlib's decoy
    dummy_access_token = "dummy-access-token"  # noqa: S105 - oauthlib's decoy
    safe_characters: ClassVar[set[str]] = set(string.ascii_letters + string.digits + "-_")

    def check_nonce(self, nonce: str) -> bool:
        return 4 <= len(nonce) <= 128

    def get_client_secret(self, client_key: str, request: Request) -> str:
        return self._state.consumers.get(client_key, "dummy-secret")

    def get_request_token_secret(self, client_key: str, token: str, request: Request) -> str:
        found = self._state.request_tokens.get(token)
        return found.secret if found else "dummy-secret"

    def get_access_token_secret(self, client_key: str, token: str, request: Request) -> str:
        found = self._state.access_tokens.get(token)
        return found.secret if found else "dummy-secret"

    def get_default_realms(self, client_key: str, request: Request) -> list[str]:
        return []

    def get_realms(self, token: str, request: Request) -> list[str]:
        return []

    def validate_client_key(self, client_key: str, request: Request) -> bool:
        return client_key in self._state.consumers or self._note("consumer_key_rejected")

    def validate_timestamp_and_nonce(
        self,
        client_key: str,
        timestamp: str,
        nonce: str,
        request: Request,
        request_token: str | None = None,
        access_token: str | None = None,
    ) -> bool:
        seen = (client_key, timestamp, nonce)
        if seen in self._state.nonces:
            return self._note("nonce_used")
        self._state.nonces.add(seen)
        return True

    def validate_redirect_uri(self, client_key: str, redirect_uri: str, request: Request) -> bool:
        return redirect_uri == "oob" or redirect_uri.startswith(("http://", "https://"))

    def validate_requested_realms(
        self, client_key: str, realms: list[str], request: Request
    ) -> bool:
        return True

    def validate_realms(
        self,
        client_key: str,
        token: str,
        request: Request,
        uri: str | None = None,
        realms: list[str] | None = None,
    ) -> bool:
        return True

    def validate_request_token(self, client_key: str, token: str, request: Request) -> bool:
        found = self._state.request_tokens.get(token)
        if found is None or found.consumer_key != client_key:
            return self._note("token_rejected")
        return True

    def validate_verifier(
        self, client_key: str, token: str, verifier: str, request: Request
    ) -> bool:
        found = self._state.request_tokens.get(token)
        if found is None or found.verifier is None:
            return self._note("token_rejected")
        return secrets.compare_digest(found.verifier, verifier) or self._note("token_rejected")

    def validate_access_token(self, client_key: str, token: str, request: Request) -> bool:
        found = self._state.access_tokens.get(token)
        if found is None or found.revoked or found.consumer_key != client_key:
            return self._note("token_rejected")
        now = self._provider.clock.now()
        if now >= found.expires_at:
            return self._note("token_expired")
        if now - found.last_used >= IDLE_LIMIT and not self._provider.renewing:
            return self._note("token_expired")
        return True

    def verify_request_token(self, token: str, request: Request) -> bool:
        return token in self._state.request_tokens

    def save_request_token(self, token: Any, request: Request) -> None:
        self._state.request_tokens[token["oauth_token"]] = RequestToken(
            consumer_key=str(request.client_key), secret=token["oauth_token_secret"]
        )

    def invalidate_request_token(
        self, client_key: str, request_token: str, request: Request
    ) -> None:
        self._state.request_tokens.pop(request_token, None)

    def save_access_token(self, token: Any, request: Request) -> None:
        now = self._provider.clock.now()
        self._state.access_tokens[token["oauth_token"]] = AccessToken(
            consumer_key=str(request.client_key),
            secret=token["oauth_token_secret"],
            expires_at=next_market_midnight(now),
            last_used=now,
        )


@dataclass(frozen=True)
class SignedCall:
    """The request as oauthlib needs it: the URL the client signed, method, headers, body."""

    uri: str
    method: str
    headers: Mapping[str, str]
    body: str | None = None


class OAuthProvider:
    """E*TRADE's OAuth 1.0a service over :class:`OAuthState`; thread-safe.

    Args:
        clock: the source of now for token lifetimes (nonces and timestamps use wall time,
            as the signing client does).
        consumers: consumer key to consumer secret.
    """

    def __init__(self, clock: SimClock, consumers: Mapping[str, str]) -> None:
        self.clock = clock
        self.state = OAuthState(consumers=dict(consumers))
        self.renewing = False
        self._lock = threading.Lock()

    def _refuse(self, validator: _Validator, call: SignedCall) -> OAuthRefused:
        if validator.problems:
            return OAuthRefused(validator.problems[0])
        params = extra_params(call.headers)
        stamp = params.get("oauth_timestamp", "")
        now = int(time.time())
        if stamp.isdigit() and abs(now - int(stamp)) > TIMESTAMP_WINDOW_SECONDS:
            window = f"{now - TIMESTAMP_WINDOW_SECONDS}-{now + TIMESTAMP_WINDOW_SECONDS}"
            return OAuthRefused("timestamp_refused", f"oauth_acceptable_timestamps={window}")
        if params.get("oauth_consumer_key") not in self.state.consumers:
            return OAuthRefused("consumer_key_rejected")
        return OAuthRefused("signature_invalid")

    def request_token(self, call: SignedCall) -> str:
        """Return the form-encoded request token answer.

        Raises:
            OAuthRefused: the request failed a check.
        """
        with self._lock:
            validator = _Validator(self)
            endpoint = RequestTokenEndpoint(validator)
            _, body, status = endpoint.create_request_token_response(
                call.uri, call.method, call.body, dict(call.headers)
            )
            if status != 200 or body is None:
                raise self._refuse(validator, call)
            return str(body)

    def authorize(self, consumer_key: str, token: str) -> str:
        """Return the verification code the user would copy from E*TRADE's page.

        Raises:
            OAuthRefused: the key or the token is unknown.
        """
        with self._lock:
            found = self.state.request_tokens.get(token)
            if found is None or found.consumer_key != consumer_key:
                raise OAuthRefused("token_rejected")
            if found.verifier is None:
                found.verifier = "".join(
                    secrets.choice(VERIFIER_ALPHABET) for _ in range(VERIFIER_LENGTH)
                )
            return found.verifier

    def access_token(self, call: SignedCall) -> str:
        """Exchange an authorized request token for a form-encoded access token answer.

        Raises:
            OAuthRefused: the request failed a check.
        """
        with self._lock:
            validator = _Validator(self)
            endpoint = AccessTokenEndpoint(validator)
            _, body, status = endpoint.create_access_token_response(
                call.uri, call.method, call.body, dict(call.headers)
            )
            if status != 200 or body is None:
                raise self._refuse(validator, call)
            return str(body)

    def verify(self, call: SignedCall, *, renewing: bool = False) -> str:
        """Check a signed API call and return its consumer key; the token counts as used.

        Args:
            call: the request.
            renewing: accept an idle token (the renew endpoint reactivates it).

        Raises:
            OAuthRefused: the request failed a check.
        """
        with self._lock:
            validator = _Validator(self)
            self.renewing = renewing
            try:
                valid, request = ResourceEndpoint(validator).validate_protected_resource_request(
                    call.uri, call.method, call.body, dict(call.headers)
                )
            finally:
                self.renewing = False
            if not valid or request is None:
                raise self._refuse(validator, call)
            token = self.state.access_tokens[request.resource_owner_key]
            token.last_used = self.clock.now()
            return str(request.client_key)

    def revoke(self, call: SignedCall) -> None:
        """Check a signed call and revoke its access token.

        Raises:
            OAuthRefused: the request failed a check.
        """
        self.verify(call)
        params = extra_params(call.headers)
        with self._lock:
            self.state.access_tokens[params["oauth_token"]].revoked = True

    def expire_all(self) -> None:
        """Expire every access token now (a test hook: as if midnight ET had passed)."""
        with self._lock:
            now = self.clock.now()
            for token in self.state.access_tokens.values():
                token.expires_at = now


def new_consumer() -> tuple[str, str]:
    """Return a fresh (consumer key, consumer secret) pair shaped like E*TRADE's (hex)."""
    return secrets.token_hex(16), secrets.token_hex(32)


def unauthorized_page(problem: str, detail: str = "") -> str:
    """Return E*TRADE's Tomcat-style HTML 401 page for ``problem``."""
    message = f"oauth_problem={problem}" + (f",{detail}" if detail else "")
    return (
        "<html><head><title> - Error report</title><style></style> </head><body>"
        f'<h1>HTTP Status 401 - {message}</h1><HR size="1" noshade="noshade">'
        f"<p><b>type</b> Status report</p><p><b>message</b> <u>{message}</u></p>"
        "<p><b>description</b> <u>This request requires HTTP authentication "
        f'({message}).</u></p><HR size="1" noshade="noshade"><h3></h3></body></html>'
    )


def extra_params(headers: Mapping[str, Any]) -> dict[str, str]:
    """Return the ``oauth_*`` parameters of the Authorization header (empty if malformed)."""
    value = headers.get("authorization") or headers.get("Authorization") or ""
    try:
        return dict(parse_authorization_header(str(value)))
    except ValueError:
        return {}
