"""An app on a fresh SQLite database with two users, each with an API key."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from brokerhub.api.app import create_app
from brokerhub.config import get_settings
from brokerhub.hub import Hub

PREFIX = "/brokerage_integrations/brokerages"


@dataclass
class ApiUser:
    """A user of the API and the headers that authenticate them."""

    user_id: int
    key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


@dataclass
class Api:
    """A running app with helpers for the tests."""

    client: TestClient
    alice: ApiUser
    bob: ApiUser

    @property
    def hub(self) -> Hub:
        hub: Hub = self.client.app.state.hub  # type: ignore[attr-defined]
        return hub

    def call(self, method: str, path: str, user: ApiUser | None, **kwargs: Any) -> Any:
        headers = user.headers if user else {}
        return self.client.request(method, PREFIX + path, headers=headers, **kwargs)

    def connect_paper(self, user: ApiUser) -> str:
        response = self.call(
            "POST",
            "/connect/",
            user,
            json={"user_id": user.user_id, "brokerage_name": "paper", "credentials": {}},
        )
        assert response.status_code == 200, response.text
        account_id: str = response.json()["account_id"]
        return account_id

    def make_user(self, name: str, *, admin: bool = False) -> ApiUser:
        async def create() -> ApiUser:
            user = await self.hub.users.create_user(name=name, is_admin=admin)
            key = await self.hub.users.create_key(user_id=user.id)
            return ApiUser(user_id=user.id, key=key.plaintext)

        return self.client.portal.call(create)  # type: ignore[union-attr]


@pytest.fixture
def api() -> Iterator[Api]:
    app = create_app(get_settings())
    with TestClient(app, raise_server_exceptions=False) as client:
        holder = Api(client=client, alice=ApiUser(0, ""), bob=ApiUser(0, ""))
        holder.alice = holder.make_user("alice")
        holder.bob = holder.make_user("bob")
        yield holder
