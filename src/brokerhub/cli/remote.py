"""The CLI's backend over a running server's REST API (``--url`` and ``--key``).

Responses are parsed with Decimal for every JSON number, so money stays exact, and turned
back into core models; an error envelope becomes the hub error of its status code.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from functools import partial
from typing import Any

import aiohttp

from brokerhub.api.convert import CORE_TO_ORDER_TERM, ORDER_TERM_TO_CORE, instrument_for
from brokerhub.cli.backend import AccountView, OAuthLink, first_account
from brokerhub.core.marketdata import Quote
from brokerhub.core.orders import (
    Fill,
    Order,
    OrderAction,
    OrderLeg,
    OrderPreview,
    OrderRequest,
    OrderStatus,
    OrderType,
)
from brokerhub.core.portfolio import Balance, Greeks, Position, Transaction, TransactionType
from brokerhub.errors import (
    AuthenticationFailed,
    BrokerHubError,
    Conflict,
    NotFound,
    RateLimited,
    ValidationFailed,
)
from brokerhub.sync.service import SyncResult

PREFIX = "/brokerage_integrations/brokerages"
ERRORS_BY_STATUS: dict[int, type[BrokerHubError]] = {
    400: ValidationFailed,
    401: AuthenticationFailed,
    404: NotFound,
    409: Conflict,
}
decode = partial(json.loads, parse_float=Decimal)


class RemoteBackend:
    """A brokerhub server, as the owner of an API key."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self._session = session
        self._base = url.rstrip("/") + PREFIX

    async def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        async with self._session.request(method, self._base + path, **kwargs) as response:
            body: dict[str, Any] = await response.json(loads=decode, content_type=None)
            if response.status == 429:
                retry_after = response.headers.get("Retry-After")
                raise RateLimited(
                    body["error"], retry_after=float(retry_after) if retry_after else None
                )
            if response.status >= 400 or not body.get("success"):
                error = ERRORS_BY_STATUS.get(response.status, BrokerHubError)
                raise error(str(body.get("error", f"HTTP {response.status}")))
            return body

    async def accounts(self) -> list[AccountView]:
        me = await self._call("GET", "/me/")
        body = await self._call("GET", f"/user/{me['user_id']}/accounts/")
        return [AccountView.from_api(item) for item in body["accounts"]]

    async def auth_method(self, brokerage: str) -> str:
        supported = await self._call("GET", "/supported/")
        configuration = supported["configurations"].get(brokerage)
        if configuration is None:
            raise ValidationFailed(f"Brokerage {brokerage} is not supported")
        return str(configuration["auth_method"])

    async def oauth_initiate(
        self, brokerage: str, use_sandbox: bool, app: dict[str, str]
    ) -> OAuthLink:
        body = {"use_sandbox": use_sandbox, **app}
        start = await self._call("POST", f"/{brokerage}/oauth/initiate/", json=body)
        return OAuthLink(start["auth_method"], start["authorization_url"], start["state"])

    async def oauth_complete(
        self, brokerage: str, code: str, state: str | None
    ) -> list[AccountView]:
        oauth1 = await self.auth_method(brokerage) == "oauth1"
        body = (
            {"verification_code": code, "state": state}
            if oauth1
            else {"code": code, "state": state}
        )
        await self._call("POST", f"/{brokerage}/oauth/complete/", json=body)
        return [view for view in await self.accounts() if view.brokerage_name == brokerage]

    async def connect(self, brokerage: str, credentials: dict[str, str]) -> list[AccountView]:
        me = await self._call("GET", "/me/")
        body = await self._call(
            "POST",
            "/connect/",
            json={
                "user_id": me["user_id"],
                "brokerage_name": brokerage,
                "credentials": credentials,
            },
        )
        ids = set(body["account_ids"])
        return [account for account in await self.accounts() if account.id in ids]

    async def positions(self, account: str | None) -> list[Position]:
        account = await first_account(self, account)
        body = await self._call("GET", f"/accounts/{account}/portfolio/")
        return [_position(item) for item in body["portfolio"]]

    async def balance(self, account: str | None) -> Balance:
        account = await first_account(self, account)
        body = await self._call("GET", f"/accounts/{account}/balance/")
        return Balance(
            account_id=body["account_id"],
            currency=body["currency"],
            cash=body["cash_balance"],
            buying_power=body["buying_power"],
            total_value=body["total_value"],
            long_market_value=body["long_market_value"],
            short_market_value=body["short_market_value"],
            margin_buying_power=body["margin_buying_power"],
            maintenance_requirement=body["maintenance_requirement"],
            day_trading_buying_power=body["day_trading_buying_power"],
            as_of=body["as_of"],
        )

    async def transactions(
        self, account: str | None, types: frozenset[TransactionType] | None, limit: int
    ) -> Sequence[Transaction]:
        account = await first_account(self, account)
        params: dict[str, str | int] = {"limit": limit}
        if types:
            [only] = types  # the API filters by one type, as the seed defines it
            params["transaction_type"] = only.value
        body = await self._call("GET", f"/accounts/{account}/transactions/", params=params)
        return [
            Transaction(
                transaction_id=item["transaction_id"],
                account_id=account,
                transaction_type=item["transaction_type"],
                symbol=item["symbol"],
                quantity=item["quantity"],
                price=item["price"],
                amount=item["net_amount"],
                fees=item["fees"],
                description=item["description"],
                transaction_date=item["transaction_date"],
            )
            for item in body["transactions"]
        ]

    async def sync(self, account: str, force: bool) -> SyncResult:
        body = await self._call("POST", f"/accounts/{account}/sync/", json={"force_sync": force})
        return SyncResult(
            sync_run_id=body["sync_run_id"],
            portfolio_count=body["portfolio_count"],
            transactions_count=body["transactions_count"],
            new_transactions_count=body["new_transactions_count"],
        )

    async def orders(self, account: str | None) -> list[Order]:
        account = await first_account(self, account)
        body = await self._call("GET", f"/accounts/{account}/orders/")
        return [_order(account, item) for item in body["orders"]]

    async def preview(self, account: str | None, request: OrderRequest) -> OrderPreview:
        account = await first_account(self, account)
        body = await self._call(
            "POST", f"/accounts/{account}/orders/preview/", json=order_body(request)
        )
        return OrderPreview(request=request, **body["preview"])

    async def place(self, account: str | None, request: OrderRequest) -> Order:
        account = await first_account(self, account)
        body = await self._call(
            "POST", f"/accounts/{account}/orders/place/", json=order_body(request)
        )
        return _order(account, body["order"])

    async def cancel(self, account: str | None, order_id: str) -> Order:
        account = await first_account(self, account)
        body = await self._call("POST", f"/accounts/{account}/orders/{order_id}/cancel/")
        return _order(account, body["order"])

    async def quotes(self, account: str | None, symbols: list[str]) -> list[Quote]:
        account = await first_account(self, account)
        body = await self._call(
            "GET", f"/accounts/{account}/quotes/", params={"symbols": ",".join(symbols)}
        )
        return [
            Quote.model_validate({k: v for k, v in item.items() if k != "source"})
            for item in body["quotes"]
        ]


