"""``GET me/``: the caller's own identity, from the key alone."""

from __future__ import annotations

from tests.api.conftest import Api


def test_me_returns_the_key_owner(api: Api) -> None:
    body = api.call("GET", "/me/", api.alice).json()
    assert body == {
        "success": True,
        "user_id": api.alice.user_id,
        "name": "alice",
        "is_admin": False,
    }
    assert api.call("GET", "/me", api.bob).json()["user_id"] == api.bob.user_id


def test_me_shows_admin_flag(api: Api) -> None:
    root = api.make_user("root", admin=True)
    assert api.call("GET", "/me/", root).json()["is_admin"] is True


def test_me_needs_a_valid_key(api: Api) -> None:
    missing = api.call("GET", "/me/", None)
    assert missing.status_code == 401
    assert missing.json()["success"] is False
    wrong = api.client.get(
        "/brokerage_integrations/brokerages/me/", headers={"Authorization": "Bearer bh_nope"}
    )
    assert wrong.status_code == 401
