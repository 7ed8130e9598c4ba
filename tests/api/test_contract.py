"""The seed's endpoints through the app: shapes, envelope and freshness."""

from __future__ import annotations

from decimal import Decimal

from tests.api.conftest import Api


def test_supported_lists_paper_with_its_configuration_and_capabilities(api: Api) -> None:
    body = api.call("GET", "/supported/", None).json()
    assert body["success"] is True
    assert "paper" in body["brokerages"]
    paper = body["configurations"]["paper"]
    assert set(paper) >= {"required_fields", "optional_fields", "auth_method", "api_documentation"}
    assert paper["auth_method"] == "none"
    assert paper["capabilities"]["place_order"] is True
    assert api.call("GET", "/supported", None).json() == body


def test_connect_sync_portfolio_transactions_disconnect(api: Api) -> None:
    account_id = api.connect_paper(api.alice)
    accounts = api.call("GET", f"/user/{api.alice.user_id}/accounts/", api.alice).json()
    [account] = accounts["accounts"]
    assert account["id"] == account_id
    assert account["status"] == "connected"
    assert account["environment"] == "paper"
    assert "credentials" not in account
    assert "credentials_encrypted" not in account

    placed = api.call(
        "POST",
        f"/accounts/{account_id}/orders/place/",
        api.alice,
        json={"symbol": "AAPL", "order_action": "BUY", "quantity": 10, "price_type": "MARKET"},
    )
    assert placed.status_code == 200, placed.text
    assert placed.json()["order"]["status"] == "FILLED"

    synced = api.call("POST", f"/accounts/{account_id}/sync/", api.alice, json={"force_sync": True})
    assert synced.status_code == 200, synced.text
    assert synced.json()["success"] is True
    assert synced.json()["message"] == "Account synced successfully"
    assert synced.json()["portfolio_count"] == 1
    assert synced.json()["transactions_count"] >= 2  # the deposit and the buy

    portfolio = api.call("GET", f"/accounts/{account_id}/portfolio/", api.alice).json()
    assert portfolio["source"] == "sync"
    [position] = portfolio["portfolio"]
    assert position["symbol"] == "AAPL"
    assert Decimal(str(position["quantity"])) == 10
    quantity, average = Decimal(str(position["quantity"])), Decimal(str(position["average_price"]))
    current = Decimal(str(position["current_price"]))
    assert Decimal(str(position["market_value"])) == quantity * current
    assert Decimal(str(position["unrealized_pnl"])) == quantity * (current - average)
    for field in ("unrealized_pnl_percent", "last_updated", "as_of"):
        assert field in position

    buys = api.call(
        "GET", f"/accounts/{account_id}/transactions/?transaction_type=buy", api.alice
    ).json()["transactions"]
    assert [t["transaction_type"] for t in buys] == ["buy"]
    assert buys[0]["symbol"] == "AAPL"
    assert Decimal(str(buys[0]["amount"])) == Decimal(str(buys[0]["price"])) * 10
    deposits = api.call(
        "GET", f"/accounts/{account_id}/transactions/?transaction_type=deposit", api.alice
    ).json()["transactions"]
    assert [Decimal(str(t["amount"])) for t in deposits] == [Decimal(100000)]
    none_yet = api.call(
        "GET", f"/accounts/{account_id}/transactions/?end_date=2000-01-01", api.alice
    ).json()
    assert none_yet["transactions"] == []

    again = api.call("POST", f"/accounts/{account_id}/sync/", api.alice, json={"force_sync": True})
    assert again.json()["new_transactions_count"] == 0

    gone = api.call("DELETE", f"/accounts/{account_id}/disconnect/", api.alice)
    assert gone.json() == {"success": True, "message": "Successfully disconnected paper account"}
    assert api.call("GET", f"/accounts/{account_id}/portfolio/", api.alice).status_code == 404
    assert (
        api.call("GET", f"/user/{api.alice.user_id}/accounts/", api.alice).json()["accounts"] == []
    )


