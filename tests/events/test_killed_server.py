"""A server killed (SIGKILL) between committing an order and delivering its webhook loses
nothing: the next server process delivers the event from the outbox."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import requests

from tests.e2e.served import Served, serve
from tests.events.conftest import until
from tests.events.receiver import running_receiver

LOOPBACK_WEBHOOKS = {"BROKERHUB_WEBHOOK_ALLOWED_NETWORKS": '["127.0.0.1/32"]'}


def _register_and_trade(served: Served, url: str) -> tuple[str, str]:
    """Register a webhook on the demo account and buy; return the secret and the order id."""
    user_id = served.api("GET", "/me/").json()["user_id"]
    [account, *_] = served.api("GET", f"/user/{user_id}/accounts/").json()["accounts"]
    created = requests.post(
        f"{served.base}/brokerage_integrations/webhooks/",
        headers={"Authorization": f"Bearer {served.key}"},
        json={"account_id": account["id"], "webhook_url": url, "is_active": True},
        timeout=10,
    )
    assert created.status_code in {200, 201}, created.text
    order = served.api(
        "POST",
        f"/accounts/{account['id']}/orders/place/",
        json={"symbol": "AAPL", "order_action": "BUY", "quantity": 1},
    )
    assert order.status_code == 200, order.text
    body: dict[str, Any] = order.json()
    return created.json()["signing_secret"], str(body["order"]["order_id"])


async def test_an_event_committed_before_a_kill_is_delivered_after_restart(
    tmp_path: Path,
) -> None:
    async with running_receiver() as receiver:
        never = {**LOOPBACK_WEBHOOKS, "BROKERHUB_WEBHOOK_DELIVERY_INTERVAL_SECONDS": "3600"}
        with serve(tmp_path, never) as first:
            secret, order_id = await anyio.to_thread.run_sync(
                _register_and_trade, first, receiver.url
            )
            first.process.kill()
            first.process.wait(timeout=10)
        receiver.secret = secret
        assert receiver.requests == []

        soon = {
            **LOOPBACK_WEBHOOKS,
            "BROKERHUB_WEBHOOK_DELIVERY_INTERVAL_SECONDS": "0.2",
            "BROKERHUB_WEBHOOK_RETRY_SCHEDULE_SECONDS": json.dumps([0.2] * 7),
        }

        async def delivered() -> bool:
            return bool(receiver.accepted)

        with serve(tmp_path, soon):
            await until(delivered)
    delivered = [r.payload for r in receiver.accepted if r.verified and r.payload]
    orders = [p["data"].get("order_id") for p in delivered if p["event_type"] == "order_update"]
    assert order_id in orders
