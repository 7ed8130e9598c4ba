"""The real server process (`brokerhub serve`) driven by the seed's own Python example flow."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

BROKERHUB = Path(sys.executable).parent / "brokerhub"
STARTUP_DEADLINE_SECONDS = 60


@dataclass
class Server:
    base: str
    key: str
    home: Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    home = tmp_path / "served"
    port = free_port()
    env = {**os.environ, "BROKERHUB_HOME": str(home)}
    env.pop("BROKERHUB_DATABASE_URL", None)
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - our own console script
        [str(BROKERHUB), "serve", "--port", str(port)], env=env, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_DEADLINE_SECONDS
    try:
        while True:
            try:
                if requests.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError((tmp_path / "server.log").read_text())
            time.sleep(0.2)
        key = (home / "demo-api-key").read_text().strip()
        yield Server(base=base, key=key, home=home)
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def test_health_and_demo_account_on_first_start(server: Server) -> None:
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


def test_seed_python_example_flow(server: Server) -> None:
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
