"""Alpaca wire payloads from Alpaca's published examples (tests/fixtures/alpaca) to core."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from brokerhub.brokers.alpaca import parse
from brokerhub.brokers.alpaca.errors import map_error
from brokerhub.brokers.alpaca.schemas import AlpacaActivity, AlpacaOrder
from brokerhub.brokers.http import HttpResponse
from brokerhub.core.orders import OrderAction, OrderStatus, OrderType, TimeInForce
from brokerhub.core.portfolio import TransactionType
from brokerhub.errors import AuthenticationFailed, InsufficientFunds, InvalidOrder, NotFound

FIXTURES = Path(__file__).parents[2] / "fixtures" / "alpaca"


def load(name: str) -> Any:
    """Return a fixture parsed as the HTTP layer does (fractional numbers as Decimal)."""
    return json.loads((FIXTURES / name).read_text(), parse_float=Decimal)


def test_order_with_numbers_as_json_numbers() -> None:
    raw = load("order_limit_accepted.json")
    order = parse.order(AlpacaOrder.model_validate(raw), raw, "PA1")
    assert order.status is OrderStatus.PENDING
    assert order.order_type is OrderType.LIMIT
    assert order.time_in_force is TimeInForce.DAY
    assert order.limit_price == Decimal(300)
    assert order.legs[0].action is OrderAction.BUY
    assert order.legs[0].quantity == 1
    assert order.created_at == datetime(2021, 3, 16, 18, 38, 1, 942282, tzinfo=UTC)
    assert order.raw == raw


def test_fill_and_dividend_activities() -> None:
    fill_raw, dividend_raw = load("activities.json")
    fill = parse.transaction(AlpacaActivity.model_validate(fill_raw), fill_raw, "PA1")
    assert fill.transaction_type is TransactionType.BUY
    assert fill.amount == Decimal("-1.63")
    assert fill.order_id == "904837e3-3b76-47ec-b432-046db621571b"
    dividend = parse.transaction(AlpacaActivity.model_validate(dividend_raw), dividend_raw, "PA1")
    assert dividend.transaction_type is TransactionType.DIVIDEND
    assert dividend.amount == Decimal("1.02")
    assert dividend.price == Decimal("0.51")
    assert dividend.transaction_date == datetime(2019, 8, 1, 4, 0, tzinfo=UTC)


def test_every_wire_status_maps() -> None:
    statuses = (
        "new partially_filled filled done_for_day canceled expired replaced pending_cancel "
        "pending_replace pending_review accepted pending_new accepted_for_bidding stopped "
        "rejected suspended calculated held"
    )
    assert set(statuses.split()) == set(parse.ALPACA_TO_CORE_ORDER_STATUS)


def test_error_table() -> None:
    def answer(status: int, body: str) -> HttpResponse:
        return HttpResponse(status, {}, body.encode())

    funds = map_error(answer(403, '{"code":40310000,"message":"insufficient buying power"}'))
    assert isinstance(funds, InsufficientFunds)
    assert funds.broker_code == "40310000"
    asset = map_error(answer(422, '{"code":40010001,"message":"could not find asset \\"X\\""}'))
    assert isinstance(asset, InvalidOrder)
    assert isinstance(
        map_error(answer(404, '{"code":40410000,"message":"order not found"}')), NotFound
    )
    assert isinstance(map_error(answer(401, '{"message":"unauthorized"}')), AuthenticationFailed)
    assert map_error(answer(502, "<html>bad gateway</html>")) is None
