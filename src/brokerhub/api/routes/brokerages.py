"""The seed's brokerage endpoints: supported, connect and a user's accounts."""

from __future__ import annotations

from brokerhub.api.deps import CurrentUser, HubDep, acting_user_id
from brokerhub.api.responses import EnvelopeResponse
from brokerhub.api.routing import SlashOptionalRouter
from brokerhub.api.schemas.brokerages import (
    AccountPublic,
    AccountsResponse,
    BrokerageConfiguration,
    ConnectRequest,
    ConnectResponse,
    SupportedResponse,
)
from brokerhub.connections.service import ConnectOptions
from brokerhub.store.enums import Environment
from brokerhub.store.models.connections import ConnectionRow

router = SlashOptionalRouter(prefix="/brokerage_integrations/brokerages", tags=["brokerages"])


def account_public(row: ConnectionRow) -> AccountPublic:
    """Return the seed's BrokerageAccount view of a connection (never its credentials)."""
    return AccountPublic(
        id=str(row.id),
        user=row.user_id,
        brokerage_name=row.brokerage_name,
        account_id=row.account_id,
        account_name=row.account_name,
        status=row.status.value,
        is_active=row.is_active,
        environment=row.environment.value,
        live_trading_enabled=row.live_trading_enabled,
        created_at=row.created_at,
        updated_at=row.updated_at,
        last_sync=row.last_sync,
        cash_balance=row.cash_balance,
        total_value=row.total_value,
        buying_power=row.buying_power,
        balance_as_of=row.balance_as_of,
        last_error=row.last_error,
        error_count=row.error_count,
    )


@router.get("/supported/", response_model=SupportedResponse)
async def supported(hub: HubDep) -> EnvelopeResponse:
    """List every brokerage with an adapter, what it needs to connect and what it can do."""
    specs = hub.connections.supported()
    return EnvelopeResponse(
        SupportedResponse(
            brokerages=[spec.name for spec in specs],
            configurations={
                spec.name: BrokerageConfiguration(
                    display_name=spec.display_name,
                    required_fields=list(spec.required_fields),
                    optional_fields=list(spec.optional_fields),
                    auth_method=spec.auth_method.value,
                    api_documentation=spec.api_documentation,
                    capabilities=spec.capability_map(),
                )
                for spec in specs
            },
        )
    )


@router.post("/connect/", response_model=ConnectResponse)
async def connect(body: ConnectRequest, user: CurrentUser, hub: HubDep) -> EnvelopeResponse:
    """Connect a brokerage account; a login with several accounts connects each."""
    user_id = acting_user_id(user, body.user_id)
    rows = await hub.connections.connect(
        user_id=user_id,
        brokerage_name=body.brokerage_name,
        credentials=body.credentials,
        options=ConnectOptions(
            environment=Environment(body.environment) if body.environment else None,
            live_trading_enabled=body.live_trading_enabled,
            account_name=body.account_name,
        ),
    )
    return EnvelopeResponse(
        ConnectResponse(
            account_id=str(rows[0].id),
            account_ids=[str(row.id) for row in rows],
            message=f"Successfully connected {body.brokerage_name} account",
        )
    )


@router.get("/user/{user_id}/accounts/", response_model=AccountsResponse)
async def user_accounts(user_id: int, user: CurrentUser, hub: HubDep) -> EnvelopeResponse:
    """List a user's connected brokerage accounts."""
    rows = await hub.connections.list(user_id=acting_user_id(user, user_id))
    return EnvelopeResponse(AccountsResponse(accounts=[account_public(row) for row in rows]))
