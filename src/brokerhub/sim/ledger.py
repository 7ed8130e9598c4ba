"""The account ledger: cash, signed positions at average cost, P&L, fees and transactions.

Sign conventions: a position's ``quantity`` is negative when short; its ``cost_basis`` has the
quantity's sign and is in cash units (quantity x average price x multiplier), so a short's
basis is minus the proceeds received. Every cash movement is written as a core
:class:`~brokerhub.core.portfolio.Transaction` whose ``amount`` is the cash effect after fees
(credits positive, debits negative) and whose ``fees`` are non-negative. Commission is kept
out of the average cost and out of realized P&L; it is counted in ``fees_paid``.

Postings are kept as :class:`LedgerEntry` records (the fields of a core ``Transaction``, built
from values the ledger computed itself) and turned into validated ``Transaction`` models only
when read, once each: a fill costs no pydantic validation.

Margin (a simplified Reg T): long stock and long options are paid in full; a short stock
position requires 150 % of its market value and a short option 100 % of its value plus 20 %
of the underlying's notional. Buying power is cash minus that requirement.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Annotated, NamedTuple

from pydantic import Field

from brokerhub.core.instruments import Instrument
from brokerhub.core.money import ZERO, quantize_cents
from brokerhub.core.orders import OrderAction
from brokerhub.core.portfolio import Transaction, TransactionType

SHORT_STOCK_REQUIREMENT = Decimal("1.5")
SHORT_OPTION_UNDERLYING_RATE = Decimal("0.2")

Mark = Callable[[Instrument], Decimal]
"""Return the mark (mid) of an instrument, per unit before the multiplier."""


@dataclass(slots=True)
class Holding:
    """One position: signed quantity and signed cost basis in cash units."""

    instrument: Instrument
    quantity: Decimal
    cost_basis: Decimal

    @property
    def average_price(self) -> Decimal:
        """Return the average cost per unit (before the multiplier)."""
        return self.cost_basis / (self.quantity * self.instrument.multiplier)


class Trade(NamedTuple):
    """A fill to post: ``quantity`` is signed (+ buys), ``price`` per unit."""

    instrument: Instrument
    action: OrderAction
    quantity: Decimal
    price: Decimal
    commission: Decimal

    @property
    def cash_effect(self) -> Decimal:
        """Return the cash the trade moves, commission included (credits positive)."""
        return -self.quantity * self.price * self.instrument.multiplier - self.commission


@dataclass(slots=True, kw_only=True)
class LedgerEntry:
    """One posting, with the fields (and snapshot form) of a core ``Transaction``.

    Never changed once recorded (not frozen only because frozen construction costs more).
    """

    transaction_id: str
    account_id: str
    transaction_type: TransactionType
    symbol: str | None = None
    quantity: Decimal | None = None
    price: Decimal | None = None
    amount: Decimal
    fees: Decimal = ZERO
    description: str | None = None
    transaction_date: datetime
    order_id: str | None = None
    raw: dict[str, object] | None = None

    def to_core(self) -> Transaction:
        """Return the posting as a validated core transaction."""
        return Transaction.model_validate(self, from_attributes=True)


@dataclass(slots=True, kw_only=True)
class Ledger:
    """The books of one paper account, changed in place by each posting."""

    account_id: str
    cash: Decimal = ZERO
    realized_pnl: Decimal = ZERO
    fees_paid: Decimal = ZERO
    holdings: dict[str, Holding] = field(default_factory=dict)
    transactions: list[LedgerEntry] = field(default_factory=list)
    next_transaction: int = 1
    # The core views of ``transactions[:len(views)]``, built on first read; not in the snapshot.
    views: Annotated[list[Transaction], Field(exclude=True)] = field(
        default_factory=list, init=False, repr=False, compare=False
    )

    def _next_id(self) -> str:
        return f"{self.account_id}-T{self.next_transaction:06d}"

    def _record(self, entry: LedgerEntry) -> LedgerEntry:
        self.next_transaction += 1
        self.transactions.append(entry)
        return entry

    def transaction_views(self) -> list[Transaction]:
        """Return every posting as a core transaction, oldest first (each converted once)."""
        views = self.views
        if len(views) < len(self.transactions):
            views.extend(entry.to_core() for entry in self.transactions[len(views) :])
        return views

    def deposit(self, amount: Decimal, at: datetime, description: str = "Deposit") -> LedgerEntry:
        """Credit cash from outside the account."""
        if amount <= 0:
            raise ValueError("a deposit is positive")
        self.cash += amount
        return self._record(
            LedgerEntry(
                transaction_id=self._next_id(),
                account_id=self.account_id,
                transaction_type=TransactionType.DEPOSIT,
                amount=amount,
                description=description,
                transaction_date=at,
            )
        )

    def charge_fee(self, amount: Decimal, at: datetime, description: str) -> LedgerEntry:
        """Debit a standalone fee."""
        if amount <= 0:
            raise ValueError("a fee is positive")
        self.cash -= amount
        self.fees_paid += amount
        return self._record(
            LedgerEntry(
                transaction_id=self._next_id(),
                account_id=self.account_id,
                transaction_type=TransactionType.FEE,
                amount=-amount,
                fees=amount,
                description=description,
                transaction_date=at,
            )
        )

    def pay_dividend(self, symbol: str, per_share: Decimal, at: datetime) -> LedgerEntry | None:
        """Credit (or, on a short, debit) a cash dividend on the held shares of ``symbol``."""
        holding = self.holdings.get(symbol)
        if holding is None or holding.instrument.option is not None:
            return None
        amount = quantize_cents(holding.quantity * per_share)
        self.cash += amount
        return self._record(
            LedgerEntry(
                transaction_id=self._next_id(),
                account_id=self.account_id,
                transaction_type=TransactionType.DIVIDEND,
                symbol=symbol,
                quantity=holding.quantity,
                price=per_share,
                amount=amount,
                description=f"Dividend {per_share} per share",
                transaction_date=at,
            )
        )

    def post(self, trade: Trade, at: datetime, order_id: str) -> LedgerEntry:
        """Post a fill: move cash, update the position at average cost, record the trade."""
        cash_effect = trade.cash_effect
        self.cash += cash_effect
        self.fees_paid += trade.commission
        self._update_holding(trade)
        symbol = trade.instrument.symbol
        quantity = abs(trade.quantity)
        return self._record(
            LedgerEntry(
                transaction_id=self._next_id(),
                account_id=self.account_id,
                transaction_type=TransactionType.BUY
                if trade.quantity > 0
                else TransactionType.SELL,
                symbol=symbol,
                quantity=quantity,
                price=trade.price,
                amount=cash_effect,
                fees=trade.commission,
                description=f"{trade.action.value} {quantity} {symbol}",
                transaction_date=at,
                order_id=order_id,
            )
        )

    def _update_holding(self, trade: Trade) -> None:
        symbol = trade.instrument.symbol
        multiplier = trade.instrument.multiplier
        holding = self.holdings.get(symbol)
        change = trade.quantity
        if holding is not None and holding.quantity * change < 0:
            closing = min(abs(change), abs(holding.quantity))
            closing_signed = closing if change > 0 else -closing
            if closing == abs(holding.quantity):
                removed = holding.cost_basis
            else:
                removed = quantize_cents(holding.cost_basis * closing / abs(holding.quantity))
            self.realized_pnl += -closing_signed * trade.price * multiplier - removed
            holding.quantity += closing_signed
            holding.cost_basis -= removed
            change -= closing_signed
            if holding.quantity == 0:
                del self.holdings[symbol]
                holding = None
        if change == 0:
            return
        added = change * trade.price * multiplier
        if holding is None:
            self.holdings[symbol] = Holding(
                instrument=trade.instrument, quantity=change, cost_basis=added
            )
        else:
            holding.quantity += change
            holding.cost_basis += added

    def quantity(self, symbol: str) -> Decimal:
        """Return the signed quantity held of ``symbol`` (0 when flat)."""
        holding = self.holdings.get(symbol)
        return holding.quantity if holding else ZERO

    def market_value(self, mark: Mark) -> tuple[Decimal, Decimal]:
        """Return the (long, short) market values; the short one is zero or negative."""
        long_value = short_value = ZERO
        for holding in self.holdings.values():
            value = holding.quantity * mark(holding.instrument) * holding.instrument.multiplier
            if value >= 0:
                long_value += value
            else:
                short_value += value
        return long_value, short_value

    def requirement(self, mark: Mark) -> Decimal:
        """Return the margin the short positions require (see the module docstring)."""
        return margin_requirement(
            ((h.instrument, h.quantity) for h in self.holdings.values()), mark
        )

    def buying_power(self, mark: Mark) -> Decimal:
        """Return cash minus the margin requirement."""
        return self.cash - self.requirement(mark)

    def buying_power_after(self, trades: Iterable[Trade], mark: Mark) -> Decimal:
        """Return the buying power the account would have after ``trades``, changing nothing."""
        cash = self.cash
        quantities = {symbol: (h.instrument, h.quantity) for symbol, h in self.holdings.items()}
        for trade in trades:
            cash += trade.cash_effect
            _, held = quantities.get(trade.instrument.symbol, (trade.instrument, ZERO))
            quantities[trade.instrument.symbol] = (trade.instrument, held + trade.quantity)
        return cash - margin_requirement(quantities.values(), mark)


def margin_requirement(positions: Iterable[tuple[Instrument, Decimal]], mark: Mark) -> Decimal:
    """Return the requirement of signed positions at the given marks."""
    total = ZERO
    for instrument, quantity in positions:
        if quantity >= 0:
            continue
        units = -quantity
        if instrument.option is None:
            total += SHORT_STOCK_REQUIREMENT * units * mark(instrument)
        else:
            underlying = mark(Instrument.equity(instrument.option.underlying))
            per_unit = mark(instrument) + SHORT_OPTION_UNDERLYING_RATE * underlying
            total += units * instrument.multiplier * per_unit
    return total
