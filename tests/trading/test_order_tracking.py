"""Orders that change at the broker after the request that placed them reach their owner."""

from __future__ import annotations

import asyncio

import pytest

from brokerhub.core.orders import OrderStatus
from brokerhub.errors import OrderStateUnknown
from brokerhub.events.models import Event, EventType
from brokerhub.hub import Hub
from brokerhub.jobs import tasks
from brokerhub.jobs.locks import LocalLocks
from brokerhub.store.repos import orders as order_repo
from tests.events.helpers import RESTING_BUY
from tests.trading.lost_answer import BUY_AAPL, LostAnswerBroker, connect


def drain(queue: asyncio.Queue[Event]) -> list[Event]:
    events = []
    while not queue.empty():
        events.append(queue.get_nowait())
    return events


async def test_an_order_cancelled_at_the_broker_is_recorded_and_published_once(
    hub: Hub,
) -> None:
    user = await hub.users.create_user(name="dana")
    [row] = await hub.connections.connect(user_id=user.id, brokerage_name="paper", credentials={})
    connection_id = str(row.id)
    placed = await hub.orders.place(
        user_id=user.id, connection_id=connection_id, request=RESTING_BUY
    )
    assert placed.status in {OrderStatus.OPEN, OrderStatus.PENDING}
    assert await hub.order_tracker.connections_to_track() == [connection_id]

    # The user cancels on the broker's own site: the hub's API never sees the request.
    await hub.pool.adapter_for(row).cancel_order(row.account_id or "", placed.order_id)
    locks = LocalLocks()
    async with hub.events.bus.subscribe() as queue:
        assert await tasks.track_orders(hub, locks, connection_id) == 1
        [update] = drain(queue)
        assert await tasks.track_orders(hub, locks, connection_id) == 0
        assert drain(queue) == []
    assert update.event_type is EventType.ORDER_UPDATE
    assert update.user_id == user.id
    assert (update.data["order_id"], update.data["status"]) == (
        placed.order_id,
        OrderStatus.CANCELLED,
    )
    async with hub.sessions() as session:
        stored = await order_repo.get_by_broker_id(
            session, connection_id=row.id, broker_order_id=placed.order_id
        )
    assert stored is not None
    assert stored.status is OrderStatus.CANCELLED
    assert await hub.order_tracker.connections_to_track() == []


async def test_a_lost_order_that_reached_the_broker_is_reconciled_by_the_tracker(
    hub: Hub, lost_answer_spec: None
) -> None:
    LostAnswerBroker.forget_order = True
    user_id, connection_id = await connect(hub)
    request = BUY_AAPL.model_copy(update={"client_order_id": "bh-late-arrival"})
    with pytest.raises(OrderStateUnknown):
        await hub.orders.place(user_id=user_id, connection_id=connection_id, request=request)
    assert await tasks.track_orders(hub, LocalLocks(), connection_id) == 0  # not there yet

    # The order reaches the broker late (a slow gateway), under the hub's client order id.
    row = await hub.connections.get(user_id=user_id, connection_id=connection_id)
    broker = hub.pool.adapter_for(row)
    assert isinstance(broker, LostAnswerBroker)
    await broker.paper.place_order(row.account_id or "", request)
    async with hub.events.bus.subscribe() as queue:
        assert await tasks.track_orders(hub, LocalLocks(), connection_id) == 1
        [update] = drain(queue)
    assert update.data["client_order_id"] == "bh-late-arrival"
    assert update.data["status"] == OrderStatus.FILLED
    assert LostAnswerBroker.place_calls == 1  # never resent by the hub
    assert await hub.order_tracker.connections_to_track() == []


async def test_a_connection_held_by_another_worker_is_left_alone(hub: Hub) -> None:
    user = await hub.users.create_user(name="erin")
    [row] = await hub.connections.connect(user_id=user.id, brokerage_name="paper", credentials={})
    await hub.orders.place(user_id=user.id, connection_id=str(row.id), request=RESTING_BUY)
    locks = LocalLocks()
    async with locks.hold(f"orders:{row.id}") as acquired:
        assert acquired
        assert await tasks.track_orders(hub, locks, str(row.id)) is None
