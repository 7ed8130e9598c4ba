"""Core views of the paper books: accounts, balances and positions valued at the mids."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from brokerhub.core.portfolio import (
    Account,
    AccountType,
    Balance,
    Position,
    unrealized_pnl_percent,
)
from brokerhub.sim.ledger import Holding, Ledger, Mark
from brokerhub.sim.market import Market
from brokerhub.sim.state import PaperAccount

AVERAGE_PRICE_PLACES = Decimal("0.0001")


def account_view(account: PaperAccount) -> Account:
    """Return a paper account as a core margin account (its profile in ``raw``)."""
    return Account(
        account_id=account.account_id,
        name=account.name,
        account_type=AccountType.MARGIN,
        is_paper=True,
        raw={"profile_id": account.profile_id, "created_at": account.created_at.isoformat()},
    )


def balance_view(ledger: Ledger, mark: Mark, now: datetime) -> Balance:
    """Return cash, buying power and values; ``raw`` holds realized P&L and fees (strings).

    ``short_market_value`` is zero or negative; ``maintenance_requirement`` is the margin
    the short positions require (see :mod:`brokerhub.sim.ledger`).
    """
    long_value, short_value = ledger.market_value(mark)
    requirement = ledger.requirement(mark)
    return Balance(
        account_id=ledger.account_id,
        cash=ledger.cash,
        buying_power=ledger.cash - requirement,
        total_value=ledger.cash + long_value + short_value,
        long_market_value=long_value,
        short_market_value=short_value,
        maintenance_requirement=requirement,
        as_of=now,
        raw={"realized_pnl": str(ledger.realized_pnl), "fees_paid": str(ledger.fees_paid)},
    )


def position_view(holding: Holding, mark: Mark, market: Market, now: datetime) -> Position:
    """Return a holding valued at its mid; options carry Black-Scholes Greeks.

    ``average_price`` is rounded to 4 decimals; ``cost_basis`` and the P&L are exact.
    """
    price = mark(holding.instrument)
    value = holding.quantity * price * holding.instrument.multiplier
    pnl = value - holding.cost_basis
    contract = holding.instrument.option
    return Position(
        instrument=holding.instrument,
        quantity=holding.quantity,
        average_price=holding.average_price.quantize(AVERAGE_PRICE_PLACES),
        current_price=price,
        market_value=value,
        cost_basis=holding.cost_basis,
        unrealized_pnl=pnl,
        unrealized_pnl_percent=unrealized_pnl_percent(pnl, holding.cost_basis),
        greeks=market.option_value(contract, now).greeks if contract else None,
        as_of=now,
    )
