"""Accounts, balances, positions and transactions as the hub knows them."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import Field

from brokerhub.core.base import CoreModel, UtcDateTime
from brokerhub.core.instruments import Instrument
from brokerhub.core.money import Amount, NonNegativeDecimal


class AccountType(StrEnum):
    """The kind of account at the broker."""

    CASH = "cash"
    MARGIN = "margin"
    IRA = "ira"
    OTHER = "other"


class Account(CoreModel):
    """One account at a broker."""

    account_id: str
    name: str
    account_type: AccountType = AccountType.MARGIN
    currency: str = "USD"
    is_paper: bool = False
    raw: dict[str, object] | None = Field(default=None, repr=False)


class Balance(CoreModel):
    """Cash and value of an account at one instant. Margin figures are None where absent."""

    account_id: str
    currency: str = "USD"
    cash: Amount
    buying_power: Amount
    total_value: Amount
    long_market_value: Amount = Decimal(0)
    short_market_value: Amount = Decimal(0)
    margin_buying_power: Amount | None = None
    maintenance_requirement: Amount | None = None
    day_trading_buying_power: Amount | None = None
    as_of: UtcDateTime
    raw: dict[str, object] | None = Field(default=None, repr=False)


class Greeks(CoreModel):
    """Option sensitivities per contract unit."""

    delta: Decimal
    gamma: Decimal
    theta: Decimal
    vega: Decimal
    rho: Decimal | None = None
    implied_volatility: Decimal | None = None


class Position(CoreModel):
    """A holding. ``quantity`` is negative for a short; P&L percent is on |cost basis|."""

    instrument: Instrument
    quantity: Amount
    average_price: Amount
    current_price: Amount
    market_value: Amount
    cost_basis: Amount
    unrealized_pnl: Amount
    unrealized_pnl_percent: Amount
    greeks: Greeks | None = None
    as_of: UtcDateTime
    raw: dict[str, object] | None = Field(default=None, repr=False)

    @property
    def symbol(self) -> str:
        """Return the instrument's symbol."""
        return self.instrument.symbol


class TransactionType(StrEnum):
    """The seed's transaction types plus fee, interest and other."""

    BUY = "buy"
    SELL = "sell"
    DIVIDEND = "dividend"
    DEPOSIT = "deposit"
    WITHDRAWAL = "withdrawal"
    TRANSFER = "transfer"
    FEE = "fee"
    INTEREST = "interest"
    OTHER = "other"


class Transaction(CoreModel):
    """A cash or security movement. ``amount`` is the cash effect: credits positive, debits
    negative, after fees. ``fees`` is what was paid in fees and commission (non-negative)."""

    transaction_id: str
    account_id: str
    transaction_type: TransactionType
    symbol: str | None = None
    quantity: Amount | None = None
    price: Amount | None = None
    amount: Amount
    fees: NonNegativeDecimal = Decimal(0)
    description: str | None = None
    transaction_date: UtcDateTime
    order_id: str | None = None
    raw: dict[str, object] | None = Field(default=None, repr=False)


def unrealized_pnl_percent(pnl: Decimal, cost_basis: Decimal) -> Decimal:
    """Return P&L as a percent of |cost basis|, to 2 decimals; 0 when there is no basis."""
    if cost_basis == 0:
        return Decimal(0)
    return (pnl / abs(cost_basis) * 100).quantize(Decimal("0.01"))
