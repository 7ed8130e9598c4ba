"""The E*TRADE OAuth 1.0a connect flow through the API, against the emulator on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from brokerhub.emulators.etrade import ETradeEmulator, verifier_from_page
from brokerhub.emulators.serve import LoopbackServer
from brokerhub.sim.clock import ManualClock
from brokerhub.sim.config import SimConfig
from brokerhub.sim.exchange import SimExchange
from tests.api.conftest import Api, ApiUser
from tests.brokers.etrade.emulated import CONSUMER_KEY, CONSUMER_SECRET

APP_KEYS = {"consumer_key": CONSUMER_KEY, "consumer_secret": CONSUMER_SECRET}


@pytest.fixture
def emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[ETradeEmulator, str]]:
    exchange = SimExchange.in_memory(ManualClock(datetime(2024, 6, 3, 15, tzinfo=UTC)), SimConfig())
    emulator = ETradeEmulator(exchange, consumers={CONSUMER_KEY: CONSUMER_SECRET}, rate_limits=None)
    with LoopbackServer(emulator) as server:
        monkeypatch.setenv("BROKERHUB_ETRADE_BASE_URL", server.url)
        yield emulator, server.url


def initiate(api: Api, user: ApiUser, path: str = "/etrade/oauth/initiate/") -> dict[str, Any]:
    response = api.call("POST", path, user, json=APP_KEYS)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def approve(url: str) -> str:
    return verifier_from_page(requests.get(url, timeout=10).text)


def test_initiate_authorize_complete_then_status(
    api: Api, emulator: tuple[ETradeEmulator, str]
) -> None:
    _, base = emulator
    started = initiate(api, api.alice)
    assert started["success"] is True
    assert started["environment"] == "sandbox"
    assert started["auth_method"] == "oauth1"
    assert started["authorization_url"].startswith(f"{base}/e/t/etws/authorize?key={CONSUMER_KEY}")
    status = api.call("GET", "/etrade/auth/status/", api.alice).json()
    assert status["pending"] is True
    assert status["authenticated"] is False

    done = api.call(
        "POST",
        "/etrade/oauth/complete/",
        api.alice,
        json={"verification_code": approve(started["authorization_url"])},
    )
    assert done.status_code == 200, done.text
    assert done.json()["account_ids"]
    status = api.call("GET", "/etrade/auth/status/", api.alice).json()
    assert status["authenticated"] is True
    assert status["pending"] is False
    assert all(account["status"] == "connected" for account in status["accounts"])
    assert "oauth_token" not in str(status)
    # Bob sees none of it.
    assert api.call("GET", "/etrade/auth/status/", api.bob).json()["accounts"] == []


def test_wrong_verifier_is_refused_and_the_handshake_is_spent(
    api: Api, emulator: tuple[ETradeEmulator, str]
) -> None:
    started = initiate(api, api.alice)
    wrong = api.call(
        "POST", "/etrade/oauth/complete/", api.alice, json={"verification_code": "ZZZZZ"}
    )
    assert wrong.status_code == 401
    assert wrong.json() == {"success": False, "error": wrong.json()["error"]}
    again = api.call(
        "POST",
        "/etrade/oauth/complete/",
        api.alice,
        json={"verification_code": approve(started["authorization_url"])},
    )
    assert again.status_code == 400
    assert "Invalid or expired OAuth state" in again.json()["error"]


def test_missing_code_key_and_consumer_and_non_oauth_brokers(
    api: Api, emulator: tuple[ETradeEmulator, str]
) -> None:
    assert api.call("POST", "/etrade/oauth/initiate/", None, json=APP_KEYS).status_code == 401
    no_code = api.call("POST", "/etrade/oauth/complete/", api.alice, json={})
    assert no_code.status_code == 400
    assert "verification_code" in no_code.json()["error"]
    no_keys = api.call("POST", "/etrade/oauth/initiate/", api.alice, json={})
    assert no_keys.status_code == 400
    assert "BROKERHUB_ETRADE_CONSUMER_KEY" in no_keys.json()["error"]
    paper = api.call("POST", "/paper/oauth/initiate/", api.alice, json={})
    assert paper.status_code == 400
    bad_secret = {**APP_KEYS, "consumer_secret": "0" * 32}
    tampered = api.call("POST", "/etrade/oauth/initiate/", api.alice, json=bad_secret)
    assert tampered.status_code == 401
    assert "signature_invalid" in tampered.json()["error"]


def test_expired_token_marks_the_connection_for_reauthorization(
    api: Api, emulator: tuple[ETradeEmulator, str]
) -> None:
    fake, _ = emulator
    started = initiate(api, api.alice)
    code = approve(started["authorization_url"])
    done = api.call(
        "POST", "/etrade/oauth/complete/", api.alice, json={"verification_code": code}
    ).json()
    fake.oauth.expire_all()
    refused = api.call("GET", f"/accounts/{done['account_id']}/balance/", api.alice)
    assert refused.status_code == 401
    status = api.call("GET", "/etrade/auth/status/", api.alice).json()
    assert status["reauthorization_required"] is True
    [account] = [a for a in status["accounts"] if a["id"] == done["account_id"]]
    assert account["status"] == "error"
    assert account["last_error"].startswith("Re-authorization required")
    listed = api.call("GET", f"/user/{api.alice.user_id}/accounts/", api.alice).json()
    assert any(a["status"] == "error" for a in listed["accounts"])


def test_seed_compat_routes_delegate_to_the_same_flow(
    api: Api, emulator: tuple[ETradeEmulator, str]
) -> None:
    started = api.client.post(
        "/api/etrade/oauth/initiate", json=APP_KEYS, headers=api.alice.headers
    )
    assert started.status_code == 200, started.text
    code = approve(started.json()["authorization_url"])
    done = api.client.post(
        "/api/etrade/oauth/complete", json={"verification_code": code}, headers=api.alice.headers
    )
    assert done.status_code == 200, done.text
    status = api.client.get("/api/etrade/auth/status", headers=api.alice.headers).json()
    assert status["authenticated"] is True
    accounts = api.client.get("/api/etrade/accounts", headers=api.alice.headers).json()
    assert accounts["accounts"]
