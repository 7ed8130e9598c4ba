"""The Trading API v2 routes: account, positions, orders, assets and activities."""

from __future__ import annotations

import asyncio
from datetime import datetime
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from brokerhub.core.clock import ensure_utc
from brokerhub.core.orders import Order
from brokerhub.core.portfolio import TransactionType
from brokerhub.emulators.alpaca.errors import AlpacaHttpError, from_sim, invalid, not_found
from brokerhub.emulators.alpaca.requests import order_request, replacement
from brokerhub.emulators.alpaca.responses import WireJSON
from brokerhub.emulators.alpaca.state import AlpacaEmulator
from brokerhub.emulators.alpaca.wire import (
    NON_TRADE_ACTIVITY,
    OPEN_STATUSES,
    account_json,
    activity_json,
    asset_json,
    order_json,
    position_json,
    wire_symbol,
)
from brokerhub.errors import BrokerHubError, Conflict, NotFound
from brokerhub.sim.universe import DEFAULT_UNIVERSE

DEFAULT_ORDER_LIMIT = 50
MAX_ORDER_LIMIT = 500
MAX_PAGE_SIZE = 100
ACTIVITY_CATEGORIES = {
    "FILL": {TransactionType.BUY, TransactionType.SELL},
    **{code: {kind} for kind, code in NON_TRADE_ACTIVITY.items()},
}


def parse_time(value: str | None, name: str) -> datetime | None:
    """Return an RFC 3339 or YYYY-MM-DD query value as aware UTC (None when absent)."""
    if not value:
        return None
    try:
        return ensure_utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        raise invalid(f"invalid {name}") from None


