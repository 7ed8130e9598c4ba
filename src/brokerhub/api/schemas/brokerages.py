"""Bodies of the brokerage endpoints: supported, connect, user accounts."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field

from brokerhub.api.schemas.common import Body, Envelope

ConnectionStatus = Literal["pending", "connected", "disconnected", "error"]
Environment = Literal["paper", "sandbox", "production"]


class BrokerageConfiguration(BaseModel):
    """What a brokerage needs to connect, and what it can do (its capability map)."""

    display_name: str
    required_fields: list[str]
    optional_fields: list[str]
    auth_method: str
    api_documentation: str
    capabilities: dict[str, bool]


class SupportedResponse(Envelope):
    """``GET brokerages/supported/``."""

    brokerages: list[str]
    configurations: dict[str, BrokerageConfiguration]


class ConnectRequest(Body):
    """``POST brokerages/connect/``: the seed's body, plus an optional display name."""

    user_id: int
    brokerage_name: str = Field(min_length=1)
    credentials: dict[str, Any] = Field(default_factory=dict)
    account_name: str | None = None
    environment: Environment | None = Field(
        default=None, description="sandbox (default) or production; paper brokers are paper"
    )
    live_trading_enabled: bool = Field(
        default=False, description="Allow real-money orders (production connections only)"
    )


class ConnectResponse(Envelope):
    """The first connected account's id, and every id when the login holds several."""

    account_id: str
    account_ids: list[str]
    message: str


class AccountPublic(BaseModel):
    """A connected brokerage account (the seed's BrokerageAccount, credentials never shown)."""

    id: str
    user: int
    brokerage_name: str
    account_id: str | None
    account_name: str | None
    status: ConnectionStatus
    is_active: bool
    environment: Environment
    live_trading_enabled: bool
    created_at: datetime
    updated_at: datetime
    last_sync: datetime | None
    cash_balance: Decimal | None
    total_value: Decimal | None
    buying_power: Decimal | None
    balance_as_of: datetime | None
    last_error: str | None
    error_count: int


class AccountsResponse(Envelope):
    """``GET brokerages/user/{user_id}/accounts/``."""

    accounts: list[AccountPublic]
