"""Order flow through the API: preview, place, list, get, cancel, replace, multi-leg."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.api.conftest import Api


def order_path(account_id: str, suffix: str = "") -> str:
    return f"/accounts/{account_id}/orders/{suffix}"


def test_preview_shows_cost_and_commission_and_places_nothing(api: Api) -> None:
    account = api.connect_paper(api.alice)
    body = {"symbol": "AAPL", "order_action": "BUY", "quantity": 10, "price_type": "MARKET"}
    response = api.call("POST", order_path(account, "preview/"), api.alice, json=body)
    assert response.status_code == 200, response.text
    preview = response.json()["preview"]
    price = Decimal(str(preview["estimated_price"]))
    assert Decimal(str(preview["estimated_cost"])) == -10 * price
    assert Decimal(str(preview["commission"])) >= 0
    assert isinstance(preview["warnings"], list)
    assert api.call("GET", order_path(account), api.alice).json()["orders"] == []


def test_place_list_get_cancel_and_replace_a_limit_order(api: Api) -> None:
    account = api.connect_paper(api.alice)
    body = {
        "symbol": "AAPL",
        "order_action": "BUY",
        "quantity": 5,
        "price_type": "LIMIT",
        "limit_price": "1.00",
        "order_term": "GOOD_UNTIL_CANCEL",
        "client_order_id": "my-order-1",
    }
    placed = api.call("POST", order_path(account, "place/"), api.alice, json=body)
    assert placed.status_code == 200, placed.text
    order = placed.json()["order"]
    assert order["status"] == "OPEN"
    assert order["client_order_id"] == "my-order-1"
    assert order["order_term"] == "GOOD_UNTIL_CANCEL"
    assert order["source"] == "live"

    again = api.call("POST", order_path(account, "place/"), api.alice, json=body)
    assert again.json()["order"]["order_id"] == order["order_id"]  # idempotent by client id
    assert len(api.call("GET", order_path(account), api.alice).json()["orders"]) == 1

    open_orders = api.call("GET", order_path(account) + "?status=OPEN", api.alice).json()
    assert [o["order_id"] for o in open_orders["orders"]] == [order["order_id"]]
    assert api.call("GET", order_path(account) + "?status=FILLED", api.alice).json()["orders"] == []

    replaced = api.call(
        "POST",
        order_path(account, f"{order['order_id']}/replace/"),
        api.alice,
        json={**body, "limit_price": "2.00", "client_order_id": None},
    )
    assert replaced.status_code == 200, replaced.text
    new_order = replaced.json()["order"]
    assert Decimal(str(new_order["limit_price"])) == Decimal("2.00")
    old = api.call("GET", order_path(account, f"{order['order_id']}/"), api.alice).json()
    assert old["order"]["status"] in {"REPLACED", "CANCELLED"}

    cancelled = api.call("POST", order_path(account, f"{new_order['order_id']}/cancel/"), api.alice)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["order"]["status"] == "CANCELLED"
    again_cancel = api.call(
        "POST", order_path(account, f"{new_order['order_id']}/cancel/"), api.alice
    )
    assert again_cancel.status_code in {400, 409}
    assert again_cancel.json()["success"] is False


def test_multi_leg_vertical_spread_fills_as_one_order(api: Api) -> None:
    account = api.connect_paper(api.alice)
    expirations = api.call(
        "GET", f"/accounts/{account}/options/expirations/?symbol=AAPL", api.alice
    ).json()["expirations"]
    chain = api.call(
        "GET",
        f"/accounts/{account}/options/chain/?symbol=AAPL&expiration={expirations[0]}",
        api.alice,
    ).json()
    calls = chain["calls"]
    middle = len(calls) // 2
    body = {
        "price_type": "MARKET",
        "legs": [
            {"symbol": calls[middle]["symbol"], "order_action": "BUY_TO_OPEN", "quantity": 1},
            {"symbol": calls[middle + 1]["symbol"], "order_action": "SELL_TO_OPEN", "quantity": 1},
        ],
    }
    placed = api.call("POST", order_path(account, "place/"), api.alice, json=body)
    assert placed.status_code == 200, placed.text
    order = placed.json()["order"]
    assert order["status"] == "FILLED"
    assert [leg["order_action"] for leg in order["legs"]] == ["BUY_TO_OPEN", "SELL_TO_OPEN"]
    api.call("POST", f"/accounts/{account}/sync/", api.alice, json={"force_sync": True})
    held = api.call("GET", f"/accounts/{account}/portfolio/", api.alice).json()["portfolio"]
    quantities = {p["symbol"]: Decimal(str(p["quantity"])) for p in held}
    assert quantities == {calls[middle]["symbol"]: 1, calls[middle + 1]["symbol"]: -1}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"symbol": "AAPL", "order_action": "BUY", "quantity": 0}, "quantity"),
        ({"symbol": "AAPL", "order_action": "HODL", "quantity": 1}, "order_action"),
        (
            {"symbol": "AAPL", "order_action": "BUY", "quantity": 1, "price_type": "LIMIT"},
            "limit_price",
        ),
        (
            {"symbol": "AAPL", "order_action": "BUY", "quantity": 1, "price_type": "STOP"},
            "stop_price",
        ),
        ({"symbol": "AAPL", "quantity": 1}, "order_action"),
        ({"symbol": "AAPL", "order_action": "BUY", "quantity": 1, "order_term": "X"}, "order_term"),
        (
            {"legs": [{"symbol": "AAPL  300118C00100000", "order_action": "BUY", "quantity": 1}]},
            "BUY_TO_OPEN",
        ),
        ({"symbol": "AAPL", "order_action": "BUY", "quantity": 1, "colour": "red"}, "colour"),
    ],
)
def test_invalid_order_bodies_are_400_naming_the_field(
    api: Api, body: dict[str, Any], field: str
) -> None:
    account = api.connect_paper(api.alice)
    for action in ("preview/", "place/"):
        response = api.call("POST", order_path(account, action), api.alice, json=body)
        assert response.status_code == 400, response.text
        assert response.json()["success"] is False
        assert field in response.json()["error"]
    assert api.call("GET", order_path(account), api.alice).json()["orders"] == []


def test_insufficient_funds_is_a_clear_400(api: Api) -> None:
    account = api.connect_paper(api.alice)
    body = {"symbol": "AAPL", "order_action": "BUY", "quantity": 1_000_000}
    response = api.call("POST", order_path(account, "place/"), api.alice, json=body)
    assert response.status_code == 400
    assert response.json()["success"] is False
    balance = api.call("GET", f"/accounts/{account}/balance/", api.alice).json()
    assert Decimal(str(balance["cash_balance"])) == Decimal(100000)
