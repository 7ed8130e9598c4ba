"""The OAuth 2.0 flow against a loopback authorization server: API, PKCE, state, refresh."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from brokerhub.auth.oauth2 import OAuth2Client, OAuth2Tokens, new_code_verifier
from brokerhub.auth.tokens import OAuth2Session
from brokerhub.brokers.http import OutgoingRequest
from brokerhub.core.clock import utcnow
from brokerhub.errors import AuthenticationFailed, ReauthorizationRequired
from tests.api.conftest import Api, ApiUser
from tests.auth.oauth2_loopback import (
    BROKER,
    CLIENT_ID,
    CLIENT_SECRET,
    CONFIG,
    AuthServer,
    registered_oauth_broker,
)

CALLBACK = f"http://testserver/brokerage_integrations/brokerages/{BROKER}/oauth/callback/"


@pytest.fixture(autouse=True)
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[AuthServer, str]]:
    """Serve the authorization server and register its broker (before the app starts)."""
    with registered_oauth_broker(monkeypatch, CALLBACK) as served:
        yield served


class MemoryStore:
    """A TokenStore in memory."""

    def __init__(self, credentials: dict[str, Any]) -> None:
        self.credentials = credentials
        self.reasons: list[str] = []

    async def load(self) -> dict[str, Any]:
        return dict(self.credentials)

    async def save(self, updates: Any) -> None:
        self.credentials.update(updates)

    async def reauthorization_required(self, reason: str) -> None:
        self.reasons.append(reason)


def start(api: Api, user: ApiUser) -> dict[str, Any]:
    body = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "use_sandbox": True}
    answer = api.call("POST", f"/{BROKER}/oauth/initiate/", user, json=body)
    assert answer.status_code == 200, answer.text
    started: dict[str, Any] = answer.json()
    return started


def authorize(url: str) -> tuple[str, str]:
    redirect = requests.get(url, allow_redirects=False, timeout=10).headers["location"]
    assert redirect.startswith(CALLBACK)
    query = parse_qs(urlsplit(redirect).query)
    return query["code"][0], query["state"][0]


def callback(api: Api, code: str, state: str) -> Any:
    return api.client.get(
        f"/brokerage_integrations/brokerages/{BROKER}/oauth/callback/",
        params={"code": code, "state": state},
    )


def test_redirect_flow_connects_and_state_is_single_use(api: Api) -> None:
    started = start(api, api.alice)
    query = parse_qs(urlsplit(started["authorization_url"]).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["state"] == [started["state"]]
    assert query["redirect_uri"] == [CALLBACK]
    code, state = authorize(started["authorization_url"])
    done = callback(api, code, state)
    assert done.status_code == 200, done.text
    status = api.call("GET", f"/{BROKER}/auth/status/", api.alice).json()
    assert status["authenticated"] is True
    assert "access_token" not in str(status)

    replayed = callback(api, code, state)
    assert replayed.status_code == 400
    assert "Invalid or expired OAuth state" in replayed.json()["error"]
    forged = callback(api, code, "forged-state")
    assert forged.status_code == 400
    denied = api.client.get(
        f"/brokerage_integrations/brokerages/{BROKER}/oauth/callback/",
        params={"error": "access_denied"},
    )
    assert denied.status_code == 401


def test_state_of_another_user_or_brokerage_is_refused(api: Api) -> None:
    started = start(api, api.alice)
    code, state = authorize(started["authorization_url"])
    as_bob = api.call(
        "POST", f"/{BROKER}/oauth/complete/", api.bob, json={"code": code, "state": state}
    )
    assert as_bob.status_code == 400
    other_broker = api.call(
        "POST",
        "/etrade/oauth/complete/",
        api.alice,
        json={"verification_code": "X", "state": state},
    )
    assert other_broker.status_code == 400
    # Bob's attempt spent nothing of Alice's; she completes through the API.
    mine = api.call(
        "POST", f"/{BROKER}/oauth/complete/", api.alice, json={"code": code, "state": state}
    )
    assert mine.status_code == 200, mine.text


def test_refresh_before_expiry_is_saved_encrypted_and_rejection_marks_the_account(
    api: Api, server: tuple[AuthServer, str]
) -> None:
    auth, _ = server
    code, state = authorize(start(api, api.alice)["authorization_url"])
    connection_id = callback(api, code, state).json()["account_id"]

    async def pooled_session() -> OAuth2Session:
        row = await api.hub.connections.get(user_id=api.alice.user_id, connection_id=connection_id)
        session: OAuth2Session = api.hub.pool.adapter_for(row).session  # type: ignore[attr-defined]
        return session

    async def due_in(seconds: float) -> str | None:
        session = await pooled_session()
        old = session.tokens
        session._tokens = OAuth2Tokens(  # as if the token had aged
            old.access_token, old.refresh_token, utcnow() + timedelta(seconds=seconds)
        )
        return old.refresh_token

    first_refresh = api.client.portal.call(due_in, 30)  # type: ignore[union-attr]
    for _ in range(3):
        assert api.call("GET", f"/accounts/{connection_id}/balance/", api.alice).status_code == 200
    assert auth.refreshes == 1

    async def stored_refresh_token() -> str:
        row = await api.hub.connections.get(user_id=api.alice.user_id, connection_id=connection_id)
        assert row.credentials_encrypted is not None
        assert b"refresh" not in row.credentials_encrypted
        vault = api.hub.pool._vault
        return str(vault.decrypt(row.credentials_encrypted)["refresh_token"])

    stored = api.client.portal.call(stored_refresh_token)  # type: ignore[union-attr]
    assert stored != first_refresh
    assert stored == api.client.portal.call(pooled_session).tokens.refresh_token  # type: ignore[union-attr]

    auth.revoke_all()
    api.client.portal.call(due_in, 0)  # type: ignore[union-attr]
    refused = api.call("GET", f"/accounts/{connection_id}/balance/", api.alice)
    assert refused.status_code == 401
    status = api.call("GET", f"/{BROKER}/auth/status/", api.alice).json()
    assert status["reauthorization_required"] is True
    assert status["accounts"][0]["status"] == "error"
    assert status["accounts"][0]["last_error"].startswith("Re-authorization required")


async def test_wrong_verifier_and_single_flight_refresh_with_rotation(
    server: tuple[AuthServer, str],
) -> None:
    auth, url = server
    client = OAuth2Client(CONFIG.rebased(url), CLIENT_ID, CLIENT_SECRET, CALLBACK, broker=BROKER)
    try:
        verifier = new_code_verifier()
        link = client.authorization_url("s", verifier)
        code, _ = await asyncio.to_thread(authorize, link)
        with pytest.raises(AuthenticationFailed):
            await client.exchange_code(code, new_code_verifier())  # wrong verifier
        code, _ = await asyncio.to_thread(authorize, link)
        tokens = await client.exchange_code(code, verifier)
        stale = OAuth2Tokens(tokens.access_token, tokens.refresh_token, utcnow() - timedelta(1))
        store = MemoryStore(stale.as_credentials())
        session = OAuth2Session(client, stale, store=store)
        requests_ = [OutgoingRequest("GET", f"{url}/v1/accounts", {}) for _ in range(10)]
        await asyncio.gather(*(session.authorize(r) for r in requests_))
        assert auth.refreshes == 1
        assert {r.headers["Authorization"] for r in requests_} == {
            f"Bearer {session.tokens.access_token}"
        }
        assert store.credentials["refresh_token"] == session.tokens.refresh_token
        assert session.tokens.refresh_token != tokens.refresh_token  # rotated

        # Reusing the rotated-away refresh token is theft: the family is revoked.
        with pytest.raises(ReauthorizationRequired):
            await client.refresh(str(tokens.refresh_token))
        with pytest.raises(ReauthorizationRequired):
            await session.refresh(force=True)
        assert store.reasons == ["the broker rejected the refresh token"]
    finally:
        await client.close()
