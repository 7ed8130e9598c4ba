"""OAuth 1.0a (RFC 5849) as a consumer: HMAC-SHA1 signing and the three-legged flow.

Signing is authlib's (base string, HMAC-SHA1 and the Authorization header come from
``authlib.oauth1.rfc5849``); this module only chooses the parameters. ``oauth_version`` is not
sent (it is optional, and E*TRADE's own signed example omits it). The flow, as E*TRADE uses it
(https://apisb.etrade.com/docs/api/authorization/):

1. :meth:`OAuth1Client.fetch_request_token` with ``oauth_callback=oob``;
2. the user opens :meth:`OAuth1Client.authorization_url` and copies the verification code;
3. :meth:`OAuth1Client.fetch_access_token` trades request token + verifier for the access token;
4. :meth:`OAuth1Client.renew` reactivates an idle access token, :meth:`OAuth1Client.revoke`
   ends it.

Every token obtained is registered with the log redactor.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from urllib.parse import urlencode, urlsplit

from authlib.common.security import generate_token  # type: ignore[import-untyped]
from authlib.common.urls import url_decode  # type: ignore[import-untyped]
from authlib.oauth1.rfc5849.parameters import prepare_headers  # type: ignore[import-untyped]
from authlib.oauth1.rfc5849.signature import (  # type: ignore[import-untyped]
    construct_base_string,
    hmac_sha1_signature,
)

from brokerhub.brokers.http import HttpClient, HttpResponse, OutgoingRequest, Timeouts
from brokerhub.errors import AuthenticationFailed, BrokerHubError, ReauthorizationRequired
from brokerhub.logging import register_secret

SIGNATURE_METHOD = "HMAC-SHA1"
OUT_OF_BAND = "oob"
_PROBLEM = re.compile(r"oauth_problem=([a-z_]+)")
# oauth_problem values (RFC 5849 problem reporting) that mean the token is gone for good.
REAUTHORIZE_PROBLEMS = frozenset({"token_expired", "token_rejected", "token_revoked"})


@dataclass(frozen=True)
class OAuth1Config:
    """Where a broker's OAuth 1.0a endpoints are and how its tokens live.

    Attributes:
        request_token_url: the temporary-credentials endpoint.
        access_token_url: the token-credentials endpoint.
        authorize_url: the page the user opens to approve access.
        renew_url: reactivates an idle access token (E*TRADE), if the broker has one.
        revoke_url: ends an access token, if the broker has one.
        authorize_query: query parameters of the authorize page; ``{consumer_key}`` and
            ``{token}`` are filled in (E*TRADE: ``key`` and ``token``).
        callback: ``oob`` (the user copies a code) or a registered callback URL.
        expires_at_market_midnight: access tokens die at the next midnight US Eastern.
        idle_timeout_seconds: access tokens go inactive after this long without a call.
    """

    request_token_url: str
    access_token_url: str
    authorize_url: str
    renew_url: str | None = None
    revoke_url: str | None = None
    authorize_query: tuple[tuple[str, str], ...] = (("oauth_token", "{token}"),)
    callback: str = OUT_OF_BAND
    expires_at_market_midnight: bool = False
    idle_timeout_seconds: float | None = None

    def rebased(self, base_url: str) -> OAuth1Config:
        """Return this config with every endpoint's host replaced by ``base_url`` (an emulator)."""
        return replace(
            self,
            request_token_url=rebase_url(self.request_token_url, base_url),
            access_token_url=rebase_url(self.access_token_url, base_url),
            authorize_url=rebase_url(self.authorize_url, base_url),
            renew_url=rebase_url(self.renew_url, base_url) if self.renew_url else None,
            revoke_url=rebase_url(self.revoke_url, base_url) if self.revoke_url else None,
        )


def rebase_url(url: str, base_url: str) -> str:
    """Return ``url`` with its scheme and host replaced by ``base_url`` (path and query kept)."""
    parts = urlsplit(url)
    return base_url.rstrip("/") + parts.path + (f"?{parts.query}" if parts.query else "")


