"""User A never reads or changes user B's data, whatever id is put in a path or body."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api

ORDER = {"symbol": "AAPL", "order_action": "BUY", "quantity": 1, "price_type": "MARKET"}


def test_every_account_endpoint_answers_404_for_another_users_account(api: Api) -> None:
    bobs = api.connect_paper(api.bob)
    placed = api.call("POST", f"/accounts/{bobs}/orders/place/", api.bob, json=ORDER)
    order_id = placed.json()["order"]["order_id"]
    attempts = [
        ("POST", f"/accounts/{bobs}/sync/", {"force_sync": True}),
        ("GET", f"/accounts/{bobs}/portfolio/", None),
        ("GET", f"/accounts/{bobs}/balance/", None),
        ("GET", f"/accounts/{bobs}/transactions/", None),
        ("POST", f"/accounts/{bobs}/orders/preview/", ORDER),
        ("POST", f"/accounts/{bobs}/orders/place/", ORDER),
        ("GET", f"/accounts/{bobs}/orders/", None),
        ("GET", f"/accounts/{bobs}/orders/{order_id}/", None),
        ("POST", f"/accounts/{bobs}/orders/{order_id}/cancel/", None),
        ("POST", f"/accounts/{bobs}/orders/{order_id}/replace/", ORDER),
        ("GET", f"/accounts/{bobs}/quotes/?symbols=AAPL", None),
        ("GET", f"/accounts/{bobs}/options/expirations/?symbol=AAPL", None),
        ("GET", f"/accounts/{bobs}/options/chain/?symbol=AAPL&expiration=2030-01-18", None),
        ("GET", f"/accounts/{bobs}/symbols/search/?q=A", None),
        (
            "GET",
            f"/accounts/{bobs}/bars/?symbol=AAPL&start=2026-01-05T14:00:00Z"
            "&end=2026-01-06T14:00:00Z",
            None,
        ),
        ("DELETE", f"/accounts/{bobs}/disconnect/", None),
    ]
    for method, path, body in attempts:
        response = api.call(method, path, api.alice, json=body)
        assert response.status_code == 404, (method, path, response.text)
        assert response.json() == {"success": False, "error": "Account not found"}
    # Bob's account, order and position are untouched.
    assert api.call("GET", f"/accounts/{bobs}/orders/{order_id}/", api.bob).status_code == 200
    assert api.call("GET", f"/user/{api.bob.user_id}/accounts/", api.bob).json()["accounts"]


@pytest.mark.parametrize(
    ("method", "path_template", "body"),
    [
        ("GET", "/user/{other}/accounts/", None),
        (
            "POST",
            "/connect/",
            {"user_id": "{other}", "brokerage_name": "paper", "credentials": {}},
        ),
    ],
)
def test_user_ids_of_others_are_not_found(
    api: Api, method: str, path_template: str, body: dict[str, object] | None
) -> None:
    other = api.bob.user_id
    path = path_template.format(other=other)
    payload = None if body is None else {**body, "user_id": other}
    response = api.call(method, path, api.alice, json=payload)
    assert response.status_code == 404
    assert api.call("GET", f"/user/{other}/accounts/", api.bob).json()["accounts"] == []


def test_an_admin_may_read_other_users_accounts(api: Api) -> None:
    admin = api.make_user("root", admin=True)
    api.connect_paper(api.bob)
    response = api.call("GET", f"/user/{api.bob.user_id}/accounts/", admin)
    assert response.status_code == 200
    assert len(response.json()["accounts"]) == 1
