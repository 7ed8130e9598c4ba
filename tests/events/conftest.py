"""A hub on SQLite whose webhooks may reach loopback receivers, with compressed retries."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import anyio
import pytest

from brokerhub.config import Settings, load_settings
from brokerhub.hub import Hub

FAST_RETRIES = [0.05] * 7
DEADLINE_SECONDS = 20.0


def loopback_settings(**overrides: object) -> Settings:
    """Return settings admitting 127.0.0.1 webhooks, with compressed retries."""
    values: dict[str, object] = {
        "webhook_allowed_networks": ["127.0.0.1/32"],
        "webhook_retry_schedule_seconds": FAST_RETRIES,
        "webhook_timeout_seconds": 5,
    }
    values.update(overrides)
    return load_settings(**values)


@pytest.fixture
async def hub() -> AsyncIterator[Hub]:
    async with Hub(loopback_settings()) as started:
        yield started


async def until(
    condition: Callable[[], Awaitable[bool]], deadline: float = DEADLINE_SECONDS
) -> None:
    """Poll ``condition`` every 50 ms until it holds; fail after ``deadline`` seconds."""
    with anyio.fail_after(deadline):
        while True:
            if await condition():
                return
            await anyio.sleep(0.05)