@dataclass(frozen=True)
class TokenPair:
    """An OAuth 1.0a token and its secret (request token or access token)."""

    token: str
    secret: str


class OAuth1Signer:
    """Sign requests with HMAC-SHA1 in the Authorization header (a ``RequestAuth``).

    Args:
        consumer_key: the application's key.
        consumer_secret: the application's secret.
        token: the request or access token; None when asking for a request token.
        callback: ``oauth_callback`` (request-token calls only).
        verifier: ``oauth_verifier`` (access-token calls only).
        realm: the optional ``realm`` of the header (never signed).
    """

    def __init__(
        self,
        consumer_key: str,
        consumer_secret: str,
        token: TokenPair | None = None,
        *,
        callback: str | None = None,
        verifier: str | None = None,
        realm: str | None = None,
    ) -> None:
        self._consumer_key = consumer_key
        self._consumer_secret = consumer_secret
        self._token = token
        self._callback = callback
        self._verifier = verifier
        self._realm = realm

    def oauth_params(self, nonce: str, timestamp: str) -> list[tuple[str, str]]:
        """Return the protocol parameters (without the signature) in header order."""
        params = [
            ("oauth_consumer_key", self._consumer_key),
            ("oauth_nonce", nonce),
            ("oauth_signature_method", SIGNATURE_METHOD),
            ("oauth_timestamp", timestamp),
        ]
        if self._token is not None:
            params.append(("oauth_token", self._token.token))
        if self._callback is not None:
            params.append(("oauth_callback", self._callback))
        if self._verifier is not None:
            params.append(("oauth_verifier", self._verifier))
        return params

    def base_string(
        self,
        method: str,
        url: str,
        form: Sequence[tuple[str, str]] | None = None,
        *,
        nonce: str,
        timestamp: str,
    ) -> str:
        """Return the signature base string (RFC 5849 section 3.4.1).

        Args:
            method: the HTTP method.
            url: the absolute URL, query percent-encoded as sent.
            form: the decoded fields of an ``application/x-www-form-urlencoded`` body.
            nonce: ``oauth_nonce``.
            timestamp: ``oauth_timestamp`` (epoch seconds).
        """
        query = url_decode(urlsplit(url).query) or []
        params = [*query, *(form or ()), *self.oauth_params(nonce, timestamp)]
        base: str = construct_base_string(method, url, params)
        return base

    def signature(
        self,
        method: str,
        url: str,
        form: Sequence[tuple[str, str]] | None = None,
        *,
        nonce: str,
        timestamp: str,
    ) -> str:
        """Return ``oauth_signature``: base64 HMAC-SHA1 keyed by both encoded secrets."""
        base = self.base_string(method, url, form, nonce=nonce, timestamp=timestamp)
        token_secret = self._token.secret if self._token is not None else ""
        signature: str = hmac_sha1_signature(base, self._consumer_secret, token_secret)
        return signature

    def authorization(
        self,
        method: str,
        url: str,
        form: Sequence[tuple[str, str]] | None = None,
        *,
        nonce: str | None = None,
        timestamp: str | None = None,
    ) -> str:
        """Return the ``Authorization: OAuth ...`` header value for one request."""
        nonce = nonce or generate_token(32)
        timestamp = timestamp or str(int(time.time()))
        signature = self.signature(method, url, form, nonce=nonce, timestamp=timestamp)
        params = [*self.oauth_params(nonce, timestamp), ("oauth_signature", signature)]
        header: str = prepare_headers(params, {}, realm=self._realm)["Authorization"]
        return header

    async def authorize(self, request: OutgoingRequest) -> None:
        """Sign ``request`` (form fields are signed; other bodies are not, per RFC 5849)."""
        request.headers["Authorization"] = self.authorization(
            request.method, request.url, request.form
        )


