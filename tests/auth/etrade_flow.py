"""The E*TRADE emulator on loopback and the hub's OAuth flow through it, for several tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import anyio
import pytest
import requests

from brokerhub.emulators.etrade import ETradeEmulator, verifier_from_page
from brokerhub.emulators.serve import LoopbackServer
from brokerhub.hub import Hub
from brokerhub.sim.clock import ManualClock
from brokerhub.sim.config import SimConfig
from brokerhub.sim.exchange import SimExchange
from brokerhub.store.models import ConnectionRow
from tests.brokers.etrade.emulated import CONSUMER_KEY, CONSUMER_SECRET


@contextmanager
def etrade_emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[ETradeEmulator]:
    """Serve an E*TRADE emulator and point ``BROKERHUB_ETRADE_BASE_URL`` at it."""
    clock = ManualClock(datetime(2024, 6, 3, 15, tzinfo=UTC))
    emulator = ETradeEmulator(
        SimExchange.in_memory(clock, SimConfig()),
        consumers={CONSUMER_KEY: CONSUMER_SECRET},
        rate_limits=None,
    )
    with LoopbackServer(emulator) as server:
        monkeypatch.setenv("BROKERHUB_ETRADE_BASE_URL", server.url)
        yield emulator


def approve(url: str) -> str:
    """Open the authorize page as the user would and return the verification code."""
    return verifier_from_page(requests.get(url, timeout=10).text)


async def connect_etrade(hub: Hub, user_id: int) -> list[ConnectionRow]:
    """Run initiate, authorize and complete through the hub's OAuth service."""
    start = await hub.oauth.initiate(
        user_id=user_id,
        brokerage_name="etrade",
        app_key=CONSUMER_KEY,
        app_secret=CONSUMER_SECRET,
    )
    code = await anyio.to_thread.run_sync(approve, start.authorization_url)
    return await hub.oauth.complete(
        user_id=user_id, brokerage_name="etrade", verification_code=code
    )
