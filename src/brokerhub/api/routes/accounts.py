"""Per-account endpoints: sync, portfolio, balance, transactions and disconnect."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Literal

from fastapi import Query, Request
from starlette.responses import Response

from brokerhub.api.convert import balance_response, position_public, transaction_public
from brokerhub.api.deps import (
    CurrentUser,
    HubDep,
    PortfolioCacheDep,
    current_user,
    get_hub,
    get_portfolio_cache,
)
from brokerhub.api.responses import EnvelopeResponse, render_json, rendered_response
from brokerhub.api.routing import SlashOptionalRouter
from brokerhub.api.schemas.common import DataSource, MessageResponse
from brokerhub.api.schemas.portfolio import (
    BalanceResponse,
    PortfolioResponse,
    SyncRequest,
    SyncResponse,
    TransactionsResponse,
)
from brokerhub.core.portfolio import TransactionType
from brokerhub.hub import Hub

router = SlashOptionalRouter(prefix="/brokerage_integrations/brokerages", tags=["accounts"])

TransactionTypeName = Literal[
    "buy", "sell", "dividend", "deposit", "withdrawal", "transfer", "fee", "interest", "other"
]


@router.get(
    "/accounts/{account_id}/portfolio/",
    response_model=PortfolioResponse,
    openapi_extra={"security": [{current_user.scheme_name: []}]},
)
async def portfolio(account_id: str, request: Request) -> Response:
    """Return the positions stored by the last sync."""
    # First of the router's routes: FastAPI tries them in order, twice per request.
    # The hottest read: the user, the hub and the cache are looked up here rather than declared
    # as dependencies, each of which costs FastAPI about 30 us per request (G6); openapi_extra
    # documents the bearer key the dependency would have.
    user = await current_user(request)
    hub, portfolios = await get_hub(request), await get_portfolio_cache(request)
    body = await portfolios.get(
        (user.id, account_id), lambda: _stored_portfolio(hub, user.id, account_id)
    )
    return rendered_response(body)


async def _stored_portfolio(hub: Hub, user_id: int, account_id: str) -> bytes:
    row = await hub.connections.get(user_id=user_id, connection_id=account_id)
    positions = await hub.portfolio.positions(user_id=user_id, connection_id=account_id)
    return render_json(
        PortfolioResponse(
            account_id=str(row.id),
            brokerage_name=row.brokerage_name,
            portfolio=[position_public(p, DataSource.SYNC) for p in positions],
            as_of=row.last_sync,
            source=DataSource.SYNC,
        )
    )


@router.post("/accounts/{account_id}/sync/", response_model=SyncResponse)
async def sync_account(
    account_id: str,
    user: CurrentUser,
    hub: HubDep,
    portfolios: PortfolioCacheDep,
    body: SyncRequest | None = None,
) -> EnvelopeResponse:
    """Sync positions, balance and transactions (1 per hour per account unless forced)."""
    force = body.force_sync if body else False
    try:
        result = await hub.sync.sync_account(user_id=user.id, connection_id=account_id, force=force)
    finally:
        portfolios.clear()  # syncs are rare: every portfolio is simply read again
    return EnvelopeResponse(
        SyncResponse(
            message="Account synced successfully",
            portfolio_count=result.portfolio_count,
            transactions_count=result.transactions_count,
            new_transactions_count=result.new_transactions_count,
            sync_run_id=result.sync_run_id,
        )
    )


@router.get("/accounts/{account_id}/balance/", response_model=BalanceResponse)
async def balance(account_id: str, user: CurrentUser, hub: HubDep) -> EnvelopeResponse:
    """Return the balance live from the broker."""
    row = await hub.connections.get(user_id=user.id, connection_id=account_id)
    live = await hub.connections.live_balance(user_id=user.id, connection_id=account_id)
    return EnvelopeResponse(balance_response(str(row.id), row.brokerage_name, live))


@router.get("/accounts/{account_id}/transactions/", response_model=TransactionsResponse)
async def transactions(
    account_id: str,
    user: CurrentUser,
    hub: HubDep,
    start_date: Annotated[date | None, Query(description="ISO date, inclusive")] = None,
    end_date: Annotated[date | None, Query(description="ISO date, inclusive")] = None,
    transaction_type: TransactionTypeName | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> EnvelopeResponse:
    """Return stored transactions, newest first, filtered by date range and type."""
    row = await hub.connections.get(user_id=user.id, connection_id=account_id)
    stored = await hub.portfolio.transactions(
        user_id=user.id,
        connection_id=account_id,
        start=datetime.combine(start_date, time(0), tzinfo=UTC) if start_date else None,
        end=(
            datetime.combine(end_date + timedelta(days=1), time(0), tzinfo=UTC)
            if end_date
            else None
        ),
        types=frozenset({TransactionType(transaction_type)}) if transaction_type else None,
        limit=limit,
        offset=offset,
    )
    return EnvelopeResponse(
        TransactionsResponse(
            account_id=str(row.id),
            brokerage_name=row.brokerage_name,
            transactions=[transaction_public(s.transaction, s.created_at) for s in stored],
            limit=limit,
            offset=offset,
        )
    )


@router.delete("/accounts/{account_id}/disconnect/", response_model=MessageResponse)
async def disconnect(
    account_id: str, user: CurrentUser, hub: HubDep, portfolios: PortfolioCacheDep
) -> EnvelopeResponse:
    """Disconnect the account and remove its positions, transactions and credentials."""
    try:
        row = await hub.connections.disconnect(user_id=user.id, connection_id=account_id)
    finally:
        portfolios.clear()
    return EnvelopeResponse(
        MessageResponse(message=f"Successfully disconnected {row.brokerage_name} account")
    )