def order_body(request: OrderRequest) -> dict[str, Any]:
    """Return the API's order body of a core request (numbers as exact strings)."""

    def text(value: Decimal | None) -> str | None:
        return None if value is None else str(value)

    return {
        "legs": [
            {
                "symbol": leg.instrument.symbol,
                "order_action": leg.action.value,
                "quantity": str(leg.quantity),
            }
            for leg in request.legs
        ],
        "price_type": request.order_type.value,
        "order_term": CORE_TO_ORDER_TERM[request.time_in_force],
        "limit_price": text(request.limit_price),
        "stop_price": text(request.stop_price),
        "trail_amount": text(request.trail_amount),
        "trail_percent": text(request.trail_percent),
        "client_order_id": request.client_order_id,
    }


def _position(item: dict[str, Any]) -> Position:
    greeks = item.get("greeks")
    return Position(
        instrument=instrument_for(item["symbol"]),
        quantity=item["quantity"],
        average_price=item["average_price"],
        current_price=item["current_price"],
        market_value=item["market_value"],
        cost_basis=item["cost_basis"],
        unrealized_pnl=item["unrealized_pnl"],
        unrealized_pnl_percent=item["unrealized_pnl_percent"],
        greeks=Greeks.model_validate(greeks) if greeks else None,
        as_of=item["as_of"] or item["last_updated"],
    )


def _order(account: str, item: dict[str, Any]) -> Order:
    return Order(
        order_id=item["order_id"],
        client_order_id=item["client_order_id"],
        account_id=account,
        status=OrderStatus(item["status"]),
        legs=[
            OrderLeg(
                instrument=instrument_for(leg["symbol"]),
                action=OrderAction(leg["order_action"]),
                quantity=leg["quantity"],
            )
            for leg in item["legs"]
        ],
        order_type=OrderType(item["price_type"]),
        time_in_force=ORDER_TERM_TO_CORE[item["order_term"]],
        limit_price=item["limit_price"],
        stop_price=item["stop_price"],
        trail_amount=item["trail_amount"],
        trail_percent=item["trail_percent"],
        filled_quantity=item["filled_quantity"],
        average_fill_price=item["average_fill_price"],
        fills=[
            Fill(
                fill_id=fill["fill_id"],
                symbol=fill["symbol"],
                action=OrderAction(fill["order_action"]),
                quantity=fill["quantity"],
                price=fill["price"],
                commission=fill["commission"],
                filled_at=fill["filled_at"],
            )
            for fill in item["fills"]
        ],
        reject_reason=item["reject_reason"],
        replaces_order_id=item["replaces_order_id"],
        created_at=item["created_at"],
        updated_at=item["updated_at"],
    )
