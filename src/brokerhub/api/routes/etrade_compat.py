"""The E*TRADE seed's routes under /api/etrade/, over the same use cases as the main API.

``account_id_key`` is E*TRADE's account key, which is the broker account id of the user's
E*TRADE connection. Bodies and answers use the main API's models in the seed's envelope. The
OAuth routes delegate to the same flow as ``/brokerage_integrations/brokerages/etrade/oauth``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Body, Query

from brokerhub.api.convert import (
    balance_response,
    order_public,
    order_request,
    position_public,
    preview_public,
)
from brokerhub.api.deps import CurrentUser, HubDep
from brokerhub.api.responses import EnvelopeResponse
from brokerhub.api.routes.oauth import connected, initiate_flow, status_public
from brokerhub.api.routing import SlashOptionalRouter
from brokerhub.api.schemas.brokerages import ConnectResponse
from brokerhub.api.schemas.common import DataSource
from brokerhub.api.schemas.etrade import (
    CancelBody,
    ETradeAccountPublic,
    ETradeAccountsResponse,
    ETradeOrderStatus,
)
from brokerhub.api.schemas.oauth import (
    AuthStatusResponse,
    CompleteRequest,
    InitiateRequest,
    InitiateResponse,
)
from brokerhub.api.schemas.orders import (
    OrderBody,
    OrderResponse,
    OrdersResponse,
    PreviewResponse,
)
from brokerhub.api.schemas.portfolio import BalanceResponse, PortfolioResponse
from brokerhub.core.orders import OrderStatus
from brokerhub.errors import NotFound
from brokerhub.hub import Hub
from brokerhub.store.models.connections import ConnectionRow

BROKERAGE = "etrade"
router = SlashOptionalRouter(prefix="/api/etrade", tags=["E*TRADE (seed compatibility)"])

# E*TRADE's order status filter -> hub statuses.
ETRADE_TO_CORE_STATUS_FILTER: dict[str, frozenset[OrderStatus]] = {
    "OPEN": frozenset({OrderStatus.OPEN, OrderStatus.PENDING, OrderStatus.PARTIALLY_FILLED}),
    "EXECUTED": frozenset({OrderStatus.FILLED}),
    "CANCELLED": frozenset({OrderStatus.CANCELLED, OrderStatus.REPLACED}),
    # The hub has no separate cancel-requested state: such orders are still working.
    "CANCEL_REQUESTED": frozenset({OrderStatus.OPEN, OrderStatus.PARTIALLY_FILLED}),
    "EXPIRED": frozenset({OrderStatus.EXPIRED}),
    "REJECTED": frozenset({OrderStatus.REJECTED}),
    "PARTIAL": frozenset({OrderStatus.PARTIALLY_FILLED}),
}


async def _etrade_connections(hub: Hub, user_id: int) -> list[ConnectionRow]:
    rows = await hub.connections.list(user_id=user_id)
    return [row for row in rows if row.brokerage_name == BROKERAGE]


async def _connection_id(hub: Hub, user_id: int, account_id_key: str) -> str:
    for row in await _etrade_connections(hub, user_id):
        if row.account_id == account_id_key:
            return str(row.id)
    raise NotFound("Account not found")


@router.get("/accounts", response_model=ETradeAccountsResponse)
async def accounts(user: CurrentUser, hub: HubDep) -> EnvelopeResponse:
    """List the user's E*TRADE accounts."""
    rows = await _etrade_connections(hub, user.id)
    return EnvelopeResponse(
        ETradeAccountsResponse(
            accounts=[
                ETradeAccountPublic(
                    account_id_key=row.account_id or "",
                    account_name=row.account_name,
                    connection_id=str(row.id),
                    status=row.status.value,
                    environment=row.environment.value,
                )
                for row in rows
            ]
        )
    )


@router.get("/accounts/{account_id_key}/balance", response_model=BalanceResponse)
async def balance(account_id_key: str, user: CurrentUser, hub: HubDep) -> EnvelopeResponse:
    """Return the balance live from E*TRADE (total value, cash, buying power)."""
    connection_id = await _connection_id(hub, user.id, account_id_key)
    live = await hub.connections.live_balance(user_id=user.id, connection_id=connection_id)
    return EnvelopeResponse(balance_response(account_id_key, BROKERAGE, live))


