"""With no Redis, the server runs the same schedule itself: syncs, webhook deliveries and
working-order tracking."""

from __future__ import annotations

import time
import uuid

import anyio
from fastapi.testclient import TestClient

from brokerhub.api.app import create_app
from brokerhub.core.orders import OrderStatus
from brokerhub.events.models import EventType
from brokerhub.hub import Hub
from brokerhub.jobs import tasks
from brokerhub.jobs.locks import LocalLocks
from brokerhub.store.enums import SyncStatus
from brokerhub.store.repos import sync_runs as sync_run_repo
from tests.events.conftest import loopback_settings
from tests.events.helpers import RESTING_BUY, buy, paper_account
from tests.events.receiver import running_receiver

DEADLINE_SECONDS = 30


def test_the_server_runs_scheduled_syncs_and_deliveries_without_redis() -> None:
    settings = loopback_settings(
        sync_interval_seconds=0.5, webhook_delivery_interval_seconds=0.2, redis_url=None
    )
    with TestClient(create_app(settings)) as client:
        hub: Hub = client.app.state.hub  # type: ignore[attr-defined]
        portal = client.portal  # type: ignore[union-attr]

        async def scenario() -> None:
            user_id, account = await paper_account(hub)
            async with running_receiver() as receiver:
                created = await hub.webhooks.create(
                    user_id=user_id, account_id=account, webhook_url=receiver.url
                )
                receiver.secret = created.signing_secret
                await buy(hub, user_id, account)
                with anyio.fail_after(DEADLINE_SECONDS):
                    while True:
                        if receiver.requests and await _synced(hub, account):
                            break
                        await anyio.sleep(0.1)
            assert all(request.verified for request in receiver.requests)

        started = time.monotonic()
        portal.call(scenario)
        assert time.monotonic() - started < DEADLINE_SECONDS


def test_the_server_tracks_working_orders_without_redis() -> None:
    settings = loopback_settings(order_tracking_interval_seconds=0.2, redis_url=None)
    with TestClient(create_app(settings)) as client:
        hub: Hub = client.app.state.hub  # type: ignore[attr-defined]

        async def scenario() -> None:
            user_id, account = await paper_account(hub)
            order = await hub.orders.place(
                user_id=user_id, connection_id=account, request=RESTING_BUY
            )
            row = await hub.connections.get(user_id=user_id, connection_id=account)
            async with hub.events.bus.subscribe() as queue:
                await hub.pool.adapter_for(row).cancel_order(row.account_id or "", order.order_id)
                with anyio.fail_after(DEADLINE_SECONDS):
                    update = await queue.get()
            assert update.event_type is EventType.ORDER_UPDATE
            assert update.data["status"] == OrderStatus.CANCELLED

        client.portal.call(scenario)  # type: ignore[union-attr]


async def _synced(hub: Hub, account: str) -> bool:
    async with hub.sessions() as session:
        run = await sync_run_repo.latest_for_connection(
            session, connection_id=uuid.UUID(account), status=SyncStatus.SUCCEEDED
        )
    return run is not None


async def test_a_held_lock_skips_the_sync() -> None:
    async with Hub(loopback_settings()) as hub:
        _, account = await paper_account(hub)
        locks = LocalLocks()
        async with locks.hold(f"sync:{account}") as held:
            assert held
            assert await tasks.sync_portfolio(hub, locks, account) is tasks.SyncOutcome.LOCKED
        assert await tasks.sync_portfolio(hub, locks, account) is tasks.SyncOutcome.SYNCED
        assert await tasks.execute_ai_trades(hub) == 0
        gone = "00000000-0000-0000-0000-000000000000"
        assert await tasks.sync_portfolio(hub, locks, gone) is tasks.SyncOutcome.GONE