def oauth_problem_error(response: HttpResponse, broker: str) -> BrokerHubError | None:
    """Return the hub error of a 401 naming an ``oauth_problem``, or None."""
    problem = _PROBLEM.search(response.text())
    if response.status != 401 or problem is None:
        return None
    kind = ReauthorizationRequired if problem[1] in REAUTHORIZE_PROBLEMS else AuthenticationFailed
    return kind(
        f"{broker} refused the OAuth request ({problem[1]})", broker=broker, broker_code=problem[1]
    )


class OAuth1Client:
    """The consumer side of the three-legged flow for one application key.

    Args:
        config: the broker's endpoints.
        consumer_key: the application's key.
        consumer_secret: the application's secret.
        broker: the broker id (errors, logs).
        timeouts: timeouts of each call.
    """

    def __init__(
        self,
        config: OAuth1Config,
        consumer_key: str,
        consumer_secret: str,
        *,
        broker: str,
        timeouts: Timeouts | None = None,
    ) -> None:
        self.config = config
        self._consumer_key = consumer_key
        self._consumer_secret = consumer_secret
        register_secret(consumer_secret)
        self._http = HttpClient(
            broker=broker,
            base_url=config.access_token_url,
            timeouts=timeouts,
            error_mapper=lambda response: oauth_problem_error(response, broker),
        )

    def signer(self, token: TokenPair | None = None, **kwargs: str) -> OAuth1Signer:
        """Return a signer for this application and ``token``."""
        return OAuth1Signer(self._consumer_key, self._consumer_secret, token, **kwargs)

    async def _call(self, url: str, signer: OAuth1Signer) -> HttpResponse:
        # Token calls are not retried: a replayed nonce would be refused.
        header = {"Authorization": signer.authorization("GET", url)}
        return await self._http.get(url, headers=header, idempotent=False)

    async def _token(self, url: str, signer: OAuth1Signer) -> TokenPair:
        answer = dict(url_decode((await self._call(url, signer)).text().strip()) or [])
        token, secret = answer.get("oauth_token"), answer.get("oauth_token_secret")
        if not token or not secret:
            raise AuthenticationFailed(
                f"{self._http.broker} answered without oauth_token and oauth_token_secret",
                broker=self._http.broker,
            )
        register_secret(token)
        register_secret(secret)
        return TokenPair(token, secret)

    async def fetch_request_token(self) -> TokenPair:
        """Return a request token (temporary credentials) for the configured callback."""
        return await self._token(
            self.config.request_token_url, self.signer(callback=self.config.callback)
        )

    def authorization_url(self, request_token: TokenPair) -> str:
        """Return the page where the user approves access for ``request_token``."""
        values = {"consumer_key": self._consumer_key, "token": request_token.token}
        query = urlencode(
            [(name, value.format(**values)) for name, value in self.config.authorize_query]
        )
        separator = "&" if "?" in self.config.authorize_url else "?"
        return f"{self.config.authorize_url}{separator}{query}"

    async def fetch_access_token(self, request_token: TokenPair, verifier: str) -> TokenPair:
        """Trade an approved request token and the user's verification code for an access token.

        Raises:
            AuthenticationFailed: a wrong or used verifier, or an unknown request token.
        """
        return await self._token(
            self.config.access_token_url, self.signer(request_token, verifier=verifier.strip())
        )

    async def renew(self, access_token: TokenPair) -> None:
        """Reactivate an access token that went idle.

        Raises:
            ReauthorizationRequired: the token expired or was revoked.
        """
        if self.config.renew_url:
            await self._call(self.config.renew_url, self.signer(access_token))

    async def revoke(self, access_token: TokenPair) -> None:
        """Revoke an access token (no-op where the broker has no revoke endpoint)."""
        if self.config.revoke_url:
            await self._call(self.config.revoke_url, self.signer(access_token))

    async def close(self) -> None:
        """Close the HTTP client."""
        await self._http.close()