@router.get("/accounts/{account_id_key}/portfolio", response_model=PortfolioResponse)
async def portfolio(account_id_key: str, user: CurrentUser, hub: HubDep) -> EnvelopeResponse:
    """Return positions live from E*TRADE with market values and gains."""
    connection_id = await _connection_id(hub, user.id, account_id_key)
    held = await hub.connections.live_positions(user_id=user.id, connection_id=connection_id)
    return EnvelopeResponse(
        PortfolioResponse(
            account_id=account_id_key,
            brokerage_name=BROKERAGE,
            portfolio=[position_public(p, DataSource.LIVE) for p in held],
            as_of=max((p.as_of for p in held), default=None),
            source=DataSource.LIVE,
        )
    )


@router.post("/accounts/{account_id_key}/orders/preview", response_model=PreviewResponse)
async def preview(
    account_id_key: str, body: OrderBody, user: CurrentUser, hub: HubDep
) -> EnvelopeResponse:
    """Preview an order: estimated cost, commission and warnings."""
    connection_id = await _connection_id(hub, user.id, account_id_key)
    result = await hub.orders.preview(
        user_id=user.id, connection_id=connection_id, request=order_request(body)
    )
    return EnvelopeResponse(
        PreviewResponse(account_id=account_id_key, preview=preview_public(result))
    )


@router.post("/accounts/{account_id_key}/orders/place", response_model=OrderResponse)
async def place(
    account_id_key: str, body: OrderBody, user: CurrentUser, hub: HubDep
) -> EnvelopeResponse:
    """Place an order (the adapter previews first, as E*TRADE requires)."""
    connection_id = await _connection_id(hub, user.id, account_id_key)
    order = await hub.orders.place(
        user_id=user.id, connection_id=connection_id, request=order_request(body)
    )
    return EnvelopeResponse(
        OrderResponse(account_id=account_id_key, order=order_public(order, DataSource.LIVE))
    )


@router.get("/accounts/{account_id_key}/orders", response_model=OrdersResponse)
async def list_orders(
    account_id_key: str,
    user: CurrentUser,
    hub: HubDep,
    status: Annotated[ETradeOrderStatus | None, Query()] = None,
) -> EnvelopeResponse:
    """List orders, optionally by E*TRADE status (OPEN, EXECUTED, CANCELLED, ...)."""
    connection_id = await _connection_id(hub, user.id, account_id_key)
    found = await hub.orders.list(
        user_id=user.id,
        connection_id=connection_id,
        status=ETRADE_TO_CORE_STATUS_FILTER[status] if status else None,
    )
    return EnvelopeResponse(
        OrdersResponse(
            account_id=account_id_key, orders=[order_public(o, DataSource.LIVE) for o in found]
        )
    )


@router.post("/accounts/{account_id_key}/orders/cancel", response_model=OrderResponse)
async def cancel(
    account_id_key: str, body: CancelBody, user: CurrentUser, hub: HubDep
) -> EnvelopeResponse:
    """Cancel an order by its id."""
    connection_id = await _connection_id(hub, user.id, account_id_key)
    order = await hub.orders.cancel(
        user_id=user.id, connection_id=connection_id, order_id=body.order_id
    )
    return EnvelopeResponse(
        OrderResponse(account_id=account_id_key, order=order_public(order, DataSource.LIVE))
    )


@router.post("/oauth/initiate", response_model=InitiateResponse)
async def oauth_initiate(
    user: CurrentUser,
    hub: HubDep,
    body: Annotated[InitiateRequest | None, Body()] = None,
) -> EnvelopeResponse:
    """Start the OAuth 1.0a flow (sandbox by default): returns the authorization URL."""
    return EnvelopeResponse(await initiate_flow(hub, user.id, BROKERAGE, body, ""))


@router.post("/oauth/complete", response_model=ConnectResponse)
async def oauth_complete(body: CompleteRequest, user: CurrentUser, hub: HubDep) -> EnvelopeResponse:
    """Finish the flow with the verification code and connect the E*TRADE accounts."""
    rows = await hub.oauth.complete(
        user_id=user.id,
        brokerage_name=BROKERAGE,
        verification_code=body.verification_code,
        state=body.state,
        account_name=body.account_name,
    )
    return EnvelopeResponse(connected(BROKERAGE, rows))


@router.get("/auth/status", response_model=AuthStatusResponse)
async def auth_status(user: CurrentUser, hub: HubDep) -> EnvelopeResponse:
    """Return whether the user's E*TRADE connection works or must be authorized again."""
    status = await hub.oauth.status(user_id=user.id, brokerage_name=BROKERAGE)
    return EnvelopeResponse(status_public(status))
