"""The paper broker behind a wrapper that loses placement answers or fails syncs on demand."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from brokerhub.brokers.base import BaseBroker, Broker
from brokerhub.brokers.paper import PAPER_BROKER
from brokerhub.core.instruments import Instrument
from brokerhub.core.orders import Order, OrderAction, OrderLeg, OrderRequest
from brokerhub.core.portfolio import Account, Balance, Position, Transaction
from brokerhub.errors import BrokerTimeout, BrokerUnavailable
from brokerhub.hub import Hub

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
        self.paper = paper

    async def accounts(self) -> list[Account]:
        return await self.paper.accounts()

    async def balance(self, account_id: str) -> Balance:
        if self.broker_down:
            raise BrokerUnavailable("HTTP 503 from the broker", broker=self.name)
        return await self.paper.balance(account_id)

    async def positions(self, account_id: str) -> list[Position]:
        return await self.paper.positions(account_id)

    async def transactions(self, account_id: str, **filters: Any) -> list[Transaction]:
        return await self.paper.transactions(account_id, **filters)

    async def orders(self, account_id: str, **filters: Any) -> list[Order]:
        return await self.paper.orders(account_id, **filters)

    async def get_order(self, account_id: str, order_id: str) -> Order:
        return await self.paper.get_order(account_id, order_id)

    async def place_order(self, account_id: str, request: OrderRequest) -> Order:
        type(self).place_calls += 1
        if not self.forget_order:
            await self.paper.place_order(account_id, request)
        raise BrokerTimeout("read timed out", broker=self.name)


def lost_answer_factory(credentials: Mapping[str, Any]) -> LostAnswerBroker:
    return LostAnswerBroker(PAPER_BROKER.factory(credentials))


async def connect(hub: Hub) -> tuple[int, str]:
    user = await hub.users.create_user(name="trader")
    [row] = await hub.connections.connect(
        user_id=user.id, brokerage_name=LostAnswerBroker.name, credentials={}
    )
    return user.id, str(row.id)
