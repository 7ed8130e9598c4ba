"""Every error the seed lists, and each of its limits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import pytest

from brokerhub.brokers.base import AuthMethod, BaseBroker, BrokerSpec, get_registry
from brokerhub.core.capabilities import Capability
from brokerhub.core.portfolio import Account
from brokerhub.errors import AuthenticationFailed
from tests.api.conftest import Api


class RefusingBroker(BaseBroker):
    """A broker whose every login is refused, as a wrong password is."""

    name: ClassVar[str] = "refusing"
    capabilities = frozenset({Capability.ACCOUNTS})

    async def accounts(self) -> list[Account]:
        raise AuthenticationFailed("bad password", broker=self.name)


class BrokenBroker(BaseBroker):
    """A broker adapter with a bug: it crashes on every call."""

    name: ClassVar[str] = "broken"
    capabilities = frozenset({Capability.ACCOUNTS})

    async def accounts(self) -> list[Account]:
        raise RuntimeError("adapter bug with secret details")


def spec_of(broker: type[BaseBroker]) -> BrokerSpec:
    return BrokerSpec(
        name=broker.name,
        display_name=broker.name,
        factory=lambda credentials: broker(),
        capabilities=broker.capabilities,
        auth_method=AuthMethod.USERNAME_PASSWORD,
        required_fields=("username", "password"),
    )


@pytest.fixture
def test_brokers() -> Iterator[None]:
    registry = get_registry()
    for broker in (RefusingBroker, BrokenBroker):
        registry.register(spec_of(broker))
    yield
    for broker in (RefusingBroker, BrokenBroker):
        registry._specs.pop(broker.name)


def connect(api: Api, brokerage: str, credentials: dict[str, Any] | None = None) -> Any:
    return api.call(
        "POST",
        "/connect/",
        api.alice,
        json={
            "user_id": api.alice.user_id,
            "brokerage_name": brokerage,
            "credentials": credentials if credentials is not None else {},
        },
    )


def test_unsupported_brokerage(api: Api) -> None:
    response = connect(api, "unsupported_brokerage")
    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "error": "Brokerage unsupported_brokerage is not supported",
    }


def test_account_not_found(api: Api) -> None:
    for account_id in ("550e8400-e29b-41d4-a716-446655440000", "not-a-uuid"):
        response = api.call("GET", f"/accounts/{account_id}/portfolio/", api.alice)
        assert response.status_code == 404
        assert response.json() == {"success": False, "error": "Account not found"}


@pytest.mark.parametrize("header", [None, "Bearer nope", "Bearer bh_00000000_forged", "Basic x"])
@pytest.mark.parametrize("path", ["/user/{user_id}/accounts/", "/accounts/{account_id}/portfolio/"])
def test_missing_or_bad_key_is_401(api: Api, header: str | None, path: str) -> None:
    headers = {"Authorization": header} if header else {}
    account_id = api.connect_paper(api.alice)
    response = api.client.get(
        "/brokerage_integrations/brokerages"
        + path.format(user_id=api.alice.user_id, account_id=account_id),
        headers=headers,
    )
    assert response.status_code == 401
    assert response.json() == {
        "success": False,
        "error": "Authentication failed. Please check your credentials.",
    }


def test_revoked_key_stops_working(api: Api) -> None:
    async def revoke() -> None:
        [key] = await api.hub.users.list_keys(user_id=api.alice.user_id)
        await api.hub.users.revoke_key(user_id=api.alice.user_id, key_id=key.id)

    assert api.call("GET", f"/user/{api.alice.user_id}/accounts/", api.alice).status_code == 200
    api.client.portal.call(revoke)  # type: ignore[union-attr]
    assert api.call("GET", f"/user/{api.alice.user_id}/accounts/", api.alice).status_code == 401


def test_missing_required_credentials_are_named(api: Api, test_brokers: None) -> None:
    response = connect(api, "refusing", {"username": "a"})
    assert response.status_code == 400
    assert response.json()["error"] == "Missing required credentials: password"


def test_validation_errors_are_400_naming_the_field(api: Api) -> None:
    response = api.call("POST", "/connect/", api.alice, json={"brokerage_name": "paper"})
    assert response.status_code == 400
    assert response.json()["success"] is False
    assert "user_id" in response.json()["error"]
    account_id = api.connect_paper(api.alice)
    bad_type = api.call(
        "GET", f"/accounts/{account_id}/transactions/?transaction_type=bribe", api.alice
    )
    assert bad_type.status_code == 400
    assert "transaction_type" in bad_type.json()["error"]
    bad_date = api.call("GET", f"/accounts/{account_id}/transactions/?start_date=soon", api.alice)
    assert bad_date.status_code == 400
    assert "start_date" in bad_date.json()["error"]


def test_unexpected_errors_are_a_500_envelope_without_details(api: Api, test_brokers: None) -> None:
    response = connect(api, "broken", {"username": "a", "password": "b"})
    assert response.status_code == 500
    assert response.json() == {"success": False, "error": "Internal server error"}


def test_lockout_after_five_failed_connects(api: Api, test_brokers: None) -> None:
    credentials = {"username": "a", "password": "wrong"}
    for _ in range(5):
        response = connect(api, "refusing", credentials)
        assert response.status_code == 401
        assert response.json()["error"] == "Authentication failed. Please check your credentials."
    locked = connect(api, "refusing", credentials)
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 3000
    assert "Too many failed authentication attempts" in locked.json()["error"]
    assert connect(api, "paper").status_code == 200  # other brokerages are not locked


def test_second_sync_within_the_hour_is_429_unless_forced(api: Api) -> None:
    account_id = api.connect_paper(api.alice)
    first = api.call("POST", f"/accounts/{account_id}/sync/", api.alice, json={})
    assert first.status_code == 200
    second = api.call("POST", f"/accounts/{account_id}/sync/", api.alice, json={})
    assert second.status_code == 429
    assert second.json()["success"] is False
    assert 3500 <= int(second.headers["Retry-After"]) <= 3600
    forced = api.call("POST", f"/accounts/{account_id}/sync/", api.alice, json={"force_sync": True})
    assert forced.status_code == 200


def test_the_101st_request_in_a_minute_is_429(api: Api) -> None:
    path = f"/user/{api.alice.user_id}/accounts/"
    statuses = [api.call("GET", path, api.alice).status_code for _ in range(100)]
    assert statuses == [200] * 100
    limited = api.call("GET", path, api.alice)
    assert limited.status_code == 429
    assert limited.json()["error"] == "Rate limit exceeded: 100 requests per minute"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert api.call("GET", f"/user/{api.bob.user_id}/accounts/", api.bob).status_code == 200
