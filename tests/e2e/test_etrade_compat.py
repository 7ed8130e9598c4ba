"""The E*TRADE seed's /api/etrade/ routes through the running server, on the emulator."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
import requests

from brokerhub.emulators.etrade import ETradeEmulator
from brokerhub.emulators.serve import LoopbackServer
from brokerhub.sim.clock import WallClock
from brokerhub.sim.exchange import SimExchange
from tests.brokers.etrade.emulated import CONSUMER_KEY, CONSUMER_SECRET, login
from tests.e2e.served import Served


@pytest.fixture
def etrade() -> Iterator[str]:
    emulator = ETradeEmulator(
        SimExchange.in_memory(WallClock()),
        consumers={CONSUMER_KEY: CONSUMER_SECRET},
        rate_limits=None,
    )
    with LoopbackServer(emulator) as emulated:
        yield emulated.url


def test_seed_routes_over_a_connected_etrade_account(server: Served, etrade: str) -> None:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {server.key}"
    tokens = login(etrade)
    connected = session.post(
        f"{server.base}/brokerage_integrations/brokerages/connect/",
        json={
            "user_id": 1,
            "brokerage_name": "etrade",
            "credentials": {
                "consumer_key": CONSUMER_KEY,
                "consumer_secret": CONSUMER_SECRET,
                "oauth_token": tokens["oauth_token"],
                "oauth_token_secret": tokens["oauth_token_secret"],
                "base_url": etrade,
            },
        },
        timeout=30,
    )
    assert connected.status_code == 200, connected.text
    api = f"{server.base}/api/etrade"

    accounts = session.get(f"{api}/accounts", timeout=10).json()["accounts"]
    assert accounts
    key = accounts[0]["account_id_key"]
    assert accounts[0]["environment"] == "sandbox"

    balance = session.get(f"{api}/accounts/{key}/balance", timeout=10).json()
    assert balance["success"] is True
    assert balance["source"] == "live"
    assert Decimal(str(balance["buying_power"])) > 0

    order = {
        "symbol": "AAPL",
        "order_action": "BUY",
        "quantity": 5,
        "price_type": "LIMIT",
        "order_term": "GOOD_FOR_DAY",
        "limit_price": 1.00,
    }
    preview = session.post(f"{api}/accounts/{key}/orders/preview", json=order, timeout=10)
    assert preview.status_code == 200, preview.text
    assert Decimal(str(preview.json()["preview"]["estimated_price"])) == Decimal("1.00")

    placed = session.post(f"{api}/accounts/{key}/orders/place", json=order, timeout=10)
    assert placed.status_code == 200, placed.text
    order_id = placed.json()["order"]["order_id"]
    open_orders = session.get(f"{api}/accounts/{key}/orders?status=OPEN", timeout=10).json()
    assert [o["order_id"] for o in open_orders["orders"]] == [order_id]

    cancelled = session.post(
        f"{api}/accounts/{key}/orders/cancel", json={"order_id": order_id}, timeout=10
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["order"]["status"] == "CANCELLED"
    executed = session.get(f"{api}/accounts/{key}/orders?status=EXECUTED", timeout=10).json()
    assert executed["orders"] == []

    market = {"symbol": "MSFT", "order_action": "BUY", "quantity": 2, "price_type": "MARKET"}
    assert session.post(f"{api}/accounts/{key}/orders/place", json=market, timeout=10).ok
    held = session.get(f"{api}/accounts/{key}/portfolio", timeout=10).json()["portfolio"]
    assert [(p["symbol"], p["quantity"]) for p in held] == [("MSFT", 2)]

    assert session.get(f"{api}/accounts/NOPE/balance", timeout=10).status_code == 404
    assert requests.get(f"{api}/accounts", timeout=10).status_code == 401
