"""What the emulator remembers besides the exchange: account keys, order numbers, previews.

E*TRADE names an account two ways: ``accountId`` (numeric, shown to the user) and
``accountIdKey`` (opaque, used in every URL). Order ids are integers. Each consumer key
stands for one E*TRADE login whose accounts are a profile on the simulated exchange.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from brokerhub.core.orders import OrderRequest
from brokerhub.errors import NotFound
from brokerhub.sim.exchange import SimExchange


@dataclass(frozen=True)
class Preview:
    """A previewed order waiting to be placed."""

    account_id: str
    request: OrderRequest
    order_type: str
    created_at: datetime
    replaces: str | None = None


@dataclass
class EmulatorBook:
    """Account keys, integer order ids, previews and used client order ids."""

    key_of: dict[str, str] = field(default_factory=dict)
    account_of: dict[str, str] = field(default_factory=dict)
    number_of: dict[str, int] = field(default_factory=dict)
    sim_order_of: dict[int, str] = field(default_factory=dict)
    previews: dict[int, Preview] = field(default_factory=dict)
    next_account: int = 84_345_821
    next_order: int = 101


class AccountDirectory:
    """Maps consumer keys to sim profiles, accounts to keys, and sim orders to numbers.

    Args:
        exchange: the simulated exchange.
        starting_cash: the deposit of the account opened at a login's first listing.
    """

    def __init__(self, exchange: SimExchange, starting_cash: Decimal) -> None:
        self.exchange = exchange
        self.starting_cash = starting_cash
        self.book = EmulatorBook()
        self._lock = threading.Lock()

    @staticmethod
    def profile(consumer_key: str) -> str:
        """Return the sim profile standing for the login behind ``consumer_key``."""
        return f"etrade-{consumer_key}"

    def accounts(self, consumer_key: str) -> list[tuple[str, str, str]]:
        """Return (accountId, accountIdKey, name) of the login, opening one the first time."""
        profile = self.profile(consumer_key)
        with self._lock:
            found = self.exchange.accounts(profile)
            if not found:
                account_id = str(self.book.next_account)
                self.book.next_account += 1
                found = [
                    self.exchange.open_account(
                        profile,
                        self.starting_cash,
                        account_id=account_id,
                        name=f"Brokerage {account_id[-4:]}",
                    )
                ]
            rows = []
            for account in found:
                key = self.book.key_of.get(account.account_id)
                if key is None:
                    key = secrets.token_urlsafe(16)[:22]
                    self.book.key_of[account.account_id] = key
                    self.book.account_of[key] = account.account_id
                rows.append((account.account_id, key, account.name))
            return rows

    def account_for(self, consumer_key: str, key: str) -> str:
        """Return the accountId behind ``key`` if it belongs to the login.

        Raises:
            NotFound: the key is unknown (E*TRADE code 102) or another login's (code 100).
        """
        account_id = self.book.account_of.get(key)
        if account_id is None:
            raise NotFound("Please enter valid account key.", broker_code="102")
        if self.exchange.profile_of(account_id) != self.profile(consumer_key):
            raise NotFound("Account key does not belong to user.", broker_code="100")
        return account_id

    def number(self, sim_order_id: str) -> int:
        """Return the integer orderId of a sim order, assigning one the first time."""
        with self._lock:
            number = self.book.number_of.get(sim_order_id)
            if number is None:
                number = self.book.next_order
                self.book.next_order += 1
                self.book.number_of[sim_order_id] = number
                self.book.sim_order_of[number] = sim_order_id
            return number

    def sim_order(self, number: int) -> str:
        """Return the sim order id of an orderId.

        Raises:
            NotFound: no such order.
        """
        found = self.book.sim_order_of.get(number)
        if found is None:
            raise NotFound(f"order {number} not found", broker_code="5001")
        return found

    def add_preview(self, preview: Preview) -> int:
        """Store a preview and return its previewId."""
        with self._lock:
            preview_id = secrets.randbelow(9_000_000_000) + 1_000_000_000
            self.book.previews[preview_id] = preview
            return preview_id

    def take_preview(self, preview_id: int) -> Preview | None:
        """Return and forget a preview."""
        with self._lock:
            return self.book.previews.pop(preview_id, None)
