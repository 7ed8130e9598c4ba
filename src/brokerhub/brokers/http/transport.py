"""The one way an adapter makes a request: :class:`HttpClient` over a pooled aiohttp session.

Every call goes through the same steps: wait for the endpoint family's rate limit, let the
auth hook sign or renew, send with connect/read/total timeouts, map a failure onto the error
tree, retry idempotent requests by the :class:`RetryPolicy`, and log one redacted line per
attempt (method, path with account numbers masked, status, duration, attempt). Redirects are
never followed. aiohttp was chosen by measurement (bench/g2_transport_fanout.py): with 50
requests in flight it holds several thousand calls/s where httpx.AsyncClient falls to a few
hundred.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace, TracebackType
from typing import Any, Protocol, runtime_checkable
from urllib.parse import quote, urlencode

import aiohttp
import simplejson
import structlog
from yarl import URL

from brokerhub.brokers.http.errors import ErrorMapper, error_for_status
from brokerhub.brokers.http.ratelimit import Limit, Permit, RateLimiter, local_rate_limiter
from brokerhub.brokers.http.response import HttpResponse
from brokerhub.brokers.http.retry import IDEMPOTENT_METHODS, RetryPolicy
from brokerhub.errors import BrokerHubError, BrokerTimeout, NetworkError, ReauthorizationRequired
from brokerhub.logging import mask_account, redact_text

LOGGER_NAME = "brokerhub.http"
log = structlog.get_logger(LOGGER_NAME)
# Looked up once: logging.getLogger takes the logging module's lock on every call.
_level_gate = logging.getLogger(LOGGER_NAME)

DEFAULT_FAMILY = "default"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
JSON_CONTENT_TYPE = "application/json"
# Account numbers (4+ digits) and opaque account keys (E*TRADE's accountIdKey: 22 characters).
_ACCOUNT_LIKE = re.compile(r"^(?:(?=(?:\D*\d){4})[A-Za-z0-9_-]{6,}|[A-Za-z0-9_-]{16,})$")

Params = Mapping[str, Any] | Sequence[tuple[str, Any]]


@dataclass(frozen=True)
class Timeouts:
    """Seconds allowed to connect, between reads, and for one whole attempt."""

    connect: float = 5.0
    read: float = 30.0
    total: float = 60.0


@dataclass
class OutgoingRequest:
    """A request about to leave, as the auth hook sees it.

    ``url`` is absolute with its query already percent-encoded; ``form`` holds the decoded
    form fields when the body is ``application/x-www-form-urlencoded`` (OAuth 1.0a signs them).
    """

    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None = None
    form: list[tuple[str, str]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class RequestAuth(Protocol):
    """Adds credentials to a request, renewing or refreshing tokens first when due."""

    async def authorize(self, request: OutgoingRequest) -> None:
        """Add the credentials (usually an Authorization header) to ``request``."""


@runtime_checkable
class RefusalAware(Protocol):
    """A RequestAuth that wants to know when the broker refused its token for good."""

    async def refused(self, error: ReauthorizationRequired) -> None:
        """Record that the credentials can no longer be used (e.g. mark the connection)."""


def encode_query(params: Params | None) -> str:
    """Return ``params`` as a query string, spaces as ``%20`` (as OAuth 1.0a signs them)."""
    if not params:
        return ""
    items = params.items() if isinstance(params, Mapping) else params
    pairs = [(k, _scalar(v)) for k, v in items if v is not None]
    return urlencode(pairs, quote_via=quote, safe="-._~")


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def loggable_path(path: str) -> str:
    """Return a URL path safe to log: account-number-like segments masked, secrets redacted."""
    segments = [
        mask_account(part) if _ACCOUNT_LIKE.match(part) else part for part in path.split("/")
    ]
    return redact_text("/".join(segments))


class HttpClient:
    """A broker's HTTP client: pooled connections, limits, retries, mapping and redacted logs.

    Args:
        broker: the broker id, used in errors, logs and rate-limit keys.
        base_url: scheme and host (and any path prefix) every request path is joined to.
        rate_limits: limits per endpoint family (windows or token buckets), as the broker
            documents them.
        limit_scope: whose budget this is (e.g. a hash of the user's consumer key or the
            account); never a secret itself.
        limiter: where budgets are kept; the process's in-memory limiter by default.
        retry: the retry policy for idempotent requests.
        timeouts: connect, read and total timeouts of one attempt.
        auth: signs or authorizes each attempt.
        error_mapper: the broker's own error table, tried before the status table.
        headers: headers sent with every request (e.g. User-Agent).
        pool_size: keep-alive connections kept per host.
    """

    def __init__(
        self,
        *,
        broker: str,
        base_url: str,
        rate_limits: Mapping[str, Sequence[Limit]] | None = None,
        limit_scope: str = "",
        limiter: RateLimiter | None = None,
        retry: RetryPolicy | None = None,
        timeouts: Timeouts | None = None,
        auth: RequestAuth | None = None,
        error_mapper: ErrorMapper | None = None,
        headers: Mapping[str, str] | None = None,
        pool_size: int = 100,
    ) -> None:
        self.broker = broker
        self.base_url = base_url.rstrip("/")
        self._rate_limits = dict(rate_limits or {})
        self._limit_scope = limit_scope
        self._limiter = limiter or local_rate_limiter()
        self._retry = retry or RetryPolicy()
        self._timeouts = timeouts or Timeouts()
        self._auth = auth
        self._error_mapper = error_mapper
        self._headers = dict(headers or {})
        self._pool_size = pool_size
        # One attempt's aiohttp timeouts, built once; only an attempt late in the retry budget
        # (less time left than ``total``) needs its own.
        self._attempt_timeout = self._client_timeout(
            min(self._timeouts.total, self._retry.total_timeout)
        )
        self._session: aiohttp.ClientSession | None = None

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self._pool_size, limit_per_host=self._pool_size, keepalive_timeout=30
            )
            # The rate-limit slot is confirmed when the connection is ready, the moment before
            # the request is written, so a busy loop or a slow connect cannot bunch requests.
            traces = []
            if self._rate_limits:
                trace = aiohttp.TraceConfig()
                trace.on_connection_create_end.append(self._on_connection_ready)
                trace.on_connection_reuseconn.append(self._on_connection_ready)
                traces.append(trace)
            self._session = aiohttp.ClientSession(
                connector=connector,
                auto_decompress=True,
                raise_for_status=False,
                trace_configs=traces,
            )
        return self._session

    def url_for(self, path: str, params: Params | None = None) -> str:
        """Return the absolute URL of ``path`` (or ``path`` itself when absolute) with query."""
        url = path if "://" in path else f"{self.base_url}/{path.lstrip('/')}"
        query = encode_query(params)
        if query:
            url += ("&" if "?" in url else "?") + query
        return url

    async def get(self, path: str, **kwargs: Any) -> HttpResponse:
        """Send a GET (idempotent: retried by the policy)."""
        return await self.request("GET", path, **kwargs)

    async def post(self, path: str, **kwargs: Any) -> HttpResponse:
        """Send a POST (not retried unless ``idempotent=True``)."""
        return await self.request("POST", path, **kwargs)

    async def put(self, path: str, **kwargs: Any) -> HttpResponse:
        """Send a PUT (not retried unless ``idempotent=True``)."""
        return await self.request("PUT", path, **kwargs)

    async def delete(self, path: str, **kwargs: Any) -> HttpResponse:
        """Send a DELETE (not retried unless ``idempotent=True``)."""
        return await self.request("DELETE", path, **kwargs)

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json: Any = None,
        form: Params | None = None,
        headers: Mapping[str, str] | None = None,
        family: str = DEFAULT_FAMILY,
        idempotent: bool | None = None,
    ) -> HttpResponse:
        """Send one request and return the broker's 2xx answer.

        Args:
            method: the HTTP method.
            path: a path under ``base_url`` or an absolute URL.
            params: query parameters.
            json: a JSON body (Decimals are written exactly).
            form: form fields (``application/x-www-form-urlencoded``).
            headers: extra headers for this request.
            family: the endpoint family whose rate limits apply.
            idempotent: whether retrying is safe; by default only GET, HEAD and OPTIONS are.

        Raises:
            BrokerHubError: the mapped failure, after retries where allowed.
        """
        method = method.upper()
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        url = self.url_for(path, params)
        body, content_type, form_pairs = _encode_body(json, form)
        deadline = time.monotonic() + self._retry.total_timeout
        limits = self._rate_limits.get(family, ())
        limit_key = f"{self.broker}:{family}:{self._limit_scope}" if limits else ""
        attempt = 0
        while True:
            attempt += 1
            # Unlimited families skip the limiter: there is nothing to wait for or count.
            permit = await self._limiter.acquire(limit_key, limits) if limits else None
            outgoing = OutgoingRequest(method, url, self._request_headers(headers), body)
            if content_type:
                outgoing.headers["Content-Type"] = content_type
                outgoing.form = form_pairs
            if self._auth is not None:
                await self._auth.authorize(outgoing)
            started = time.monotonic()
            error: BrokerHubError | None = None
            response: HttpResponse | None = None
            try:
                response = await self._send(outgoing, deadline - started, permit)
                if not response.ok:
                    error = self._map(response)
            except BrokerHubError as exc:
                error = exc
            finally:
                # The broker counted the request by now: its token comes back from here.
                if permit is not None:
                    await self._limiter.settle(permit)
            if isinstance(error, ReauthorizationRequired) and isinstance(self._auth, RefusalAware):
                await self._auth.refused(error)
            waited = permit.waited if permit is not None else 0.0
            self._log(outgoing, response, error, started, attempt, family, waited)
            if error is None and response is not None:
                return response
            assert error is not None  # noqa: S101 - one of the two is always set
            if not self._retry.should_retry(error, attempt=attempt, idempotent=idempotent):
                raise error
            delay = self._retry.delay(error, attempt=attempt)
            if time.monotonic() + delay >= deadline:
                raise error
            await asyncio.sleep(delay)

    def _request_headers(self, extra: Mapping[str, str] | None) -> dict[str, str]:
        """Return a fresh header dict for one attempt (the auth hook and body type add to it)."""
        if extra:
            return {**self._headers, **extra}
        return self._headers.copy()

    def _client_timeout(self, total: float) -> aiohttp.ClientTimeout:
        return aiohttp.ClientTimeout(
            total=total, sock_connect=self._timeouts.connect, sock_read=self._timeouts.read
        )

    async def _on_connection_ready(
        self, session: aiohttp.ClientSession, context: SimpleNamespace, params: object
    ) -> None:
        permit = context.trace_request_ctx
        if isinstance(permit, Permit):
            await self._limiter.confirm(permit)

    async def _send(
        self, request: OutgoingRequest, remaining: float, permit: Permit | None
    ) -> HttpResponse:
        timeout = self._attempt_timeout
        # aiohttp rounds a total of 5 s or more up to the next whole second anyway, so a first
        # attempt (a few microseconds short of the budget) keeps the prebuilt timeouts.
        if timeout.total is not None and remaining < timeout.total - 1:
            timeout = self._client_timeout(max(0.001, remaining))
        try:
            async with self._get_session().request(
                request.method,
                URL(request.url, encoded=True),
                headers=request.headers or None,
                data=request.body,
                allow_redirects=False,
                timeout=timeout,
                trace_request_ctx=permit,
            ) as answer:
                content = await answer.read()
                return HttpResponse(answer.status, answer.headers, content)
        except TimeoutError:
            raise BrokerTimeout(
                f"{self.broker} did not answer in time", broker=self.broker
            ) from None
        except aiohttp.ClientError as exc:
            raise NetworkError(
                f"{self.broker} could not be reached ({type(exc).__name__})", broker=self.broker
            ) from None

    def _map(self, response: HttpResponse) -> BrokerHubError:
        if self._error_mapper is not None:
            mapped = self._error_mapper(response)
            if mapped is not None:
                return mapped
        return error_for_status(response, self.broker)

    def _log(
        self,
        request: OutgoingRequest,
        response: HttpResponse | None,
        error: BrokerHubError | None,
        started: float,
        attempt: int,
        family: str,
        waited: float,
    ) -> None:
        level = logging.INFO if error is None else logging.WARNING
        if not _level_gate.isEnabledFor(level):
            return
        fields: dict[str, Any] = {
            "broker": self.broker,
            "method": request.method,
            "path": loggable_path(URL(request.url, encoded=True).path),
            "status": response.status if response is not None else None,
            "duration_ms": round((time.monotonic() - started) * 1000, 1),
            "attempt": attempt,
            "family": family,
        }
        if waited > 0:
            fields["rate_wait_ms"] = round(waited * 1000, 1)
        if error is None:
            log.info("http_request", **fields)
        else:
            log.warning("http_request_failed", error=type(error).__name__, **fields)

    async def close(self) -> None:
        """Close the pooled connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> HttpClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()


def _encode_body(
    json: Any, form: Params | None
) -> tuple[bytes | None, str | None, list[tuple[str, str]] | None]:
    if json is not None and form is not None:
        raise ValueError("send either json or form, not both")
    if json is not None:
        return _dumps(json), JSON_CONTENT_TYPE, None
    if form is not None:
        items = form.items() if isinstance(form, Mapping) else form
        pairs = [(str(k), _scalar(v)) for k, v in items if v is not None]
        return urlencode(pairs, quote_via=quote, safe="-._~").encode(), FORM_CONTENT_TYPE, pairs
    return None, None, None


def _dumps(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    encoded: str = simplejson.dumps(value, use_decimal=True, separators=(",", ":"))
    return encoded.encode()