def int_param(request: Request, name: str, default: int, ceiling: int) -> int:
    """Return a positive integer query parameter, capped at ``ceiling``."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise invalid(f"invalid {name}")
    return min(int(raw), ceiling)


class TradingRoutes:
    """Handlers of the Trading API over one emulator."""

    def __init__(self, emulator: AlpacaEmulator) -> None:
        self.emulator = emulator
        self.exchange = emulator.exchange

    def routes(self) -> list[Route]:
        """Return the Starlette routes (the literal-colon path included)."""
        return [
            Route("/v2/account", self.account),
            Route("/v2/positions", self.positions),
            Route("/v2/positions/{symbol}", self.position),
            Route("/v2/orders", self.orders, methods=["GET"]),
            Route("/v2/orders", self.place, methods=["POST"]),
            Route("/v2/orders", self.cancel_all, methods=["DELETE"]),
            Route("/v2/orders:by_client_order_id", self.by_client_order_id),
            Route("/v2/orders/{order_id}", self.order, methods=["GET"]),
            Route("/v2/orders/{order_id}", self.replace, methods=["PATCH"]),
            Route("/v2/orders/{order_id}", self.cancel, methods=["DELETE"]),
            Route("/v2/assets", self.assets),
            Route("/v2/assets/{symbol}", self.asset),
            Route("/v2/account/activities", self.activities),
            Route("/v2/account/activities/{activity_type}", self.activities),
        ]

    async def account(self, request: Request) -> Response:
        """GET /v2/account."""
        account_id = self.emulator.authenticate(request)
        balance = self.exchange.balance(account_id)
        (account,) = [
            a
            for a in self.exchange.accounts(self.exchange.profile_of(account_id))
            if a.account_id == account_id
        ]
        created = datetime.fromisoformat(str((account.raw or {})["created_at"]))
        return WireJSON(account_json(account_id, balance, created))

    async def positions(self, request: Request) -> Response:
        """GET /v2/positions."""
        account_id = self.emulator.authenticate(request)
        return WireJSON([position_json(p) for p in self.exchange.positions(account_id)])

    async def position(self, request: Request) -> Response:
        """GET /v2/positions/{symbol}: 404 when nothing is held."""
        account_id = self.emulator.authenticate(request)
        symbol = request.path_params["symbol"].upper()
        for position in self.exchange.positions(account_id):
            if wire_symbol(position.instrument) == symbol:
                return WireJSON(position_json(position))
        raise not_found("position does not exist")

    def _render(self, account_id: str, orders: list[Order]) -> list[dict[str, Any]]:
        replaced = self.emulator.replaced_by(self.exchange.orders(account_id))
        return [order_json(o, replaced.get(o.order_id)) for o in orders]

    async def orders(self, request: Request) -> Response:
        """GET /v2/orders with status, limit, after, until, direction, nested, symbols."""
        account_id = self.emulator.authenticate(request)
        params = request.query_params
        status = params.get("status", "open")
        if status not in {"open", "closed", "all"}:
            raise invalid(f"invalid status {status}")
        limit = int_param(request, "limit", DEFAULT_ORDER_LIMIT, MAX_ORDER_LIMIT)
        after = parse_time(params.get("after"), "after")
        until = parse_time(params.get("until"), "until")
        symbols = {s.strip().upper() for s in params.get("symbols", "").split(",") if s.strip()}
        chosen = [
            o
            for o in self.exchange.orders(account_id)
            if (status == "all" or (o.status in OPEN_STATUSES) == (status == "open"))
            and (after is None or o.created_at > after)
            and (until is None or o.created_at < until)
            and (not symbols or wire_symbol(o.legs[0].instrument) in symbols)
        ]
        chosen.sort(key=lambda o: o.created_at, reverse=params.get("direction", "desc") == "desc")
        return WireJSON(self._render(account_id, chosen[:limit]))

    async def order(self, request: Request) -> Response:
        """GET /v2/orders/{order_id}."""
        account_id = self.emulator.authenticate(request)
        return WireJSON(self._render(account_id, [self._find(account_id, request)])[0])

    def _find(self, account_id: str, request: Request) -> Order:
        try:
            return self.emulator.find_order(account_id, request.path_params["order_id"])
        except NotFound:
            raise not_found("order not found") from None

    async def by_client_order_id(self, request: Request) -> Response:
        """GET /v2/orders:by_client_order_id?client_order_id=..."""
        account_id = self.emulator.authenticate(request)
        wanted = request.query_params.get("client_order_id")
        for order in self.exchange.orders(account_id):
            if order.client_order_id == wanted:
                return WireJSON(self._render(account_id, [order])[0])
        raise not_found("order not found")

    async def _body(self, request: Request) -> dict[str, Any]:
        try:
            body = await request.json()
        except ValueError:
            raise invalid("request body is not valid JSON") from None
        if not isinstance(body, dict):
            raise invalid("request body must be a JSON object")
        return body

    def _held(self, account_id: str, symbol: str) -> Decimal:
        for position in self.exchange.positions(account_id):
            if wire_symbol(position.instrument) == symbol.upper():
                return position.quantity
        return Decimal(0)

    async def place(self, request: Request) -> Response:
        """POST /v2/orders; a fault hook may delay the answer after the order is placed."""
        account_id = self.emulator.authenticate(request)
        body = await self._body(request)
        symbol = str(body.get("symbol") or "")
        placing = order_request(body, self._held(account_id, symbol))
        self.emulator.order_posts += 1
        try:
            placed = self.exchange.place(account_id, placing)
        except BrokerHubError as exc:
            raise from_sim(exc, symbol) from None
        delay, self.emulator.faults.delay_order_response = (
            self.emulator.faults.delay_order_response,
            0.0,
        )
        if delay:
            await asyncio.sleep(delay)
        return WireJSON(self._render(account_id, [placed])[0])

    async def replace(self, request: Request) -> Response:
        """PATCH /v2/orders/{order_id}: the new order replaces the old one."""
        account_id = self.emulator.authenticate(request)
        old = self._find(account_id, request)
        body = await self._body(request)
        old_request = self.exchange.state.orders[old.order_id].request
        try:
            new = self.exchange.replace(account_id, old.order_id, replacement(old_request, body))
        except Conflict as exc:
            raise invalid(f"order is not replaceable: {exc.message}") from None
        except BrokerHubError as exc:
            raise from_sim(exc, wire_symbol(old.legs[0].instrument)) from None
        return WireJSON(self._render(account_id, [new])[0])

    async def cancel(self, request: Request) -> Response:
        """DELETE /v2/orders/{order_id}: 204, or 422 when the order no longer works."""
        account_id = self.emulator.authenticate(request)
        order = self._find(account_id, request)
        try:
            self.exchange.cancel(account_id, order.order_id)
        except Conflict:
            raise AlpacaHttpError(
                422, {"code": 42210000, "message": "order is not cancelable"}
            ) from None
        return Response(status_code=204)

    async def cancel_all(self, request: Request) -> Response:
        """DELETE /v2/orders: 207 with one status per working order."""
        account_id = self.emulator.authenticate(request)
        results = []
        for order in self.exchange.orders(account_id, status=OPEN_STATUSES):
            cancelled = self.exchange.cancel(account_id, order.order_id)
            rendered = self._render(account_id, [cancelled])[0]
            results.append({"id": rendered["id"], "status": 200, "body": rendered})
        return WireJSON(results, status_code=207)

    async def assets(self, request: Request) -> Response:
        """GET /v2/assets: the simulator's listed symbols (all active US equities)."""
        self.emulator.authenticate(request)
        wanted_class = request.query_params.get("asset_class", "us_equity")
        if wanted_class != "us_equity":
            return WireJSON([])
        return WireJSON(
            [
                asset_json(spec.symbol, spec.description, self.exchange.market.instrument(symbol))
                for symbol, spec in DEFAULT_UNIVERSE.items()
            ]
        )

    async def asset(self, request: Request) -> Response:
        """GET /v2/assets/{symbol}: any well-formed ticker exists in the simulator."""
        self.emulator.authenticate(request)
        symbol = request.path_params["symbol"].upper()
        try:
            instrument = self.exchange.market.instrument(symbol)
        except NotFound:
            raise not_found("asset not found") from None
        spec = self.exchange.market.universe.spec(symbol)
        return WireJSON(asset_json(symbol, spec.description, instrument))

    async def activities(self, request: Request) -> Response:
        """GET /v2/account/activities[/{type}] with after/until/date, direction, paging."""
        account_id = self.emulator.authenticate(request)
        params = request.query_params
        names = request.path_params.get("activity_type") or params.get("activity_types", "")
        wanted: set[TransactionType] = set()
        for name in (n.strip().upper() for n in names.split(",") if n.strip()):
            if name not in ACTIVITY_CATEGORIES:
                raise invalid(f"invalid activity type: {name}")
            wanted |= ACTIVITY_CATEGORIES[name]
        after = parse_time(params.get("after"), "after")
        until = parse_time(params.get("until"), "until")
        day = params.get("date")
        descending = params.get("direction", "desc") == "desc"
        size = int_param(request, "page_size", MAX_PAGE_SIZE, MAX_PAGE_SIZE)
        orders = {o.order_id: o for o in self.exchange.orders(account_id)}
        filled: dict[str, Decimal] = {}
        entries = []
        for transaction in self.exchange.transactions(account_id):
            cum = None
            if transaction.order_id is not None:
                cum = filled.get(transaction.order_id, Decimal(0)) + (
                    transaction.quantity or Decimal(0)
                )
                filled[transaction.order_id] = cum
            at = transaction.transaction_date
            if (
                (wanted and transaction.transaction_type not in wanted)
                or (after is not None and at <= after)
                or (until is not None and at >= until)
                or (day is not None and at.date().isoformat() != day[:10])
            ):
                continue
            order = orders.get(transaction.order_id or "")
            entries.append(activity_json(transaction, order, cum))
        entries.sort(key=lambda e: str(e["id"]), reverse=descending)
        token = params.get("page_token")
        if token:
            entries = [
                e for e in entries if (str(e["id"]) < token if descending else str(e["id"]) > token)
            ]
        return WireJSON(entries[:size])
