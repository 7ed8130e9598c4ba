"""Small steps shared by the event tests: a user with a paper account, a market buy, and a
limit buy far below the market that rests until cancelled."""

from __future__ import annotations

from decimal import Decimal

from brokerhub.core.instruments import Instrument
from brokerhub.core.orders import Order, OrderAction, OrderLeg, OrderRequest, OrderType
from brokerhub.hub import Hub

RESTING_BUY = OrderRequest(
    legs=[OrderLeg(instrument=Instrument.equity("AAPL"), action=OrderAction.BUY, quantity=3)],
    order_type=OrderType.LIMIT,
    limit_price=Decimal("1.00"),
)


async def paper_account(hub: Hub, name: str = "alice") -> tuple[int, str]:
    """Return (user id, connection id) of a new user with a fresh paper account."""
    user = await hub.users.create_user(name=name)
    [row] = await hub.connections.connect(user_id=user.id, brokerage_name="paper", credentials={})
    return user.id, str(row.id)


async def buy(hub: Hub, user_id: int, connection_id: str, symbol: str = "AAPL") -> Order:
    """Place a market buy of 2 shares."""
    request = OrderRequest(
        legs=[
            OrderLeg(
                instrument=Instrument.equity(symbol), action=OrderAction.BUY, quantity=Decimal(2)
            )
        ],
        order_type=OrderType.MARKET,
    )
    return await hub.orders.place(user_id=user_id, connection_id=connection_id, request=request)