def test_numbers_are_exact_json_literals(api: Api) -> None:
    account_id = api.connect_paper(api.alice)
    api.call("POST", f"/accounts/{account_id}/sync/", api.alice, json={"force_sync": True})
    raw = api.call("GET", f"/user/{api.alice.user_id}/accounts/", api.alice).text
    assert '"cash_balance":100000' in raw
    assert '"cash_balance":"' not in raw


def test_balance_is_live_with_freshness(api: Api) -> None:
    account_id = api.connect_paper(api.alice)
    body = api.call("GET", f"/accounts/{account_id}/balance/", api.alice).json()
    assert body["source"] == "live"
    assert body["as_of"].endswith("Z")
    assert Decimal(str(body["cash_balance"])) == Decimal(100000)


def test_market_data_through_the_account(api: Api) -> None:
    account_id = api.connect_paper(api.alice)
    quotes = api.call("GET", f"/accounts/{account_id}/quotes/?symbols=AAPL,MSFT", api.alice)
    assert quotes.status_code == 200, quotes.text
    assert [q["symbol"] for q in quotes.json()["quotes"]] == ["AAPL", "MSFT"]
    assert all(q["source"] == "live" for q in quotes.json()["quotes"])
    assert all(q["bid"] <= q["ask"] for q in quotes.json()["quotes"])
    expirations = api.call(
        "GET", f"/accounts/{account_id}/options/expirations/?symbol=AAPL", api.alice
    ).json()["expirations"]
    assert expirations
    chain = api.call(
        "GET",
        f"/accounts/{account_id}/options/chain/?symbol=AAPL&expiration={expirations[0]}",
        api.alice,
    ).json()
    assert chain["calls"]
    assert chain["puts"]
    assert chain["calls"][0]["greeks"] is not None
    found = api.call("GET", f"/accounts/{account_id}/symbols/search/?q=AAP", api.alice).json()
    assert "AAPL" in [hit["symbol"] for hit in found["results"]]
    bars = api.call(
        "GET",
        f"/accounts/{account_id}/bars/?symbol=AAPL&timeframe=1Hour"
        "&start=2026-01-05T14:00:00Z&end=2026-01-05T20:00:00Z",
        api.alice,
    )
    assert bars.status_code == 200, bars.text


def test_connecting_the_same_account_again_reuses_the_connection(api: Api) -> None:
    first = api.connect_paper(api.alice)
    paper_account = api.call("GET", f"/user/{api.alice.user_id}/accounts/", api.alice).json()[
        "accounts"
    ][0]["account_id"]
    again = api.call(
        "POST",
        "/connect/",
        api.alice,
        json={
            "user_id": api.alice.user_id,
            "brokerage_name": "paper",
            "credentials": {"account_id": paper_account},
        },
    )
    assert again.status_code == 200, again.text
    assert again.json()["account_id"] == first
    accounts = api.call("GET", f"/user/{api.alice.user_id}/accounts/", api.alice).json()
    assert len(accounts["accounts"]) == 1


def test_two_users_get_separate_paper_accounts(api: Api) -> None:
    alices = api.connect_paper(api.alice)
    bobs = api.connect_paper(api.bob)
    order = {"symbol": "AAPL", "order_action": "BUY", "quantity": 1}
    api.call("POST", f"/accounts/{alices}/orders/place/", api.alice, json=order)
    assert api.call("GET", f"/accounts/{bobs}/orders/", api.bob).json()["orders"] == []
    alice_broker_account = api.call("GET", f"/user/{api.alice.user_id}/accounts/", api.alice)
    bob_broker_account = api.call("GET", f"/user/{api.bob.user_id}/accounts/", api.bob)
    assert (
        alice_broker_account.json()["accounts"][0]["account_id"]
        != bob_broker_account.json()["accounts"][0]["account_id"]
    )
