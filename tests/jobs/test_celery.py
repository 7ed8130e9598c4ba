"""Celery worker and beat processes against the real Redis and PostgreSQL on this machine."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from pathlib import Path

from sqlalchemy import select

from brokerhub.config import Settings
from brokerhub.core.orders import OrderStatus
from brokerhub.hub import Hub
from brokerhub.jobs import tasks
from brokerhub.jobs.celery_app import create_celery
from brokerhub.store import create_engine, create_session_factory
from brokerhub.store.enums import SyncStatus
from brokerhub.store.models import TransactionRow
from brokerhub.store.repos import orders as order_repo
from brokerhub.store.repos import sync_runs as sync_run_repo
from tests.events.helpers import RESTING_BUY, buy
from tests.jobs.conftest import Services, wait_for
from tests.jobs.slow_broker import register

register()


async def _account(settings: Settings, brokerage: str) -> str:
    async with Hub(settings) as hub:
        user = await hub.users.create_user(name="alice")
        [row] = await hub.connections.connect(
            user_id=user.id, brokerage_name=brokerage, credentials={}
        )
        await buy(hub, user.id, str(row.id), "AAPL")
        await buy(hub, user.id, str(row.id), "MSFT")
        return str(row.id)


async def _runs(settings: Settings, connection_id: str) -> list[sync_run_repo.SyncRun]:
    engine = create_engine(settings.effective_database_url)
    try:
        async with create_session_factory(engine)() as session:
            return await sync_run_repo.list_for_connection(
                session, connection_id=uuid.UUID(connection_id), limit=100
            )
    finally:
        await engine.dispose()


def runs(settings: Settings, connection_id: str, status: SyncStatus | None = None) -> int:
    found = asyncio.run(_runs(settings, connection_id))
    return sum(1 for run in found if status is None or run.status is status)


async def _stored_and_expected(
    settings: Settings, connection_id: str
) -> tuple[list[str], set[str]]:
    async with Hub(settings) as hub:
        row = await hub.connections.get(user_id=1, connection_id=connection_id)
        at_broker = await hub.pool.adapter_for(row).transactions(row.account_id or "")
        async with hub.sessions() as session:
            stored = await session.scalars(
                select(TransactionRow.transaction_id).where(TransactionRow.connection_id == row.id)
            )
            return list(stored), {t.transaction_id for t in at_broker}


async def _cancelled_at_the_broker(settings: Settings, connection_id: str) -> str:
    """Place a resting order through the hub, then cancel it behind the hub's back."""
    async with Hub(settings) as hub:
        row = await hub.connections.get(user_id=1, connection_id=connection_id)
        order = await hub.orders.place(user_id=1, connection_id=connection_id, request=RESTING_BUY)
        await hub.pool.adapter_for(row).cancel_order(row.account_id or "", order.order_id)
        return order.order_id


async def _stored_status(settings: Settings, connection_id: str, order_id: str) -> OrderStatus:
    async with Hub(settings) as hub, hub.sessions() as session:
        stored = await order_repo.get_by_broker_id(
            session, connection_id=uuid.UUID(connection_id), broker_order_id=order_id
        )
        assert stored is not None
        return stored.status


def test_beat_and_a_worker_run_the_scheduled_sync_into_postgresql(services: Services) -> None:
    services.env["BROKERHUB_SYNC_INTERVAL_SECONDS"] = "2"
    services.env["BROKERHUB_ORDER_TRACKING_INTERVAL_SECONDS"] = "1"
    settings = services.settings()
    account = asyncio.run(_account(settings, "paper"))
    order_id = asyncio.run(_cancelled_at_the_broker(settings, account))
    services.start("worker", "--pool=solo", "--concurrency=1", name="worker")
    services.start("beat", name="beat")

    wait_for(lambda: runs(settings, account, SyncStatus.SUCCEEDED) >= 1, 60, services.log_text())
    stored, expected = asyncio.run(_stored_and_expected(settings, account))
    assert sorted(stored) == sorted(expected)
    assert len(expected) >= 3  # the deposit and two buys
    wait_for(
        lambda: asyncio.run(_stored_status(settings, account, order_id)) is OrderStatus.CANCELLED,
        60,
        "the tracked order to be stored cancelled\n" + services.log_text(),
    )


def test_two_workers_never_sync_the_same_connection_at_once(services: Services) -> None:
    services.env["BROKERHUB_TEST_SYNC_DELAY"] = "0.8"
    services.env["BROKERHUB_CELERY_VISIBILITY_TIMEOUT_SECONDS"] = "60"
    services.env["BROKERHUB_SYNC_LOCK_SECONDS"] = "30"
    settings = services.settings()
    account = asyncio.run(_account(settings, "slowpaper"))
    for name in ("worker-a", "worker-b"):
        services.start("worker", "--pool=solo", "--concurrency=1", name=name)
    celery = create_celery(settings)
    for _ in range(3):
        celery.send_task("brokerhub.sync_portfolio", args=[account])

    wait_for(lambda: runs(settings, account, SyncStatus.SUCCEEDED) >= 3, 60, services.log_text())
    found = sorted(asyncio.run(_runs(settings, account)), key=lambda run: run.started_at)
    assert len(found) == 3
    for earlier, later in itertools.pairwise(found):
        assert earlier.finished_at is not None
        assert earlier.finished_at <= later.started_at, "two syncs of one connection overlapped"


def test_a_worker_killed_mid_sync_loses_and_duplicates_nothing(
    services: Services, tmp_path: Path
) -> None:
    marker = tmp_path / "sync-started"
    services.env["BROKERHUB_TEST_SYNC_DELAY"] = "1.5"
    services.env["BROKERHUB_TEST_SYNC_MARKER"] = str(marker)
    settings = services.settings()
    account = asyncio.run(_account(settings, "slowpaper"))
    first = services.start("worker", "--pool=solo", "--concurrency=1", name="first")
    create_celery(settings).send_task("brokerhub.sync_portfolio", args=[account])

    wait_for(marker.exists, 30, "the first sync to start\n" + services.log_text())
    services.kill(first)  # SIGKILL in the middle of downloading transactions
    assert runs(settings, account, SyncStatus.SUCCEEDED) == 0
    services.start("worker", "--pool=solo", "--concurrency=1", name="second")

    wait_for(lambda: runs(settings, account, SyncStatus.SUCCEEDED) == 1, 60, services.log_text())
    stored, expected = asyncio.run(_stored_and_expected(settings, account))
    assert len(stored) == len(set(stored)), "a transaction was stored twice"
    assert set(stored) == expected, "a transaction was lost"

    async def close_stale() -> tasks.CleanupReport:
        async with Hub(settings) as hub:
            return await tasks.cleanup(hub)

    assert asyncio.run(close_stale()).stale_syncs_failed == 1  # the killed worker's run
    assert runs(settings, account, SyncStatus.RUNNING) == 0
