"""Placement whose answer is lost is reconciled by client order id, never sent twice;
a failing sync is recorded on the connection."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any, ClassVar

import pytest

from brokerhub.brokers.base import AuthMethod, BaseBroker, Broker, BrokerSpec, get_registry
from brokerhub.brokers.paper import PAPER_BROKER
from brokerhub.core.instruments import Instrument
from brokerhub.core.orders import Order, OrderAction, OrderLeg, OrderRequest, OrderStatus
from brokerhub.core.portfolio import Account, Balance, Position, Transaction
from brokerhub.errors import BrokerTimeout, BrokerUnavailable, OrderStateUnknown
from brokerhub.hub import Hub
from brokerhub.store.enums import ConnectionStatus

BUY_AAPL = OrderRequest(
    legs=[OrderLeg(instrument=Instrument.equity("AAPL"), action=OrderAction.BUY, quantity=2)]
)


class LostAnswerBroker(BaseBroker):
    """The paper broker, except that placing loses the answer as a timeout would (after the
    order reached the broker, or before when ``forget_order``), and syncs fail when
    ``broker_down``."""

    name: ClassVar[str] = "lost-answer"
    capabilities = PAPER_BROKER.capabilities
    place_calls: ClassVar[int] = 0
    forget_order: ClassVar[bool] = False
    broker_down: ClassVar[bool] = False

    def __init__(self, paper: Broker) -> None:
        self._paper = paper

    async def accounts(self) -> list[Account]:
        return await self._paper.accounts()

    async def balance(self, account_id: str) -> Balance:
        if self.broker_down:
            raise BrokerUnavailable("HTTP 503 from the broker", broker=self.name)
        return await self._paper.balance(account_id)

    async def positions(self, account_id: str) -> list[Position]:
        return await self._paper.positions(account_id)

    async def transactions(self, account_id: str, **filters: Any) -> list[Transaction]:
        return await self._paper.transactions(account_id, **filters)

    async def orders(self, account_id: str, **filters: Any) -> list[Order]:
        return await self._paper.orders(account_id, **filters)

    async def place_order(self, account_id: str, request: OrderRequest) -> Order:
        type(self).place_calls += 1
        if not self.forget_order:
            await self._paper.place_order(account_id, request)
        raise BrokerTimeout("read timed out", broker=self.name)


def lost_answer_factory(credentials: Mapping[str, Any]) -> LostAnswerBroker:
    return LostAnswerBroker(PAPER_BROKER.factory(credentials))


@pytest.fixture
def lost_answer_spec() -> Iterator[None]:
    registry = get_registry()
    registry.register(
        BrokerSpec(
            name=LostAnswerBroker.name,
            display_name="paper that loses answers",
            factory=lost_answer_factory,
            capabilities=PAPER_BROKER.capabilities,
            auth_method=AuthMethod.NONE,
            is_live_capable=False,
        )
    )
    LostAnswerBroker.place_calls = 0
    LostAnswerBroker.forget_order = False
    LostAnswerBroker.broker_down = False
    yield
    registry._specs.pop(LostAnswerBroker.name)


@pytest.fixture
async def hub() -> AsyncIterator[Hub]:
    async with Hub() as started:
        yield started


async def connect(hub: Hub) -> tuple[int, str]:
    user = await hub.users.create_user(name="trader")
    [row] = await hub.connections.connect(
        user_id=user.id, brokerage_name=LostAnswerBroker.name, credentials={}
    )
    return user.id, str(row.id)


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
