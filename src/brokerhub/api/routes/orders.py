"""Order endpoints: preview, place, list, get, cancel and replace."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from brokerhub.api.convert import order_public, order_request, preview_public
from brokerhub.api.deps import CurrentUser, HubDep
from brokerhub.api.responses import EnvelopeResponse
from brokerhub.api.routing import SlashOptionalRouter
from brokerhub.api.schemas.common import DataSource
from brokerhub.api.schemas.orders import (
    OrderBody,
    OrderResponse,
    OrdersResponse,
    OrderStatusName,
    PreviewResponse,
)
from brokerhub.core.orders import OrderStatus

router = SlashOptionalRouter(
    prefix="/brokerage_integrations/brokerages/accounts/{account_id}/orders", tags=["orders"]
)


@router.post("/preview/", response_model=PreviewResponse)
async def preview(
    account_id: str, body: OrderBody, user: CurrentUser, hub: HubDep
) -> EnvelopeResponse:
    """Return estimated price, cost, commission and warnings without placing the order."""
    result = await hub.orders.preview(
        user_id=user.id, connection_id=account_id, request=order_request(body)
    )
    return EnvelopeResponse(PreviewResponse(account_id=account_id, preview=preview_public(result)))


@router.post("/place/", response_model=OrderResponse)
async def place(
    account_id: str, body: OrderBody, user: CurrentUser, hub: HubDep
) -> EnvelopeResponse:
    """Place an order (idempotent per client_order_id)."""
    order = await hub.orders.place(
        user_id=user.id, connection_id=account_id, request=order_request(body)
    )
    return EnvelopeResponse(
        OrderResponse(account_id=account_id, order=order_public(order, DataSource.LIVE))
    )


@router.get("/", response_model=OrdersResponse)
async def list_orders(
    account_id: str,
    user: CurrentUser,
    hub: HubDep,
    status: Annotated[list[OrderStatusName] | None, Query()] = None,
) -> EnvelopeResponse:
    """List orders live from the broker; repeat ``status`` to filter by several."""
    orders = await hub.orders.list(
        user_id=user.id,
        connection_id=account_id,
        status=frozenset(OrderStatus(s) for s in status) if status else None,
    )
    return EnvelopeResponse(
        OrdersResponse(
            account_id=account_id, orders=[order_public(o, DataSource.LIVE) for o in orders]
        )
    )


@router.get("/{order_id}/", response_model=OrderResponse)
async def get_order(
    account_id: str, order_id: str, user: CurrentUser, hub: HubDep
) -> EnvelopeResponse:
    """Return one order."""
    order = await hub.orders.get(user_id=user.id, connection_id=account_id, order_id=order_id)
    return EnvelopeResponse(
        OrderResponse(account_id=account_id, order=order_public(order, DataSource.LIVE))
    )


@router.post("/{order_id}/cancel/", response_model=OrderResponse)
async def cancel(
    account_id: str, order_id: str, user: CurrentUser, hub: HubDep
) -> EnvelopeResponse:
    """Cancel a working order."""
    order = await hub.orders.cancel(user_id=user.id, connection_id=account_id, order_id=order_id)
    return EnvelopeResponse(
        OrderResponse(account_id=account_id, order=order_public(order, DataSource.LIVE))
    )


@router.post("/{order_id}/replace/", response_model=OrderResponse)
async def replace(
    account_id: str, order_id: str, body: OrderBody, user: CurrentUser, hub: HubDep
) -> EnvelopeResponse:
    """Replace a working order; the response is the new order."""
    order = await hub.orders.replace(
        user_id=user.id, connection_id=account_id, order_id=order_id, request=order_request(body)
    )
    return EnvelopeResponse(
        OrderResponse(account_id=account_id, order=order_public(order, DataSource.LIVE))
    )
