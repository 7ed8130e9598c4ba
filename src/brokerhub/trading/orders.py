"""The order service: every order the hub sends goes through here.

Placement keeps DESIGN's rule: the hub makes a client order id and stores the order before
sending it; if the outcome is lost (timeout, reset) the order is marked UNKNOWN and looked up
at the broker by that id, never sent twice. Placing again with a client order id that is
already stored returns the stored order (idempotent retries from API clients).
"""

from __future__ import annotations

import time
import uuid

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from brokerhub.connections.pool import BrokerPool
from brokerhub.connections.service import ConnectionService
from brokerhub.core.orders import Order, OrderPreview, OrderRequest, OrderStatus
from brokerhub.errors import BrokerTimeout, NetworkError, OrderStateUnknown
from brokerhub.events import factory
from brokerhub.events.publisher import EventPublisher
from brokerhub.metrics import BROKER_REQUEST_SECONDS
from brokerhub.store.models.connections import ConnectionRow
from brokerhub.store.repos import audit_log as audit_repo
from brokerhub.store.repos import orders as order_repo

log = structlog.get_logger(__name__)

CLIENT_ORDER_ID_PREFIX = "bh-"


def new_client_order_id() -> str:
    """Return a fresh client order id (unique, under every broker's length limit)."""
    return CLIENT_ORDER_ID_PREFIX + uuid.uuid4().hex[:24]


class OrderService:
    """Preview, place, list, cancel and replace orders on a user's connection.

    Every stored change of an order publishes an ``order_update`` event to its owner.
    """

    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        connections: ConnectionService,
        pool: BrokerPool,
        publisher: EventPublisher,
    ) -> None:
        self._sessions = sessions
        self._connections = connections
        self._pool = pool
        self._publisher = publisher

    async def preview(
        self, *, user_id: int, connection_id: str, request: OrderRequest
    ) -> OrderPreview:
        """Return what the order would cost, without placing it."""
        row = await self._connections.get(user_id=user_id, connection_id=connection_id)
        return await self._pool.adapter_for(row).preview_order(row.account_id or "", request)

    async def place(self, *, user_id: int, connection_id: str, request: OrderRequest) -> Order:
        """Store then send the order; reconcile by client order id if the outcome is lost.

        Raises:
            LiveTradingDisabled: a production connection without live trading enabled.
            OrderStateUnknown: the outcome was lost and the broker does not show the order yet.
        """
        row = await self._connections.get(user_id=user_id, connection_id=connection_id)
        self._connections.require_live_trading_allowed(row)
        client_order_id = request.client_order_id or new_client_order_id()
        request = request.model_copy(update={"client_order_id": client_order_id})
        async with self._sessions.begin() as session:
            existing = await order_repo.get_by_client_id(
                session, connection_id=row.id, client_order_id=client_order_id
            )
            if existing is not None and existing.broker_order_id is not None:
                return await self.get(
                    user_id=user_id, connection_id=connection_id, order_id=existing.broker_order_id
                )
            if existing is None:
                await order_repo.create_pending(
                    session, connection_id=row.id, client_order_id=client_order_id, request=request
                )
        adapter = self._pool.adapter_for(row)
        started = time.perf_counter()
        try:
            order = await adapter.place_order(row.account_id or "", request)
        except (BrokerTimeout, NetworkError) as exc:
            log.warning("order_outcome_lost", client_order_id=client_order_id, error=str(exc))
            return await self._reconcile(row, client_order_id)
        BROKER_REQUEST_SECONDS.labels(
            brokerage=row.brokerage_name, operation="place_order"
        ).observe(time.perf_counter() - started)
        await self.record(row, order, action="order_placed", user_id=user_id)
        return order

    async def _reconcile(self, row: ConnectionRow, client_order_id: str) -> Order:
        async with self._sessions.begin() as session:
            stored = await order_repo.get_by_client_id(
                session, connection_id=row.id, client_order_id=client_order_id
            )
            if stored is not None:
                await order_repo.mark_unknown(session, connection_id=row.id, order_id=stored.id)
        adapter = self._pool.adapter_for(row)
        for order in await adapter.orders(row.account_id or ""):
            if order.client_order_id == client_order_id:
                await self.record(row, order, action="order_reconciled", user_id=row.user_id)
                return order
        raise OrderStateUnknown(
            f"The order {client_order_id} was sent but the broker's answer was lost; it is "
            "marked UNKNOWN and will be reconciled by its client order id",
        )

    async def record(self, row: ConnectionRow, order: Order, *, action: str, user_id: int) -> None:
        """Store the broker's report of an order, audit it and publish ``order_update``."""
        events = [factory.order_update(row, order)]
        async with self._sessions.begin() as session:
            await self._publisher.stage(session, events)
            await order_repo.update_from_broker(session, connection_id=row.id, order=order)
            await audit_repo.record(
                session,
                action=action,
                user_id=user_id,
                connection_id=row.id,
                detail={
                    "order_id": order.order_id,
                    "client_order_id": order.client_order_id,
                    "status": order.status.value,
                },
            )
        await self._publisher.publish(events)

    async def list(
        self,
        *,
        user_id: int,
        connection_id: str,
        status: frozenset[OrderStatus] | None = None,
    ) -> list[Order]:
        """Return the account's orders live from the broker, optionally by status."""
        row = await self._connections.get(user_id=user_id, connection_id=connection_id)
        return await self._pool.adapter_for(row).orders(row.account_id or "", status=status)

    async def get(self, *, user_id: int, connection_id: str, order_id: str) -> Order:
        """Return one order live from the broker."""
        row = await self._connections.get(user_id=user_id, connection_id=connection_id)
        return await self._pool.adapter_for(row).get_order(row.account_id or "", order_id)

    async def cancel(self, *, user_id: int, connection_id: str, order_id: str) -> Order:
        """Cancel a working order."""
        row = await self._connections.get(user_id=user_id, connection_id=connection_id)
        order = await self._pool.adapter_for(row).cancel_order(row.account_id or "", order_id)
        await self.record(row, order, action="order_cancelled", user_id=user_id)
        return order

    async def replace(
        self, *, user_id: int, connection_id: str, order_id: str, request: OrderRequest
    ) -> Order:
        """Replace a working order with ``request``; return the new order."""
        row = await self._connections.get(user_id=user_id, connection_id=connection_id)
        self._connections.require_live_trading_allowed(row)
        if request.client_order_id is None:
            request = request.model_copy(update={"client_order_id": new_client_order_id()})
        adapter = self._pool.adapter_for(row)
        order = await adapter.replace_order(row.account_id or "", order_id, request)
        await self.record(row, order, action="order_replaced", user_id=user_id)
        return order
