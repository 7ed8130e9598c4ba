"""The hot read path: cached portfolios stay truthful, and requests are counted by route."""

from __future__ import annotations

import time

from tests.api.conftest import Api

PORTFOLIO_ROUTE = "/brokerage_integrations/brokerages/accounts/{account_id}/portfolio/"


def _held(api: Api, account_id: str) -> list[str]:
    response = api.call("GET", f"/accounts/{account_id}/portfolio/", api.alice)
    assert response.status_code == 200, response.text
    return [position["symbol"] for position in response.json()["portfolio"]]


def _buy(api: Api, account_id: str, symbol: str) -> None:
    body = {"symbol": symbol, "order_action": "BUY", "quantity": 1, "price_type": "MARKET"}
    placed = api.call("POST", f"/accounts/{account_id}/orders/place/", api.alice, json=body)
    assert placed.status_code == 200, placed.text


def test_a_sync_through_the_api_shows_in_the_next_portfolio_read(api: Api) -> None:
    account_id = api.connect_paper(api.alice)
    assert _held(api, account_id) == []
    _buy(api, account_id, "AAPL")
    api.call("POST", f"/accounts/{account_id}/sync/", api.alice, json={"force_sync": True})
    assert _held(api, account_id) == ["AAPL"]


def test_a_sync_run_elsewhere_shows_within_a_second_or_two(api: Api) -> None:
    account_id = api.connect_paper(api.alice)
    assert _held(api, account_id) == []
    _buy(api, account_id, "MSFT")

    async def scheduled_sync() -> None:  # as the scheduler or a worker runs it
        await api.hub.sync.sync_account(
            user_id=api.alice.user_id, connection_id=account_id, force=True
        )

    api.client.portal.call(scheduled_sync)  # type: ignore[union-attr]
    deadline = time.monotonic() + 3
    while _held(api, account_id) != ["MSFT"]:
        assert time.monotonic() < deadline, "the synced position never showed"
        time.sleep(0.05)


def test_another_users_cached_portfolio_stays_not_found(api: Api) -> None:
    account_id = api.connect_paper(api.alice)
    assert _held(api, account_id) == []
    response = api.call("GET", f"/accounts/{account_id}/portfolio/", api.bob)
    assert response.status_code == 404
    assert response.json() == {"success": False, "error": "Account not found"}


def test_requests_are_counted_by_route_template_and_status(api: Api) -> None:
    account_id = api.connect_paper(api.alice)
    _held(api, account_id)
    api.client.get(f"/brokerage_integrations/brokerages/accounts/{account_id}/portfolio/")
    text = api.client.get("/metrics").text
    for status in ("2xx", "4xx"):
        labels = f'method="GET",route="{PORTFOLIO_ROUTE}",status="{status}"'
        line = f"brokerhub_http_requests_total{{{labels}}}"
        assert line in text, line


def test_the_openapi_schema_documents_the_bearer_key_on_every_account_read(api: Api) -> None:
    schema = api.client.get("/openapi.json").json()
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    for read in ("portfolio", "balance", "transactions"):
        operation = schema["paths"][PORTFOLIO_ROUTE.replace("portfolio", read)]["get"]
        assert operation["security"] == [{"HTTPBearer": []}], read
