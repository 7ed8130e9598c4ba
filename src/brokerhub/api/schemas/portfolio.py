"""Bodies of sync, portfolio, balance and transactions."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel

from brokerhub.api.schemas.common import Body, Envelope, Fresh


class SyncRequest(Body):
    """``POST accounts/{id}/sync/``: force past the one-sync-per-hour limit."""

    force_sync: bool = False


class SyncResponse(Envelope):
    """Counts of what the sync saw: positions held, transactions fetched and new ones."""

    message: str
    portfolio_count: int
    transactions_count: int
    new_transactions_count: int
    sync_run_id: int


class GreeksPublic(BaseModel):
    """Option sensitivities."""

    delta: Decimal
    gamma: Decimal
    theta: Decimal
    vega: Decimal
    rho: Decimal | None
    implied_volatility: Decimal | None


class PositionPublic(Fresh):
    """The seed's Portfolio Position, plus asset class, cost basis and Greeks."""

    symbol: str
    asset_class: str
    quantity: Decimal
    average_price: Decimal
    current_price: Decimal
    market_value: Decimal
    cost_basis: Decimal
    unrealized_pnl: Decimal
    unrealized_pnl_percent: Decimal
    greeks: GreeksPublic | None
    last_updated: datetime


class PortfolioResponse(Envelope, Fresh):
    """``GET accounts/{id}/portfolio/``: positions as of the last sync."""

    account_id: str
    brokerage_name: str
    portfolio: list[PositionPublic]


class BalanceResponse(Envelope, Fresh):
    """``GET accounts/{id}/balance/``."""

    account_id: str
    brokerage_name: str
    currency: str
    cash_balance: Decimal
    buying_power: Decimal
    total_value: Decimal
    long_market_value: Decimal
    short_market_value: Decimal
    margin_buying_power: Decimal | None
    maintenance_requirement: Decimal | None
    day_trading_buying_power: Decimal | None


class TransactionPublic(BaseModel):
    """The seed's Transaction. ``amount`` is the trade value (quantity x price x multiplier)
    or the size of a cash movement; ``net_amount`` is the signed cash effect after fees."""

    transaction_id: str
    transaction_type: str
    symbol: str | None
    quantity: Decimal | None
    price: Decimal | None
    amount: Decimal
    net_amount: Decimal
    fees: Decimal
    description: str | None
    transaction_date: datetime
    created_at: datetime


class TransactionsResponse(Envelope):
    """``GET accounts/{id}/transactions/``, newest first, paged by limit and offset."""

    account_id: str
    brokerage_name: str
    transactions: list[TransactionPublic]
    limit: int
    offset: int
