"""A paper broker whose transaction download is slow, so a test can act mid-sync.

``BROKERHUB_TEST_SYNC_DELAY`` (seconds) is how long ``transactions`` takes; when
``BROKERHUB_TEST_SYNC_MARKER`` names a file, a line is appended to it as each download starts.
Run ``python -m tests.jobs.slow_broker worker ...`` for the brokerhub CLI with it registered.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import anyio

from brokerhub.brokers.base import Broker, BrokerSpec, get_registry
from brokerhub.brokers.paper import PAPER_BROKER, PaperBroker, create_paper_broker
from brokerhub.core.portfolio import Transaction, TransactionType


class SlowPaperBroker(PaperBroker):
    """A paper broker that takes ``BROKERHUB_TEST_SYNC_DELAY`` seconds to list transactions."""

    async def transactions(
        self,
        account_id: str,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        types: frozenset[TransactionType] | None = None,
    ) -> list[Transaction]:
        marker = os.environ.get("BROKERHUB_TEST_SYNC_MARKER")
        if marker:
            await anyio.Path(marker).write_text(f"{os.getpid()}\n")
        await anyio.sleep(float(os.environ.get("BROKERHUB_TEST_SYNC_DELAY", "0")))
        return await super().transactions(account_id, start=start, end=end, types=types)


def _factory(credentials: Mapping[str, Any]) -> Broker:
    paper = create_paper_broker(credentials)
    return SlowPaperBroker(paper.exchange, paper.profile_id, paper.starting_cash)


SLOW_PAPER = BrokerSpec(
    name="slowpaper",
    display_name="Slow paper (tests)",
    factory=_factory,
    capabilities=PAPER_BROKER.capabilities,
    auth_method=PAPER_BROKER.auth_method,
    is_live_capable=False,
)


def register() -> None:
    """Add the slow paper broker to this process's registry."""
    get_registry().register(SLOW_PAPER)


if __name__ == "__main__":
    from brokerhub.cli.main import app

    register()
    app()
