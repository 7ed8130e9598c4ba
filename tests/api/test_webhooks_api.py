"""Webhook endpoints: create with a secret shown once, owner checks, SSRF refusal, log."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from brokerhub.api.app import create_app
from brokerhub.config import get_settings
from tests.api.conftest import Api

HOOKS = "/brokerage_integrations/webhooks"


def call(api: Api, method: str, path: str, user: Any, **kwargs: Any) -> Any:
    return api.client.request(method, HOOKS + path, headers=user.headers, **kwargs)


def test_private_address_urls_are_refused(api: Api) -> None:
    account = api.connect_paper(api.alice)
    for url in ("http://127.0.0.1:9/hook", "http://169.254.169.254/", "http://10.0.0.1/"):
        body = {"account_id": account, "webhook_url": url}
        response = call(api, "POST", "/", api.alice, json=body)
        assert response.status_code == 400, response.text
        assert response.json()["success"] is False
        assert "private" in response.json()["error"]


@pytest.fixture
def loopback_api(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("BROKERHUB_WEBHOOK_ALLOWED_NETWORKS", '["127.0.0.1/32"]')
    get_settings.cache_clear()
    with TestClient(create_app(get_settings()), raise_server_exceptions=False) as client:
        holder = Api(client=client, alice=None, bob=None)  # type: ignore[arg-type]
        holder.alice = holder.make_user("alice")
        holder.bob = holder.make_user("bob")
        yield holder


def test_crud_shows_the_secret_once_and_never_to_another_user(loopback_api: Api) -> None:
    api = loopback_api
    account = api.connect_paper(api.alice)
    body = {"account_id": account, "webhook_url": "http://127.0.0.1:9/hook"}
    created = call(api, "POST", "/", api.alice, json=body)
    assert created.status_code == 201, created.text
    assert created.headers["cache-control"] == "no-store"
    secret = created.json()["signing_secret"]
    assert secret.startswith("whsec_")
    hook = created.json()["webhook"]
    assert (hook["account_id"], hook["is_active"], hook["status"]) == (account, True, "active")

    listed = call(api, "GET", "/", api.alice).json()
    assert [w["id"] for w in listed["webhooks"]] == [hook["id"]]
    assert secret not in str(listed)
    changed = call(api, "PATCH", f"/{hook['id']}", api.alice, json={"is_active": False})
    assert changed.json()["webhook"]["is_active"] is False

    for method, path in [
        ("GET", f"/{hook['id']}/"),
        ("PATCH", f"/{hook['id']}/"),
        ("DELETE", f"/{hook['id']}/"),
        ("GET", f"/{hook['id']}/deliveries/"),
        ("POST", f"/{hook['id']}/deliveries/1/redeliver/"),
    ]:
        response = call(api, method, path, api.bob, json={} if method == "PATCH" else None)
        assert response.status_code == 404, (method, path, response.text)
    assert call(api, "GET", "/", api.bob).json()["webhooks"] == []
    stolen = call(api, "POST", "/", api.bob, json=body)
    assert stolen.status_code == 404

    deleted = call(api, "DELETE", f"/{hook['id']}", api.alice)
    assert deleted.json() == {"success": True, "message": "Webhook deleted"}
    assert call(api, "GET", f"/{hook['id']}", api.alice).status_code == 404


def test_the_delivery_log_lists_order_events(loopback_api: Api) -> None:
    api = loopback_api
    account = api.connect_paper(api.alice)
    body = {"account_id": account, "webhook_url": "http://127.0.0.1:9/hook"}
    hook = call(api, "POST", "/", api.alice, json=body).json()["webhook"]
    order = {"symbol": "MSFT", "order_action": "BUY", "quantity": 1}
    placed = api.call("POST", f"/accounts/{account}/orders/place/", api.alice, json=order)
    assert placed.status_code == 200, placed.text
    [delivery] = call(api, "GET", f"/{hook['id']}/deliveries/", api.alice).json()["deliveries"]
    assert (delivery["event_type"], delivery["status"]) == ("order_update", "pending")
    assert delivery["event_id"].startswith("evt_")
    again = call(api, "POST", f"/{hook['id']}/deliveries/{delivery['id']}/redeliver", api.alice)
    assert again.json()["message"] == "Delivery queued"
    missing = call(api, "POST", f"/{hook['id']}/deliveries/999999/redeliver", api.alice)
    assert missing.status_code == 404
