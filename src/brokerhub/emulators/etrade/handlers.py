"""The emulator's ``/v1`` endpoints: accounts, portfolio, transactions, orders and market.

Paths, parameters, wrappers and the documented error codes (100, 102, 2004, 2005; 204 for
no results) follow https://apisb.etrade.com/docs/api/account/ and /docs/api/order/. E*TRADE
publishes no codes for order rejections; the emulator answers them with its own codes
(:data:`REJECTION_CODES`) and messages that say what happened.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from starlette.responses import Response
from starlette.routing import Route

from brokerhub.core.instruments import Instrument, OptionContract, OptionRight
from brokerhub.core.orders import Order, OrderRequest, OrderStatus
from brokerhub.emulators.etrade import views
from brokerhub.emulators.etrade.requests import BadOrder, read_order, same_order
from brokerhub.emulators.etrade.state import Preview
from brokerhub.emulators.etrade.wire import error, no_content, parse_body, render
from brokerhub.errors import (
    BrokerHubError,
    Conflict,
    InsufficientFunds,
    MarketClosed,
    NotFound,
    ValidationFailed,
)

if TYPE_CHECKING:
    from brokerhub.emulators.etrade.app import Call, ETradeEmulator

REJECTION_CODES: dict[type[BrokerHubError], int] = {
    InsufficientFunds: 9001,
    MarketClosed: 9002,
    Conflict: 9003,
    NotFound: 9004,
}
"""The emulator's own codes for order rejections E*TRADE documents no code for."""
INVALID_PREVIEW = 101  # E*TRADE answers a stale or unknown previewId with code 101
LIST_STATUS = {
    "OPEN": {OrderStatus.PENDING, OrderStatus.OPEN, OrderStatus.PARTIALLY_FILLED},
    "EXECUTED": {OrderStatus.FILLED},
    "CANCELLED": {OrderStatus.CANCELLED, OrderStatus.REPLACED},
    "EXPIRED": {OrderStatus.EXPIRED},
    "REJECTED": {OrderStatus.REJECTED},
}
PREVIEW_LIFETIME = timedelta(minutes=3)


def _fail(exc: BrokerHubError, fmt: str) -> Response:
    if isinstance(exc, NotFound) and exc.broker_code in {"100", "102"}:
        return error(int(exc.broker_code), exc.message, fmt)
    for kind, code in REJECTION_CODES.items():
        if isinstance(exc, kind):
            return error(code, exc.message, fmt)
    return error(9000, exc.message, fmt)


def _params(call: Call) -> dict[str, str]:
    return dict(call.request.query_params)


def _date(text: str) -> date:
    return datetime.strptime(text, "%m%d%Y").replace(tzinfo=UTC).date()


