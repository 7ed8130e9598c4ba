"""The one outgoing-HTTP stack every broker adapter uses.

Pooling and timeouts (:class:`HttpClient`), per-family rate limits (:class:`RateLimit` windows and
:class:`TokenBucket` buckets,
shared through Redis when configured), the retry policy (:class:`RetryPolicy`), broker error
mapping (:data:`ErrorMapper`, :func:`error_for_status`), host overrides
(:func:`resolve_base_url`) and redacted logging of every call.
"""

from brokerhub.brokers.http.errors import ErrorMapper, error_for_status
from brokerhub.brokers.http.hosts import BASE_URL_FIELD, resolve_base_url
from brokerhub.brokers.http.ratelimit import (
    Limit,
    LocalRateLimiter,
    RateLimit,
    RateLimiter,
    RedisRateLimiter,
    TokenBucket,
    create_rate_limiter,
    local_rate_limiter,
)
from brokerhub.brokers.http.response import HttpResponse, decode_json
from brokerhub.brokers.http.retry import RetryPolicy, parse_retry_after
from brokerhub.brokers.http.transport import HttpClient, OutgoingRequest, RequestAuth, Timeouts

__all__ = [
    "BASE_URL_FIELD",
    "ErrorMapper",
    "HttpClient",
    "HttpResponse",
    "Limit",
    "LocalRateLimiter",
    "OutgoingRequest",
    "RateLimit",
    "RateLimiter",
    "RedisRateLimiter",
    "RequestAuth",
    "RetryPolicy",
    "Timeouts",
    "TokenBucket",
    "create_rate_limiter",
    "decode_json",
    "error_for_status",
    "local_rate_limiter",
    "parse_retry_after",
    "resolve_base_url",
]
