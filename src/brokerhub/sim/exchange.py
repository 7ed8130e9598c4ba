"""The paper exchange: accounts, ledgers, orders and market data behind one thread-safe facade.

Build one with :meth:`SimExchange.in_memory` (tests: a :class:`ManualClock`, a fixed seed, no
disk) or :meth:`SimExchange.open` (a JSON snapshot file and its journal, loaded if present;
each change is appended to the journal, see :mod:`.state`). Every call first matches working
orders up to the clock's now, so the book is always current when it is read.

Accounts belong to a *profile* (a paper login); a profile may own several accounts. Ids are
``PA`` plus a counter unless the caller names the account.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from brokerhub.core.clock import market_date
from brokerhub.core.marketdata import Bar, OptionChain, Quote, SymbolMatch, Timeframe
from brokerhub.core.orders import Order, OrderPreview, OrderRequest, OrderStatus
from brokerhub.core.portfolio import (
    Account,
    Balance,
    Position,
    Transaction,
    TransactionType,
)
from brokerhub.errors import InvalidOrder, NotFound, ValidationFailed
from brokerhub.sim.calendar import AlwaysOpenCalendar, MarketCalendar, NyseCalendar
from brokerhub.sim.checks import funds_problem, position_problem, request_problem
from brokerhub.sim.clock import SimClock
from brokerhub.sim.config import SimConfig
from brokerhub.sim.engine import IMMEDIATE, OrderEngine
from brokerhub.sim.ledger import Ledger
from brokerhub.sim.market import Market
from brokerhub.sim.orders import net_price
from brokerhub.sim.prices import PricePath
from brokerhub.sim.state import ExchangeState, PaperAccount, SnapshotStore
from brokerhub.sim.views import account_view, balance_view, position_view

ACCOUNT_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")


class SimExchange:
    """A simulated broker's back office and market, deterministic by seed.

    Args:
        state: the state to run (a snapshot keeps its own seed and anchor).
        config: the simulator's configuration; its seed is replaced by the state's.
        clock: the source of now.
        calendar: when the market is open; from ``config.follow_market_calendar`` if omitted.
        store: where to save the state after each change; None keeps it in memory.
        replays: recorded paths to use instead of GBM for some symbols.
    """

    def __init__(
        self,
        state: ExchangeState,
        config: SimConfig,
        clock: SimClock,
        *,
        calendar: MarketCalendar | None = None,
        store: SnapshotStore | None = None,
        replays: Mapping[str, PricePath] | None = None,
    ) -> None:
        self.config = replace(config, seed=state.seed)
        self.clock = clock
        self._store = store
        self._lock = threading.RLock()
        self._marker = store.modified_marker() if store else None
        self.market = Market(self.config, state.anchor, replays=replays)
        self.calendar = calendar or _default_calendar(self.config, state.processed_until)
        self._engine = OrderEngine(state, self.market, self.calendar, self.config)

    @classmethod
    def in_memory(
        cls,
        clock: SimClock,
        config: SimConfig | None = None,
        *,
        calendar: MarketCalendar | None = None,
        replays: Mapping[str, PricePath] | None = None,
    ) -> SimExchange:
        """Return an exchange anchored at the clock's now that never touches disk."""
        config = config or SimConfig()
        state = _new_state(config.seed, clock.now())
        return cls(state, config, clock, calendar=calendar, replays=replays)

    @classmethod
    def open(cls, path: Path, config: SimConfig, clock: SimClock) -> SimExchange:
        """Return the exchange saved at ``path``, or a new one saved there from now on."""
        store = SnapshotStore(path)
        state = store.load() or _new_state(config.seed, clock.now())
        return cls(state, config, clock, store=store)

    @property
    def persistent(self) -> bool:
        """Return whether calls read and write a snapshot file (and so may block on disk)."""
        return self._store is not None

    @property
    def state(self) -> ExchangeState:
        """Return the live state (read it under :meth:`sync`; do not change it)."""
        return self._engine.state

    def _begin(self) -> datetime:
        if self._store is not None and self._store.modified_marker() != self._marker:
            loaded = self._store.load()
            if loaded is not None:
                self._engine.state = loaded
            self._marker = self._store.modified_marker()
        now = self.clock.now()
        if self._engine.advance(now):
            self._save()
        return now

    def _save(self) -> None:
        if self._store is not None:
            self._store.save(self._engine.state)
            self._marker = self._store.modified_marker()

    def sync(self) -> datetime:
        """Match working orders up to now and return now."""
        with self._lock:
            return self._begin()

    # accounts ---------------------------------------------------------------------------

    def open_account(
        self,
        profile_id: str,
        starting_cash: Decimal,
        *,
        account_id: str | None = None,
        name: str | None = None,
    ) -> Account:
        """Open an account for ``profile_id`` with a deposit of ``starting_cash``.

        Raises:
            ValidationFailed: a bad or taken account id, or negative starting cash.
        """
        with self._lock:
            now = self._begin()
            state = self._engine.state
            if starting_cash < 0:
                raise ValidationFailed("starting cash must not be negative", broker="paper")
            if account_id is None:
                account_id = f"PA{state.next_account:06d}"
                state.next_account += 1
            if not ACCOUNT_ID_PATTERN.match(account_id) or account_id in state.accounts:
                raise ValidationFailed(
                    f"paper account id {account_id!r} is malformed or taken", broker="paper"
                )
            ledger = Ledger(account_id=account_id)
            if starting_cash > 0:
                ledger.deposit(starting_cash, now, "Paper account starting cash")
            account = PaperAccount(
                account_id=account_id,
                profile_id=profile_id,
                name=name or f"Paper {account_id}",
                created_at=now,
                ledger=ledger,
            )
            state.accounts[account_id] = account
            self._save()
            return account_view(account)

    def accounts(self, profile_id: str) -> list[Account]:
        """Return the profile's accounts in opening order."""
        with self._lock:
            self._begin()
            return [
                account_view(a)
                for a in self._engine.state.accounts.values()
                if a.profile_id == profile_id
            ]

    def profile_of(self, account_id: str) -> str:
        """Return the profile owning ``account_id``.

        Raises:
            NotFound: no such account.
        """
        with self._lock:
            self._begin()
            return self._account(account_id).profile_id

    def _account(self, account_id: str) -> PaperAccount:
        account = self._engine.state.accounts.get(account_id)
        if account is None:
            raise NotFound(f"paper account {account_id} not found", broker="paper")
        return account

    def deposit(self, account_id: str, amount: Decimal) -> Transaction:
        """Credit cash to an account."""
        with self._lock:
            now = self._begin()
            entry = self._account(account_id).ledger.deposit(amount, now)
            self._save()
            return entry.to_core()

    def pay_dividend(self, symbol: str, per_share: Decimal) -> list[Transaction]:
        """Pay a cash dividend on ``symbol`` to every holder (a short pays it)."""
        with self._lock:
            now = self._begin()
            paid = [
                entry.to_core()
                for a in self._engine.state.accounts.values()
                if (entry := a.ledger.pay_dividend(symbol.upper(), per_share, now)) is not None
            ]
            self._save()
            return paid

    # portfolio ------------------------------------------------------------------------

    def balance(self, account_id: str) -> Balance:
        """Return cash, buying power and market values at the current mids.

        ``raw`` carries the account's realized P&L and the fees paid so far (strings).
        """
        with self._lock:
            now = self._begin()
            ledger = self._account(account_id).ledger
            return balance_view(ledger, self._engine.mark_at(now), now)

    def positions(self, account_id: str) -> list[Position]:
        """Return the holdings valued at the current mids (options with Greeks)."""
        with self._lock:
            now = self._begin()
            mark = self._engine.mark_at(now)
            holdings = self._account(account_id).ledger.holdings.values()
            return [position_view(h, mark, self.market, now) for h in holdings]

    def transactions(
        self,
        account_id: str,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        types: frozenset[TransactionType] | None = None,
    ) -> list[Transaction]:
        """Return the account's transactions in ``[start, end]``, optionally of some types."""
        with self._lock:
            self._begin()
            return [
                t
                for t in self._account(account_id).ledger.transaction_views()
                if (start is None or t.transaction_date >= start)
                and (end is None or t.transaction_date <= end)
                and (types is None or t.transaction_type in types)
            ]

    # orders ---------------------------------------------------------------------------

    def orders(
        self, account_id: str, *, status: frozenset[OrderStatus] | None = None
    ) -> list[Order]:
        """Return the account's orders, oldest first, optionally only those in ``status``."""
        with self._lock:
            self._begin()
            self._account(account_id)
            return [
                o.to_core()
                for o in self._engine.account_orders(account_id)
                if status is None or o.status in status
            ]

    def order(self, account_id: str, order_id: str) -> Order:
        """Return one order of the account."""
        with self._lock:
            self._begin()
            return self._engine.find(account_id, order_id).to_core()

    def order_changes(self, account_id: str, after: int) -> tuple[int, list[Order]]:
        """Return the change counter and the account's orders changed after ``after``."""
        with self._lock:
            self._begin()
            changed = self._engine.changed_after(account_id, after)
            return self._engine.state.seq, [o.to_core() for o in changed]

    def preview(self, account_id: str, request: OrderRequest) -> OrderPreview:
        """Return the estimated price, cash, commission and warnings of ``request``."""
        with self._lock:
            now = self._begin()
            ledger = self._account(account_id).ledger
            trades = self._engine.estimate(request, now)
            problems: list[InvalidOrder | None] = [request_problem(request, now)]
            problems += [position_problem(ledger, leg, leg.quantity) for leg in request.legs]
            buying_power_after, funds = funds_problem(ledger, trades, self._engine.mark_at(now))
            problems.append(funds)
            warnings = [p.message for p in problems if p is not None]
            session_open, _ = self.calendar.session_at_or_after(now)
            if session_open > now:
                timing = "is rejected" if request.time_in_force in IMMEDIATE else "will wait"
                warnings.append(
                    f"the market is closed; the order {timing} until it opens at "
                    f"{session_open.isoformat()}"
                )
            prices = {t.instrument.symbol: t.price for t in trades}
            cost = sum((t.cash_effect + t.commission for t in trades), start=Decimal(0))
            fees = sum((t.commission for t in trades), start=Decimal(0))
            return OrderPreview(
                request=request,
                estimated_price=net_price(request.legs, prices),
                estimated_cost=cost,
                commission=fees,
                estimated_total=cost - fees,
                buying_power_after=buying_power_after,
                warnings=warnings,
            )

    def place(self, account_id: str, request: OrderRequest) -> Order:
        """Place an order; raise the error of a refused one (nothing is stored then)."""
        with self._lock:
            now = self._begin()
            order = self._engine.place(self._account(account_id), request, now)
            self._save()
            return order.to_core()

    def cancel(self, account_id: str, order_id: str) -> Order:
        """Cancel a working order."""
        with self._lock:
            now = self._begin()
            order = self._engine.find(account_id, order_id)
            self._engine.cancel(order, now)
            self._save()
            return order.to_core()

    def replace(self, account_id: str, order_id: str, request: OrderRequest) -> Order:
        """Replace a working, unfilled order; return the new order."""
        with self._lock:
            now = self._begin()
            order = self._engine.find(account_id, order_id)
            new = self._engine.replace(self._account(account_id), order, request, now)
            self._save()
            return new.to_core()

    # market data ------------------------------------------------------------------------

    def quote(self, symbol: str) -> Quote:
        """Return the current quote of a ticker or OCC symbol."""
        with self._lock:
            return self.market.quote(symbol, self._begin())

    def bars(self, symbol: str, timeframe: Timeframe, start: datetime, end: datetime) -> list[Bar]:
        """Return bars starting in ``[start, min(end, now)]``."""
        with self._lock:
            now = self._begin()
            return self.market.bars(symbol, timeframe, start, min(end, now))

    def expirations(self, symbol: str) -> list[date]:
        """Return the listed option expirations of ``symbol``."""
        with self._lock:
            return self.market.expirations(symbol, self._begin())

    def chain(self, symbol: str, expiration: date) -> OptionChain:
        """Return the option chain of one expiration."""
        with self._lock:
            return self.market.chain(symbol, expiration, self._begin())

    def search(self, query: str) -> list[SymbolMatch]:
        """Return listed symbols matching ``query``."""
        return self.market.universe.search(query)


def _new_state(seed: int, now: datetime) -> ExchangeState:
    return ExchangeState(seed=seed, anchor=now, processed_until=now)


def _default_calendar(config: SimConfig, around: datetime) -> MarketCalendar:
    if not config.follow_market_calendar:
        return AlwaysOpenCalendar()
    return NyseCalendar(market_date(around) - timedelta(days=7))
