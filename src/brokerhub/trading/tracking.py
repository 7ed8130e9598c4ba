"""Follow working orders at their broker until they are done, publishing every change.

An order can fill, partly fill, expire or be cancelled long after the request that placed it
(a resting limit order, an order cancelled on the broker's own site), and an order whose
answer was lost is stored UNKNOWN. The ``track_orders`` job asks the broker about every
stored order that is still working and records what changed (``order_update`` to the owner's
stream and webhooks). Polling works for every broker, in the server and on Celery workers
alike; it is keyed per connection so two workers never track the same connection at once.
"""

from __future__ import annotations

import uuid

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from brokerhub.connections.pool import BrokerPool
from brokerhub.core.orders import Order, OrderStatus
from brokerhub.errors import NotFound
from brokerhub.store.models.connections import ConnectionRow
from brokerhub.store.repos import connections as connection_repo
from brokerhub.store.repos import orders as order_repo
from brokerhub.store.repos.orders import StoredOrder
from brokerhub.trading.orders import OrderService

log = structlog.get_logger(__name__)

WORKING = frozenset(
    {OrderStatus.PENDING, OrderStatus.OPEN, OrderStatus.PARTIALLY_FILLED, OrderStatus.UNKNOWN}
)
"""Statuses in which an order can still change at the broker."""
TRACKED_PER_CONNECTION = 500


def _changed(stored: StoredOrder, order: Order) -> bool:
    before = (stored.status, stored.filled_quantity, stored.average_fill_price)
    return before != (order.status, order.filled_quantity, order.average_fill_price)


class OrderTracker:
    """Bring stored working orders up to date with their broker."""

    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        pool: BrokerPool,
        orders: OrderService,
    ) -> None:
        self._sessions = sessions
        self._pool = pool
        self._orders = orders

    async def connections_to_track(self) -> list[str]:
        """Return the ids of active connections holding at least one working order."""
        async with self._sessions() as session:
            ids = await order_repo.active_connections_with_status(session, statuses=WORKING)
        return [str(connection_id) for connection_id in ids]

    async def track(self, connection_id: str) -> int:
        """Ask the broker about the connection's working orders; return how many changed.

        Raises:
            BrokerHubError: the broker could not be asked (the next run tries again).
        """
        async with self._sessions() as session:
            row = await connection_repo.get(session, connection_id=uuid.UUID(connection_id))
            if row is None or not row.is_active:
                return 0
            working = await order_repo.list_for_connection(
                session, connection_id=row.id, statuses=WORKING, limit=TRACKED_PER_CONNECTION
            )
        reports = await self._reports(row, working)
        changed = 0
        for stored in working:
            order = reports.get(stored.id)
            if order is not None and _changed(stored, order):
                await self._orders.record(row, order, action="order_tracked", user_id=row.user_id)
                changed += 1
        return changed

    async def _reports(
        self, row: ConnectionRow, working: list[StoredOrder]
    ) -> dict[uuid.UUID, Order]:
        """Return the broker's view of each working order it knows, by stored order id."""
        adapter = self._pool.adapter_for(row)
        account_id = row.account_id or ""
        reports: dict[uuid.UUID, Order] = {}
        lost = {s.client_order_id: s.id for s in working if s.broker_order_id is None}
        for stored in working:
            if stored.broker_order_id is None:
                continue
            try:
                reports[stored.id] = await adapter.get_order(account_id, stored.broker_order_id)
            except NotFound:
                log.warning("tracked_order_not_found", order_id=stored.broker_order_id)
        if lost:  # sent, answer lost: find them by the client order id the hub gave them
            for order in await adapter.orders(account_id):
                if order.client_order_id in lost:
                    reports[lost[order.client_order_id]] = order
        return reports
