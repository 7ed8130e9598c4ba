"""Order request bodies read back into core orders, and the preview-then-place bookkeeping.

E*TRADE requires a preview before a placement: the place request must repeat the previewed
order and carry ``PreviewIds``; ``clientOrderId`` (at most 20 alphanumerics) must be unique
within the account (https://apisb.etrade.com/docs/api/order/api-order-v1.html;
jessecooper/pyetrade:pyetrade/order.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from brokerhub.core.instruments import Instrument, OptionContract, OptionRight
from brokerhub.core.orders import OrderAction, OrderLeg, OrderRequest, OrderType, TimeInForce
from brokerhub.emulators.etrade.views import ACTION, TERM
from brokerhub.emulators.etrade.wire import as_list

CLIENT_ORDER_ID = re.compile(r"^[A-Za-z0-9]{1,20}$")
ACTION_FROM_WIRE = {wire: OrderAction(core) for core, wire in ACTION.items()}
TERM_FROM_WIRE = {wire: core for core, wire in TERM.items()}
NET_TYPES = {"NET_DEBIT": 1, "NET_CREDIT": -1, "NET_EVEN": 0}


class BadOrder(Exception):
    """The order body is malformed; the message is E*TRADE-style text."""


@dataclass(frozen=True)
class WireOrder:
    """A preview or place request: the core order plus what place must repeat."""

    request: OrderRequest
    client_order_id: str
    order_type: str
    preview_id: int | None


def _decimal(value: Any, name: str) -> Decimal:
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise BadOrder(f"{name} must be a number") from None


def _instrument(node: dict[str, Any]) -> Instrument:
    product = node.get("Product") or {}
    symbol = str(product.get("symbol", "")).strip().upper()
    if not symbol:
        raise BadOrder("Product.symbol is required")
    if product.get("securityType", "EQ") != "OPTN":
        return Instrument.equity(symbol)
    try:
        contract = OptionContract(
            underlying=symbol,
            expiration=date(
                int(product["expiryYear"]), int(product["expiryMonth"]), int(product["expiryDay"])
            ),
            right=OptionRight.CALL
            if str(product["callPut"]).upper() == "CALL"
            else OptionRight.PUT,
            strike=_decimal(product["strikePrice"], "strikePrice"),
        )
    except (KeyError, ValueError) as exc:
        raise BadOrder(f"an option Product needs expiry, callPut and strikePrice ({exc})") from None
    return Instrument.from_option(contract)


def _leg(node: dict[str, Any]) -> OrderLeg:
    action = ACTION_FROM_WIRE.get(str(node.get("orderAction", "")))
    if action is None:
        raise BadOrder(f"orderAction {node.get('orderAction')!r} is not valid")
    try:
        return OrderLeg(
            instrument=_instrument(node),
            action=action,
            quantity=_decimal(node.get("quantity"), "quantity"),
        )
    except ValidationError as exc:
        raise BadOrder(exc.errors()[0]["msg"]) from None


def read_order(payload: dict[str, Any], root: str) -> WireOrder:
    """Return the order in a ``PreviewOrderRequest`` or ``PlaceOrderRequest`` body.

    Raises:
        BadOrder: a missing or invalid field.
    """
    body = payload.get(root)
    if not isinstance(body, dict):
        raise BadOrder(f"the body must be a {root}")
    client_order_id = str(body.get("clientOrderId", "")).strip()
    if not CLIENT_ORDER_ID.match(client_order_id):
        raise BadOrder("clientOrderId must be 1 to 20 alphanumeric characters")
    orders = as_list(body.get("Order"))
    if len(orders) != 1 or not isinstance(orders[0], dict):
        raise BadOrder("exactly one Order is required")
    node: dict[str, Any] = orders[0]
    legs = [_leg(instrument) for instrument in as_list(node.get("Instrument"))]
    if not legs:
        raise BadOrder("an Order needs at least one Instrument")
    kind = str(node.get("priceType", ""))
    term = TERM_FROM_WIRE.get(str(node.get("orderTerm", "")))
    if term is None:
        raise BadOrder(f"orderTerm {node.get('orderTerm')!r} is not valid")
    limit = node.get("limitPrice")
    stop = node.get("stopPrice")
    limit_price = _decimal(limit, "limitPrice") if limit not in (None, "") else None
    if kind in NET_TYPES:
        order_type = OrderType.LIMIT
        limit_price = (limit_price or Decimal(0)) * NET_TYPES[kind]
    elif kind in {t.value for t in OrderType} and kind != OrderType.TRAILING_STOP:
        order_type = OrderType(kind)
    else:
        raise BadOrder(f"priceType {kind!r} is not valid")
    needs_limit = order_type in {OrderType.LIMIT, OrderType.STOP_LIMIT}
    needs_stop = order_type in {OrderType.STOP, OrderType.STOP_LIMIT}
    if term in {TimeInForce.IOC, TimeInForce.FOK} and order_type is not OrderType.LIMIT:
        raise BadOrder("IMMEDIATE_OR_CANCEL and FILL_OR_KILL are only for limit orders")
    preview_ids = as_list(body.get("PreviewIds"))
    preview_id = None
    if preview_ids:
        raw = preview_ids[0].get("previewId") if isinstance(preview_ids[0], dict) else None
        preview_id = int(_decimal(raw, "previewId"))
    try:
        request = OrderRequest(
            legs=legs,
            order_type=order_type,
            time_in_force=term,
            limit_price=limit_price if needs_limit else None,
            stop_price=_decimal(stop, "stopPrice") if needs_stop and stop else None,
            client_order_id=client_order_id,
        )
    except ValidationError as exc:
        raise BadOrder(exc.errors()[0]["msg"]) from None
    return WireOrder(request, client_order_id, str(body.get("orderType", "EQ")), preview_id)


def same_order(previewed: OrderRequest, placed: OrderRequest) -> bool:
    """Return whether the place request repeats the previewed order (client id aside)."""
    keep = {"client_order_id"}
    return previewed.model_dump(exclude=keep) == placed.model_dump(exclude=keep)
