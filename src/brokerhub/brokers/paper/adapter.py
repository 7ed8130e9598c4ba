"""PaperBroker: the Broker protocol over the simulated exchange.

A PaperBroker is bound to one paper *profile* (a paper login) on a :class:`SimExchange`. The
profile owns one or more accounts: :meth:`PaperBroker.accounts` lists them and opens the first
one (with ``starting_cash``, recorded as a deposit) when the profile has none yet;
:meth:`PaperBroker.open_account` opens another. Every per-account call checks that the account
belongs to the bound profile, so one hub user never sees another's paper accounts.

Calls on an exchange that keeps a snapshot file run in a worker thread (``anyio.to_thread``)
because they read and write that file; calls on an in-memory exchange (tests, the emulators,
the benchmark) touch no disk and run on the caller's loop, which spares a thread round trip
(about 100 us) per call. Either way the exchange serialises calls with its own lock, and a
per-account call checks ownership and acts in that one round trip.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import ClassVar, TypeVar

import anyio

from brokerhub.brokers.base import BaseBroker
from brokerhub.core.capabilities import Capability
from brokerhub.core.marketdata import Bar, OptionChain, Quote, SymbolMatch, Timeframe
from brokerhub.core.orders import Order, OrderPreview, OrderRequest, OrderStatus
from brokerhub.core.portfolio import Account, Balance, Position, Transaction, TransactionType
from brokerhub.errors import NotFound
from brokerhub.sim.exchange import SimExchange

PAPER_CAPABILITIES = frozenset(Capability)
DEFAULT_POLL_SECONDS = 1.0

T = TypeVar("T")


class PaperBroker(BaseBroker):
    """A simulated broker for one paper profile; needs no credentials.

    Args:
        exchange: the paper exchange holding every account.
        profile_id: the paper login this broker acts for.
        starting_cash: the deposit of an account opened without an explicit amount.
        poll_seconds: how often the streams poll the exchange.
    """

    name: ClassVar[str] = "paper"
    capabilities: ClassVar[frozenset[Capability]] = PAPER_CAPABILITIES

    def __init__(
        self,
        exchange: SimExchange,
        profile_id: str,
        starting_cash: Decimal,
        *,
        poll_seconds: float = DEFAULT_POLL_SECONDS,
    ) -> None:
        self.exchange = exchange
        self.profile_id = profile_id
        self.starting_cash = starting_cash
        self.poll_seconds = poll_seconds
        # Accounts seen to belong to the profile: an account never changes hands, so each is
        # checked once, not on every call.
        self._owned_accounts: set[str] = set()

    async def _run(self, function: Callable[[], T]) -> T:
        if self.exchange.persistent:
            return await anyio.to_thread.run_sync(function)
        return function()

    async def _owned(self, account_id: str, function: Callable[[], T]) -> T:
        """Run ``function`` if ``account_id`` belongs to this broker's profile."""

        def checked() -> T:
            if account_id not in self._owned_accounts:
                if self.exchange.profile_of(account_id) != self.profile_id:
                    raise NotFound(f"paper account {account_id} not found", broker=self.name)
                self._owned_accounts.add(account_id)
            return function()

        return await self._run(checked)

    async def accounts(self) -> list[Account]:
        """Return the profile's accounts, opening the first one if there is none."""
        accounts = await self._run(partial(self.exchange.accounts, self.profile_id))
        if not accounts:
            accounts = [await self.open_account()]
        return accounts

    async def open_account(
        self, starting_cash: Decimal | None = None, *, name: str | None = None
    ) -> Account:
        """Open another account for the profile with a starting deposit."""
        cash = self.starting_cash if starting_cash is None else starting_cash
        return await self._run(
            partial(self.exchange.open_account, self.profile_id, cash, name=name)
        )

    async def balance(self, account_id: str) -> Balance:
        """Return cash, buying power and market values at the current mids."""
        return await self._owned(account_id, partial(self.exchange.balance, account_id))

    async def positions(self, account_id: str) -> list[Position]:
        """Return the holdings with price, value, unrealized P&L and option Greeks."""
        return await self._owned(account_id, partial(self.exchange.positions, account_id))

    async def transactions(
        self,
        account_id: str,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        types: frozenset[TransactionType] | None = None,
    ) -> list[Transaction]:
        """Return the account's transactions in ``[start, end]``, optionally of some types."""
        return await self._owned(
            account_id,
            partial(self.exchange.transactions, account_id, start=start, end=end, types=types),
        )

    async def orders(
        self, account_id: str, *, status: frozenset[OrderStatus] | None = None
    ) -> list[Order]:
        """Return the account's orders, oldest first."""
        return await self._owned(
            account_id, partial(self.exchange.orders, account_id, status=status)
        )

    async def get_order(self, account_id: str, order_id: str) -> Order:
        """Return one order."""
        return await self._owned(account_id, partial(self.exchange.order, account_id, order_id))

    async def preview_order(self, account_id: str, request: OrderRequest) -> OrderPreview:
        """Return the estimated price, cost, commission and warnings of ``request``."""
        return await self._owned(account_id, partial(self.exchange.preview, account_id, request))

    async def place_order(self, account_id: str, request: OrderRequest) -> Order:
        """Place an order; a refused one raises (InvalidOrder, InsufficientFunds, ...)."""
        return await self._owned(account_id, partial(self.exchange.place, account_id, request))

    async def cancel_order(self, account_id: str, order_id: str) -> Order:
        """Cancel a working order."""
        return await self._owned(account_id, partial(self.exchange.cancel, account_id, order_id))

    async def replace_order(self, account_id: str, order_id: str, request: OrderRequest) -> Order:
        """Replace a working, unfilled order; return the new one."""
        return await self._owned(
            account_id, partial(self.exchange.replace, account_id, order_id, request)
        )

    async def quotes(self, symbols: list[str]) -> list[Quote]:
        """Return the current quote of each ticker or OCC symbol."""
        return [await self._run(partial(self.exchange.quote, symbol)) for symbol in symbols]

    async def bars(
        self, symbol: str, timeframe: Timeframe, start: datetime, end: datetime
    ) -> list[Bar]:
        """Return bars generated from the simulated path (never past now)."""
        return await self._run(partial(self.exchange.bars, symbol, timeframe, start, end))

    async def option_expirations(self, symbol: str) -> list[date]:
        """Return the listed expirations (weekly Fridays and monthlies)."""
        return await self._run(partial(self.exchange.expirations, symbol))

    async def option_chain(self, symbol: str, expiration: date) -> OptionChain:
        """Return Black-Scholes quotes and Greeks of one expiration."""
        return await self._run(partial(self.exchange.chain, symbol, expiration))

    async def search_symbols(self, query: str) -> list[SymbolMatch]:
        """Return listed symbols matching ``query``."""
        return self.exchange.search(query)

    async def stream_quotes(self, symbols: list[str]) -> AsyncGenerator[Quote, None]:
        """Yield each symbol's quote whenever its bid, ask or last changes (polling)."""
        seen: dict[str, tuple[Decimal | None, ...]] = {}
        while True:
            for quote in await self.quotes(symbols):
                key = (quote.bid, quote.ask, quote.last)
                if seen.get(quote.symbol) != key:
                    seen[quote.symbol] = key
                    yield quote
            await anyio.sleep(self.poll_seconds)

    async def stream_order_updates(self, account_id: str) -> AsyncGenerator[Order, None]:
        """Yield the account's orders as they change, starting from now (polling)."""
        seq, _ = await self._owned(account_id, partial(self.exchange.order_changes, account_id, 0))
        while True:
            seq, changed = await self._run(partial(self.exchange.order_changes, account_id, seq))
            for order in changed:
                yield order
            await anyio.sleep(self.poll_seconds)

    async def close(self) -> None:
        """Release nothing: the exchange outlives its brokers."""
