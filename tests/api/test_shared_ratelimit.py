"""With Redis configured, every API process shares one request window per user."""

from __future__ import annotations

import uuid

import pytest
import redis

from brokerhub.api.ratelimit import RedisRequestRateLimiter, create_rate_limiter
from brokerhub.config import load_settings
from brokerhub.errors import RateLimited
from tests.conftest import REDIS_URL, require_service


async def test_two_processes_share_the_window_per_user() -> None:
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.exceptions.ConnectionError as exc:
        require_service("redis", f"cannot reach {REDIS_URL}: {exc}")
    settings = load_settings(
        redis_url=REDIS_URL,
        redis_namespace=f"bhtest-{uuid.uuid4().hex[:8]}",
        api_rate_limit_per_minute=3,
    )
    first, second = create_rate_limiter(settings), create_rate_limiter(settings)
    assert isinstance(first, RedisRequestRateLimiter)
    try:
        await first.check(7)
        await second.check(7)
        await first.check(7)
        with pytest.raises(RateLimited) as refused:
            await second.check(7)
        assert 0 < (refused.value.retry_after or 0) <= 60
        await second.check(8)  # another user has a window of their own
    finally:
        await first.close()
        await second.close()
