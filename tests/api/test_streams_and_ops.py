"""WebSocket quotes and events, /ready and /metrics."""

from __future__ import annotations

import json
from typing import Any

from starlette.testclient import WebSocketTestSession

from brokerhub.metrics import WS_UPSTREAMS_STARTED
from tests.api.conftest import Api

SYMBOLS = ["AAPL", "MSFT"]


def next_of(socket: WebSocketTestSession, kind: str) -> dict[str, Any]:
    """Return the next message of type ``kind``, skipping quotes and others in between."""
    while True:
        message: dict[str, Any] = json.loads(socket.receive_text())
        if message["type"] == kind:
            return message


def quoted_symbols(socket: WebSocketTestSession, wanted: set[str]) -> set[str]:
    seen: set[str] = set()
    while not wanted <= seen:
        message = next_of(socket, "quote")
        assert message["feed"] == "paper"
        seen.add(message["data"]["symbol"])
    return seen


def test_two_clients_share_one_upstream_per_symbol(api: Api) -> None:
    started = WS_UPSTREAMS_STARTED._value.get()
    with (
        api.client.websocket_connect("/ws", headers=api.alice.headers) as alice,
        api.client.websocket_connect(f"/ws?api_key={api.bob.key}") as bob,
    ):
        for socket in (alice, bob):
            next_of(socket, "ready")
            socket.send_json({"action": "subscribe", "feed": "paper", "symbols": SYMBOLS})
            assert next_of(socket, "subscribed")["symbols"] == SYMBOLS
        assert quoted_symbols(alice, set(SYMBOLS)) == set(SYMBOLS)
        assert quoted_symbols(bob, set(SYMBOLS)) == set(SYMBOLS)
        assert api.hub.streams.upstream_count == 2
        assert WS_UPSTREAMS_STARTED._value.get() - started == 2

        alice.send_json({"action": "unsubscribe", "feed": "paper", "symbols": SYMBOLS})
        next_of(alice, "unsubscribed")
        assert api.hub.streams.upstream_count == 2  # bob still watches
    assert api.hub.streams.upstream_count == 0


def test_order_updates_reach_only_their_owner(api: Api) -> None:
    account = api.connect_paper(api.alice)
    with (
        api.client.websocket_connect("/ws", headers=api.alice.headers) as alice,
        api.client.websocket_connect("/ws", headers=api.bob.headers) as bob,
    ):
        next_of(alice, "ready")
        next_of(bob, "ready")
        order = {"symbol": "AAPL", "order_action": "BUY", "quantity": 1}
        placed = api.call("POST", f"/accounts/{account}/orders/place/", api.alice, json=order)
        assert placed.status_code == 200, placed.text
        event = next_of(alice, "event")["event"]
        assert (event["event_type"], event["account_id"]) == ("order_update", account)
        assert event["data"]["order_id"] == placed.json()["order"]["order_id"]
        bob.send_json({"action": "ping"})
        message = json.loads(bob.receive_text())
        assert message["type"] == "pong", message  # no event of alice's came before it


def test_bad_keys_and_messages_are_refused(api: Api) -> None:
    with api.client.websocket_connect("/ws", headers=api.alice.headers) as socket:
        next_of(socket, "ready")
        socket.send_text("not json")
        assert "error" in next_of(socket, "error")
        socket.send_json({"action": "subscribe", "feed": "nosuchbroker", "symbols": ["A"]})
        assert "not supported" in next_of(socket, "error")["error"]
    rejected = False
    try:
        with api.client.websocket_connect("/ws?api_key=wrong") as socket:
            socket.receive_text()
    except Exception:  # the server closes before accepting
        rejected = True
    assert rejected


def test_ready_reports_database_and_embedded_workers(api: Api) -> None:
    response = api.client.get("/ready")
    assert response.status_code == 200, response.text
    assert response.json() == {
        "success": True,
        "status": "ready",
        "checks": {"database": "ok", "redis": "not configured", "workers": "embedded"},
    }


def test_metrics_show_the_seed_key_metrics(api: Api) -> None:
    account = api.connect_paper(api.alice)
    synced = api.call("POST", f"/accounts/{account}/sync/", api.alice, json={"force_sync": True})
    assert synced.status_code == 200
    api.client.get(PREFIX_BAD, headers={"Authorization": "Bearer nope"})
    text = api.client.get("/metrics").text
    assert f'brokerhub_data_freshness_seconds{{account_id="{account}",brokerage="paper"}}' in text
    for name in (
        "brokerhub_sync_success_rate 1.0",
        'brokerhub_sync_runs_recent{status="succeeded"} 1.0',
        'brokerhub_sync_runs_total{brokerage="paper",outcome="succeeded"}',
        'brokerhub_broker_request_seconds_count{brokerage="paper",operation="sync"}',
        "brokerhub_http_request_seconds_bucket",
        'brokerhub_webhook_deliveries{status="pending"} 0.0',
        "brokerhub_broker_authentication_failures_recent",
        "brokerhub_webhook_attempts_total",
        "brokerhub_api_authentication_failures_total",
    ):
        assert name in text, name


PREFIX_BAD = "/brokerage_integrations/brokerages/user/1/accounts/"
