"""What account commands run against: the hub in-process, or a server over its REST API.

Both backends return core models (and :class:`AccountView` for connections), so every
command has one code path and one way of printing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from brokerhub.core.marketdata import Quote
from brokerhub.core.orders import Order, OrderPreview, OrderRequest
from brokerhub.core.portfolio import Balance, Position, Transaction, TransactionType
from brokerhub.errors import NotFound
from brokerhub.hub import Hub
from brokerhub.store.models.connections import ConnectionRow
from brokerhub.sync.service import SyncResult


@dataclass(frozen=True)
class AccountView:
    """A connected account as the CLI shows it (never its credentials)."""

    id: str
    brokerage_name: str
    account_id: str | None
    account_name: str | None
    status: str
    environment: str
    last_sync: datetime | None
    cash_balance: Decimal | None
    buying_power: Decimal | None
    total_value: Decimal | None

    @classmethod
    def from_row(cls, row: ConnectionRow) -> AccountView:
        """Return the view of a stored connection."""
        return cls(
            id=str(row.id),
            brokerage_name=row.brokerage_name,
            account_id=row.account_id,
            account_name=row.account_name,
            status=row.status.value,
            environment=row.environment.value,
            last_sync=row.last_sync,
            cash_balance=row.cash_balance,
            buying_power=row.buying_power,
            total_value=row.total_value,
        )

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> AccountView:
        """Return the view of an account as the REST API shows it."""
        return cls(**{name: data[name] for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class OAuthLink:
    """A started OAuth connect flow: the URL the user opens and the state naming the flow."""

    auth_method: str
    authorization_url: str
    state: str


class Backend(Protocol):
    """The account operations of the CLI. ``account`` None means the first connection."""

    async def accounts(self) -> list[AccountView]: ...
    async def connect(self, brokerage: str, credentials: dict[str, str]) -> list[AccountView]: ...
    async def auth_method(self, brokerage: str) -> str: ...
    async def oauth_initiate(
        self, brokerage: str, use_sandbox: bool, app: dict[str, str]
    ) -> OAuthLink: ...
    async def oauth_complete(
        self, brokerage: str, code: str, state: str | None
    ) -> list[AccountView]: ...
    async def positions(self, account: str | None) -> list[Position]: ...
    async def balance(self, account: str | None) -> Balance: ...
    async def transactions(
        self, account: str | None, types: frozenset[TransactionType] | None, limit: int
    ) -> Sequence[Transaction]: ...
    async def sync(self, account: str, force: bool) -> SyncResult: ...
    async def orders(self, account: str | None) -> list[Order]: ...
    async def preview(self, account: str | None, request: OrderRequest) -> OrderPreview: ...
    async def place(self, account: str | None, request: OrderRequest) -> Order: ...
    async def cancel(self, account: str | None, order_id: str) -> Order: ...
    async def quotes(self, account: str | None, symbols: list[str]) -> list[Quote]: ...


async def first_account(backend: Backend, account: str | None) -> str:
    """Return ``account``, or the id of the first connected account."""
    if account:
        return account
    found = await backend.accounts()
    if not found:
        raise NotFound("No connected accounts; run `brokerhub connect`")
    return found[0].id


class LocalBackend:
    """The hub in-process, acting as one user."""

    def __init__(self, hub: Hub, user_id: int) -> None:
        self._hub = hub
        self._user_id = user_id

    async def accounts(self) -> list[AccountView]:
        rows = await self._hub.connections.list(user_id=self._user_id)
        return [AccountView.from_row(row) for row in rows]

    async def connect(self, brokerage: str, credentials: dict[str, str]) -> list[AccountView]:
        rows = await self._hub.connections.connect(
            user_id=self._user_id, brokerage_name=brokerage, credentials=credentials
        )
        return [AccountView.from_row(row) for row in rows]

    async def auth_method(self, brokerage: str) -> str:
        return self._hub.connections.spec(brokerage).auth_method.value

    async def oauth_initiate(
        self, brokerage: str, use_sandbox: bool, app: dict[str, str]
    ) -> OAuthLink:
        start = await self._hub.oauth.initiate(
            user_id=self._user_id,
            brokerage_name=brokerage,
            use_sandbox=use_sandbox,
            app_key=app.get("consumer_key") or app.get("client_id"),
            app_secret=app.get("consumer_secret") or app.get("client_secret"),
        )
        return OAuthLink(start.auth_method, start.authorization_url, start.state)

    async def oauth_complete(
        self, brokerage: str, code: str, state: str | None
    ) -> list[AccountView]:
        oauth1 = await self.auth_method(brokerage) == "oauth1"
        rows = await self._hub.oauth.complete(
            user_id=self._user_id,
            brokerage_name=brokerage,
            verification_code=code if oauth1 else None,
            code=None if oauth1 else code,
            state=state,
        )
        return [AccountView.from_row(row) for row in rows]

    async def positions(self, account: str | None) -> list[Position]:
        return await self._hub.portfolio.positions(
            user_id=self._user_id, connection_id=await first_account(self, account)
        )

    async def balance(self, account: str | None) -> Balance:
        return await self._hub.connections.live_balance(
            user_id=self._user_id, connection_id=await first_account(self, account)
        )

    async def transactions(
        self, account: str | None, types: frozenset[TransactionType] | None, limit: int
    ) -> Sequence[Transaction]:
        stored = await self._hub.portfolio.transactions(
            user_id=self._user_id,
            connection_id=await first_account(self, account),
            types=types,
            limit=limit,
        )
        return [item.transaction for item in stored]

    async def sync(self, account: str, force: bool) -> SyncResult:
        return await self._hub.sync.sync_account(
            user_id=self._user_id, connection_id=account, force=force
        )

    async def orders(self, account: str | None) -> list[Order]:
        return await self._hub.orders.list(
            user_id=self._user_id, connection_id=await first_account(self, account)
        )

    async def preview(self, account: str | None, request: OrderRequest) -> OrderPreview:
        return await self._hub.orders.preview(
            user_id=self._user_id,
            connection_id=await first_account(self, account),
            request=request,
        )

    async def place(self, account: str | None, request: OrderRequest) -> Order:
        return await self._hub.orders.place(
            user_id=self._user_id,
            connection_id=await first_account(self, account),
            request=request,
        )

    async def cancel(self, account: str | None, order_id: str) -> Order:
        return await self._hub.orders.cancel(
            user_id=self._user_id,
            connection_id=await first_account(self, account),
            order_id=order_id,
        )

    async def quotes(self, account: str | None, symbols: list[str]) -> list[Quote]:
        return await self._hub.marketdata.quotes(
            user_id=self._user_id,
            connection_id=await first_account(self, account),
            symbols=symbols,
        )
