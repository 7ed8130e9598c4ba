"""The real server process (`brokerhub serve`) driven by the seed's own Python example flow."""

from __future__ import annotations

import requests

from tests.e2e.served import Served


def test_health_and_demo_account_on_first_start(server: Served) -> None:
    health = requests.get(f"{server.base}/health/", timeout=5).json()
    assert health["success"] is True
    assert health["status"] == "ok"
    headers = {"Authorization": f"Bearer {server.key}"}
    accounts = requests.get(
        f"{server.base}/brokerage_integrations/brokerages/user/1/accounts/",
        headers=headers,
        timeout=5,
    ).json()["accounts"]
    assert [a["brokerage_name"] for a in accounts] == ["paper"]
    assert 0 < accounts[0]["cash_balance"] < 100000  # the starter portfolio was bought
    portfolio = requests.get(
        f"{server.base}/brokerage_integrations/brokerages/accounts/{accounts[0]['id']}/portfolio/",
        headers=headers,
        timeout=5,
    ).json()["portfolio"]
    assert sorted(p["symbol"] for p in portfolio) == ["AAPL", "MSFT", "NVDA", "SPY"]
    assert (server.home / "brokerhub.db").exists()


def test_seed_python_example_flow(server: Served) -> None:
    """The seed's example, with the paper brokerage instead of webull and an API key."""
    api = f"{server.base}/brokerage_integrations"
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {server.key}"

    brokerages = session.get(f"{api}/brokerages/supported/", timeout=5).json()
    assert brokerages["success"] is True
    assert "paper" in brokerages["brokerages"]

    connect_data = {"user_id": 1, "brokerage_name": "paper", "credentials": {}}
    response = session.post(f"{api}/brokerages/connect/", json=connect_data, timeout=10)
    assert response.status_code == 200
    assert response.json()["success"] is True
    assert response.json()["message"] == "Successfully connected paper account"
    account_id = response.json()["account_id"]

    order = {"symbol": "MSFT", "order_action": "BUY", "quantity": 3}
    placed = session.post(
        f"{api}/brokerages/accounts/{account_id}/orders/place/", json=order, timeout=10
    )
    assert placed.json()["order"]["status"] == "FILLED"

    sync_response = session.post(
        f"{api}/brokerages/accounts/{account_id}/sync/", json={"force_sync": True}, timeout=10
    ).json()
    assert sync_response["success"] is True
    assert sync_response["message"] == "Account synced successfully"
    assert sync_response["portfolio_count"] == 1
    assert sync_response["transactions_count"] == 2

    portfolio = session.get(f"{api}/brokerages/accounts/{account_id}/portfolio/", timeout=5).json()
    assert portfolio["account_id"] == account_id
    assert portfolio["brokerage_name"] == "paper"
    [position] = portfolio["portfolio"]
    assert set(position) >= {
        "symbol",
        "quantity",
        "average_price",
        "current_price",
        "market_value",
        "unrealized_pnl",
        "unrealized_pnl_percent",
        "last_updated",
    }
    assert (position["symbol"], position["quantity"]) == ("MSFT", 3)

    transactions = session.get(
        f"{api}/brokerages/accounts/{account_id}/transactions/",
        params={"start_date": "2024-01-01", "transaction_type": "buy"},
        timeout=5,
    ).json()
    [buy] = transactions["transactions"]
    assert set(buy) >= {
        "transaction_id",
        "transaction_type",
        "symbol",
        "quantity",
        "price",
        "amount",
        "fees",
        "transaction_date",
        "created_at",
    }
    assert (buy["transaction_type"], buy["symbol"], buy["quantity"]) == ("buy", "MSFT", 3)

    accounts = session.get(f"{api}/brokerages/user/1/accounts/", timeout=5).json()["accounts"]
    mine = next(a for a in accounts if a["id"] == account_id)
    for field in ("brokerage_name", "account_id", "account_name", "status", "created_at"):
        assert mine[field]
    assert mine["last_sync"].endswith("Z")

    gone = session.delete(f"{api}/brokerages/accounts/{account_id}/disconnect", timeout=5)
    assert gone.json() == {"success": True, "message": "Successfully disconnected paper account"}
