"""Placement whose answer is lost is reconciled by client order id, never sent twice;
a failing sync is recorded on the connection."""

from __future__ import annotations

import pytest

from brokerhub.core.orders import OrderStatus
from brokerhub.errors import BrokerUnavailable, OrderStateUnknown
from brokerhub.hub import Hub
from brokerhub.store.enums import ConnectionStatus
from tests.trading.lost_answer import BUY_AAPL, LostAnswerBroker, connect


async def test_lost_answer_is_reconciled_by_client_order_id(
    hub: Hub, lost_answer_spec: None
) -> None:
    user_id, connection_id = await connect(hub)
    order = await hub.orders.place(user_id=user_id, connection_id=connection_id, request=BUY_AAPL)
    assert order.status is OrderStatus.FILLED
    assert order.client_order_id is not None
    assert order.client_order_id.startswith("bh-")
    assert LostAnswerBroker.place_calls == 1
    at_broker = await hub.orders.list(user_id=user_id, connection_id=connection_id)
    assert [o.client_order_id for o in at_broker] == [order.client_order_id]


async def test_order_missing_at_the_broker_stays_unknown_and_is_not_resent(
    hub: Hub, lost_answer_spec: None
) -> None:
    LostAnswerBroker.forget_order = True
    user_id, connection_id = await connect(hub)
    request = BUY_AAPL.model_copy(update={"client_order_id": "retry-me"})
    with pytest.raises(OrderStateUnknown, match="retry-me"):
        await hub.orders.place(user_id=user_id, connection_id=connection_id, request=request)
    assert LostAnswerBroker.place_calls == 1
    assert await hub.orders.list(user_id=user_id, connection_id=connection_id) == []


async def test_failed_sync_marks_the_connection(hub: Hub, lost_answer_spec: None) -> None:
    user_id, connection_id = await connect(hub)
    LostAnswerBroker.broker_down = True
    with pytest.raises(BrokerUnavailable):
        await hub.sync.sync_account(user_id=user_id, connection_id=connection_id)
    row = await hub.connections.get(user_id=user_id, connection_id=connection_id)
    assert row.status is ConnectionStatus.ERROR
    assert row.last_error == "HTTP 503 from the broker"
    assert row.error_count == 1
    assert row.last_sync is None
    LostAnswerBroker.broker_down = False
    await hub.sync.sync_account(user_id=user_id, connection_id=connection_id)
    row = await hub.connections.get(user_id=user_id, connection_id=connection_id)
    assert (row.status, row.last_error, row.error_count) == (ConnectionStatus.CONNECTED, None, 0)