def routes(emulator: ETradeEmulator) -> list[Route]:
    """Return the ``/v1`` routes of ``emulator``."""
    directory = emulator.directory
    exchange = emulator.exchange

    def account_of(call: Call) -> str:
        return directory.account_for(call.consumer_key, call.request.path_params["key"])

    async def accounts(call: Call) -> Response:
        rows = directory.accounts(call.consumer_key)
        listed = [views.account(account_id, key, name) for account_id, key, name in rows]
        return render({"AccountListResponse": {"Accounts": {"Account": listed}}}, call.fmt)

    async def balance(call: Call) -> Response:
        if _params(call).get("instType") != "BROKERAGE":
            return error(9000, "instType BROKERAGE is required", call.fmt)
        account_id = account_of(call)
        name = next(n for a, _, n in directory.accounts(call.consumer_key) if a == account_id)
        return render(views.balance(account_id, name, exchange.balance(account_id)), call.fmt)

    async def portfolio(call: Call) -> Response:
        account_id = account_of(call)
        params = _params(call)
        count = int(params.get("count") or 50)
        page = int(params.get("pageNumber") or 1)
        held = exchange.positions(account_id)
        if not held:
            return no_content()
        pages = max(1, -(-len(held) // count))
        chunk = held[(page - 1) * count : page * count]
        key = call.request.path_params["key"]
        positions = [
            views.position((page - 1) * count + i + 1, p, key) for i, p in enumerate(chunk)
        ]
        body = {"accountId": account_id, "totalPages": pages, "Position": positions}
        return render({"PortfolioResponse": {"AccountPortfolio": [body]}}, call.fmt)

    async def transactions(call: Call) -> Response:
        account_id = account_of(call)
        params = _params(call)
        count = int(params.get("count") or 50)
        if not 1 <= count <= 50:
            return error(2005, "Please enter a valid count.", call.fmt)
        try:
            start = _date(params["startDate"]) if "startDate" in params else None
            end = _date(params["endDate"]) if "endDate" in params else None
        except ValueError:
            return error(2004, "Please enter valid date format MMDDYYYY.", call.fmt)
        rows = [
            t
            for t in exchange.transactions(account_id)
            if (start is None or t.transaction_date.date() >= start)
            and (end is None or t.transaction_date.date() <= end)
        ]
        rows.sort(key=lambda t: t.transaction_date, reverse=params.get("sortOrder") != "ASC")
        offset = int(params.get("marker") or 0)
        page = rows[offset : offset + count]
        if not page:
            return no_content()
        more = offset + count < len(rows)
        body: dict[str, Any] = {
            "marker": str(offset + count) if more else None,
            "moreTransactions": more,
            "transactionCount": len(page),
            "totalCount": len(rows),
            "Transaction": [views.transaction(account_id, t) for t in page],
        }
        return render({"TransactionListResponse": body}, call.fmt)

    async def orders(call: Call) -> Response:
        account_id = account_of(call)
        params = _params(call)
        count = min(int(params.get("count") or 25), 100)
        wanted = params.get("status")
        statuses = LIST_STATUS.get(wanted) if wanted else None
        found = [o for o in exchange.orders(account_id) if statuses is None or o.status in statuses]
        found.reverse()
        offset = int(params.get("marker") or 0)
        page = found[offset : offset + count]
        if not page:
            return no_content()
        key = call.request.path_params["key"]
        body: dict[str, Any] = {
            "marker": str(offset + count) if offset + count < len(found) else None,
            "Order": [views.order(directory.number(o.order_id), o, key) for o in page],
        }
        return render({"OrdersResponse": body}, call.fmt)

    async def order_detail(call: Call) -> Response:
        account_id = account_of(call)
        number = int(call.request.path_params["order_id"])
        found = exchange.order(account_id, directory.sim_order(number))
        key = call.request.path_params["key"]
        return render({"OrdersResponse": {"Order": [views.order(number, found, key)]}}, call.fmt)

    async def preview(call: Call) -> Response:
        account_id = account_of(call)
        replaces = call.request.path_params.get("order_id")
        body = parse_body(await call.request.body(), call.request.headers.get("content-type", ""))
        wire = read_order(body, "PreviewOrderRequest")
        if replaces is not None:
            replaces = directory.sim_order(int(replaces))
            exchange.order(account_id, replaces)
        estimate = exchange.preview(account_id, wire.request)
        now = exchange.clock.now()
        preview_id = directory.add_preview(
            Preview(account_id, wire.request, wire.order_type, now, replaces)
        )
        detail = views.order(0, _as_order(wire.request, account_id, now), "")["OrderDetail"][0]
        detail.pop("status")
        detail.pop("placedTime")
        detail["estimatedCommission"] = estimate.commission
        detail["estimatedTotalAmount"] = abs(estimate.estimated_total)
        if estimate.warnings:
            detail["messages"] = {
                "Message": [
                    {"description": text, "code": 9100, "type": "WARNING"}
                    for text in estimate.warnings
                ]
            }
        for node, leg in zip(detail["Instrument"], wire.request.legs, strict=True):
            node["quantity"] = leg.quantity
            node.pop("orderedQuantity")
            node.pop("filledQuantity")
        response = {
            "orderType": wire.order_type,
            "totalOrderValue": abs(estimate.estimated_cost),
            "previewTime": views.millis(now),
            "dstFlag": False,
            "accountId": account_id,
            "marginLevelCd": "MARGIN_TRADING_ALLOWED",
            "Order": [detail],
            "PreviewIds": [{"previewId": preview_id}],
        }
        return render({"PreviewOrderResponse": response}, call.fmt)

    async def place(call: Call) -> Response:
        account_id = account_of(call)
        body = parse_body(await call.request.body(), call.request.headers.get("content-type", ""))
        wire = read_order(body, "PlaceOrderRequest")
        found = directory.take_preview(wire.preview_id) if wire.preview_id else None
        now = exchange.clock.now()
        if (
            found is None
            or found.account_id != account_id
            or not same_order(found.request, wire.request)
            or now - found.created_at > PREVIEW_LIFETIME
        ):
            return error(INVALID_PREVIEW, "{com.etrade.api.v1.order.InvalidPreviewId}", call.fmt)
        if found.replaces is not None:
            placed = exchange.replace(account_id, found.replaces, wire.request)
        else:
            placed = exchange.place(account_id, wire.request)
        emulator.placements += 1
        number = directory.number(placed.order_id)
        detail = views.order(number, placed, call.request.path_params["key"])["OrderDetail"][0]
        detail["messages"] = {
            "Message": [
                {
                    "description": "200|Your order was successfully entered during market hours.",
                    "code": 1026,
                    "type": "WARNING",
                }
            ]
        }
        response = {
            "orderType": wire.order_type,
            "placedTime": views.millis(placed.created_at),
            "accountId": account_id,
            "Order": [detail],
            "OrderIds": [{"orderId": number}],
            "PreviewIds": [{"previewId": wire.preview_id}],
        }
        return render({"PlaceOrderResponse": response}, call.fmt)

    async def cancel(call: Call) -> Response:
        account_id = account_of(call)
        body = parse_body(await call.request.body(), call.request.headers.get("content-type", ""))
        node = body.get("CancelOrderRequest") or {}
        number = int(Decimal(str(node.get("orderId", "0"))))
        cancelled = exchange.cancel(account_id, directory.sim_order(number))
        response = {
            "accountId": account_id,
            "orderId": number,
            "cancelTime": views.millis(cancelled.updated_at),
            "Messages": {
                "Message": [
                    {
                        "code": 5011,
                        "description": f"Your request to cancel your order {number} is being "
                        "processed.",
                        "type": "WARNING",
                    }
                ]
            },
        }
        return render({"CancelOrderResponse": response}, call.fmt)

    async def quotes(call: Call) -> Response:
        symbols = [s for s in call.request.path_params["symbols"].split(",") if s]
        if not 1 <= len(symbols) <= 25:
            return error(9000, "Up to 25 symbols are allowed.", call.fmt)
        data = []
        for text in symbols:
            instrument = _quote_instrument(text)
            data.append(views.quote(exchange.quote(instrument.symbol), instrument))
        return render({"QuoteResponse": {"QuoteData": data}}, call.fmt)

    async def expire_dates(call: Call) -> Response:
        symbol = _params(call).get("symbol", "").upper()
        return render(views.expirations(exchange.expirations(symbol)), call.fmt)

    async def option_chains(call: Call) -> Response:
        params = _params(call)
        symbol = params.get("symbol", "").upper()
        listed = exchange.expirations(symbol)
        if "expiryYear" in params:
            expiry = date(
                int(params["expiryYear"]), int(params["expiryMonth"]), int(params["expiryDay"])
            )
        else:
            expiry = listed[0]
        chain = exchange.chain(symbol, expiry)
        kind = params.get("chainType", "CALLPUT")
        if kind == "CALL":
            chain = chain.model_copy(update={"puts": []})
        body = views.chain(chain)
        if kind == "PUT":
            pairs = body["OptionChainResponse"]["OptionPair"]
            for pair in pairs:
                pair.pop("Call")
        return render(body, call.fmt)

    def guarded(handler: Callable[[Call], Any]) -> Callable[[Call], Any]:
        async def run(call: Call) -> Response:
            try:
                response: Response = await handler(call)
            except BadOrder as bad:
                return error(9000, str(bad), call.fmt)
            except (ValidationFailed, ValueError) as bad:
                return error(9000, str(bad), call.fmt)
            except BrokerHubError as failed:
                return _fail(failed, call.fmt)
            return response

        return run

    def route(path: str, module: str, handler: Callable[[Call], Any], method: str) -> Route:
        return Route(path, emulator.api(module, guarded(handler)), methods=[method])

    base = "/v1/accounts/{key}"
    return [
        route("/v1/accounts/list", "accounts", accounts, "GET"),
        route(f"{base}/balance", "accounts", balance, "GET"),
        route(f"{base}/portfolio", "accounts", portfolio, "GET"),
        route(f"{base}/transactions", "accounts", transactions, "GET"),
        route(f"{base}/orders", "order", orders, "GET"),
        route(f"{base}/orders/preview", "order", preview, "POST"),
        route(f"{base}/orders/place", "order", place, "POST"),
        route(f"{base}/orders/cancel", "order", cancel, "PUT"),
        route(f"{base}/orders/{{order_id:int}}", "order", order_detail, "GET"),
        route(f"{base}/orders/{{order_id:int}}/change/preview", "order", preview, "PUT"),
        route(f"{base}/orders/{{order_id:int}}/change/place", "order", place, "PUT"),
        route("/v1/market/quote/{symbols}", "market", quotes, "GET"),
        route("/v1/market/optionexpiredate", "market", expire_dates, "GET"),
        route("/v1/market/optionchains", "market", option_chains, "GET"),
    ]


def _quote_instrument(text: str) -> Instrument:
    """Return the instrument of a quote symbol: a ticker or ``IBM:2018:8:17:CALL:200.0``."""
    parts = text.strip().upper().split(":")
    if len(parts) == 1:
        return Instrument.equity(parts[0])
    root, year, month, day, right, strike = parts
    return Instrument.from_option(
        OptionContract(
            underlying=root,
            expiration=date(int(year), int(month), int(day)),
            right=OptionRight.CALL if right == "CALL" else OptionRight.PUT,
            strike=Decimal(strike).normalize(),
        )
    )


def _as_order(request: OrderRequest, account_id: str, now: datetime) -> Order:
    return Order(
        order_id="preview",
        account_id=account_id,
        status=OrderStatus.OPEN,
        legs=request.legs,
        order_type=request.order_type,
        time_in_force=request.time_in_force,
        limit_price=request.limit_price,
        stop_price=request.stop_price,
        created_at=now,
        updated_at=now,
    )
