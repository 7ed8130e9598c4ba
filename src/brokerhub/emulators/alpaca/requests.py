"""Incoming Alpaca order bodies (POST and PATCH /v2/orders) turned into core order requests.

Numbers may arrive as JSON numbers (alpaca-py sends ``qty`` as a float) or decimal strings;
both are read through ``str`` so no binary float leaks in. ``side`` plus the held position
decide the core action as Alpaca does: selling more than held opens a short; buying while
short covers. ``position_intent`` overrides that when given.
"""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from brokerhub.core.instruments import Instrument
from brokerhub.core.orders import OrderAction, OrderLeg, OrderRequest, OrderType, TimeInForce
from brokerhub.emulators.alpaca.errors import AlpacaHttpError, invalid

WIRE_TO_CORE_TYPE = {t.value.lower(): t for t in OrderType}
WIRE_TO_CORE_TIF = {t.value.lower(): t for t in TimeInForce}
INTENT_TO_ACTION = {
    "buy_to_open": OrderAction.BUY,
    "buy_to_close": OrderAction.BUY_TO_COVER,
    "sell_to_open": OrderAction.SELL_SHORT,
    "sell_to_close": OrderAction.SELL,
}
MAX_CLIENT_ORDER_ID = 128


def decimal_field(body: dict[str, Any], name: str) -> Decimal | None:
    """Return ``body[name]`` as a Decimal, None when absent.

    Raises:
        AlpacaHttpError: the value is not a number.
    """
    value = body.get(name)
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise invalid(f"invalid {name}") from None


def action_for(side: str, intent: str | None, quantity: Decimal, held: Decimal) -> OrderAction:
    """Return the core action of an Alpaca ``side`` given the held quantity."""
    if intent is not None:
        if intent not in INTENT_TO_ACTION:
            raise invalid(f"invalid position_intent {intent}")
        return INTENT_TO_ACTION[intent]
    if side == "buy":
        return OrderAction.BUY_TO_COVER if held < 0 else OrderAction.BUY
    if side == "sell":
        return OrderAction.SELL if held > 0 else OrderAction.SELL_SHORT
    raise invalid(f"invalid side {side}")


def order_request(body: dict[str, Any], held: Decimal) -> OrderRequest:
    """Return the core request of a POST /v2/orders body.

    Raises:
        AlpacaHttpError: 422 for what Alpaca refuses or the emulator does not model.
    """
    symbol = body.get("symbol")
    if not isinstance(symbol, str) or not symbol:
        raise invalid("symbol is required")
    if body.get("notional") is not None:
        raise invalid("notional orders are not supported by the emulator; send qty")
    order_class = body.get("order_class") or "simple"
    if order_class != "simple":
        raise invalid(f"order_class {order_class} is not supported by the emulator")
    quantity = decimal_field(body, "qty")
    if quantity is None or quantity <= 0:
        raise invalid("qty must be > 0")
    action = action_for(str(body.get("side")), body.get("position_intent"), quantity, held)
    leg = OrderLeg(instrument=Instrument.equity(symbol), action=action, quantity=quantity)
    return build(body, [leg], client_order_id(body))


def client_order_id(body: dict[str, Any]) -> str:
    """Return the body's client order id, or a new one as Alpaca makes when none is sent."""
    given = body.get("client_order_id")
    if given is None or given == "":
        return str(uuid.uuid4())
    if not isinstance(given, str) or len(given) > MAX_CLIENT_ORDER_ID:
        raise invalid("client_order_id must be at most 128 characters")
    return given


def build(body: dict[str, Any], legs: list[OrderLeg], client_id: str) -> OrderRequest:
    """Return the request with the body's type, time in force and prices.

    Raises:
        AlpacaHttpError: 422 for an unknown type or time in force, or missing prices.
    """
    kind = WIRE_TO_CORE_TYPE.get(str(body.get("type") or body.get("order_type")))
    if kind is None:
        raise invalid(f"invalid order type {body.get('type')}")
    tif_text = str(body.get("time_in_force"))
    tif = WIRE_TO_CORE_TIF.get(tif_text)
    if tif is None:
        if tif_text in {"opg", "cls"}:
            raise invalid(f"time_in_force {tif_text} is not supported by the emulator")
        raise invalid(f"invalid time_in_force {tif_text}")
    try:
        return OrderRequest(
            legs=legs,
            order_type=kind,
            time_in_force=tif,
            limit_price=decimal_field(body, "limit_price"),
            stop_price=decimal_field(body, "stop_price"),
            trail_amount=decimal_field(body, "trail_price"),
            trail_percent=decimal_field(body, "trail_percent"),
            client_order_id=client_id,
        )
    except ValidationError as exc:
        message = exc.errors()[0]["msg"].removeprefix("Value error, ")
        raise AlpacaHttpError(422, {"code": 40010001, "message": message}) from None


def replacement(old: OrderRequest, body: dict[str, Any]) -> OrderRequest:
    """Return the request a PATCH /v2/orders/{id} body makes of ``old``."""
    quantity = decimal_field(body, "qty") or old.legs[0].quantity
    leg = old.legs[0].model_copy(update={"quantity": quantity})
    merged: dict[str, Any] = {
        "type": old.order_type.value.lower(),
        "time_in_force": body.get("time_in_force") or old.time_in_force.value.lower(),
    }
    for wire, value in (
        ("limit_price", old.limit_price),
        ("stop_price", old.stop_price),
        ("trail_price", old.trail_amount),
        ("trail_percent", old.trail_percent),
    ):
        merged[wire] = body.get(wire) if body.get(wire) is not None else value
    if body.get("trail") is not None:
        merged["trail_percent" if old.trail_percent else "trail_price"] = body["trail"]
    return build(merged, [leg], client_order_id(body))
