"""The demo user: on first start, a user with an API key and a paper account holding a few
positions, so the dashboard and CLI show live data with no credentials."""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal

from brokerhub.core.instruments import Instrument
from brokerhub.core.orders import OrderAction, OrderLeg, OrderRequest
from brokerhub.errors import NotFound
from brokerhub.hub import Hub

DEMO_USER = "demo"
DEMO_KEY_FILE = "demo-api-key"
# A small diversified starter portfolio bought at market when the demo account opens.
STARTER_PORTFOLIO = (("AAPL", 20), ("MSFT", 10), ("SPY", 15), ("NVDA", 8))


@dataclass(frozen=True)
class DemoAccess:
    """The demo user's id, API key and paper connection id."""

    user_id: int
    api_key: str
    connection_id: str


async def ensure_demo(hub: Hub) -> DemoAccess:
    """Create the demo user, its API key and a paper account on first start; reuse them after.

    The demo key is kept in ``<home>/demo-api-key`` (mode 0600) so every start can print it;
    it opens only the demo user's paper account.
    """
    try:
        user = await hub.users.get_user(name=DEMO_USER)
    except NotFound:
        user = await hub.users.create_user(name=DEMO_USER)
    key_file = hub.settings.home / DEMO_KEY_FILE
    if key_file.exists():
        api_key = key_file.read_text().strip()
    else:
        api_key = (await hub.users.create_key(user_id=user.id, name="demo")).plaintext
        hub.settings.home.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(api_key)
    connections = await hub.connections.list(user_id=user.id)
    if connections:
        return DemoAccess(user_id=user.id, api_key=api_key, connection_id=str(connections[0].id))
    [connection, *_] = await hub.connections.connect(
        user_id=user.id, brokerage_name="paper", credentials={}
    )
    connection_id = str(connection.id)
    for symbol, quantity in STARTER_PORTFOLIO:
        order = OrderRequest(
            legs=[
                OrderLeg(
                    instrument=Instrument.equity(symbol),
                    action=OrderAction.BUY,
                    quantity=Decimal(quantity),
                )
            ]
        )
        await hub.orders.place(user_id=user.id, connection_id=connection_id, request=order)
    await hub.sync.sync_account(user_id=user.id, connection_id=connection_id, force=True)
    return DemoAccess(user_id=user.id, api_key=api_key, connection_id=connection_id)
