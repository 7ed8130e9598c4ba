"""HttpClient over real loopback HTTP: pooling, JSON, error mapping, hosts, auth hook."""

from __future__ import annotations

from decimal import Decimal

import pytest
from aiohttp import web

from brokerhub.brokers.http import (
    HttpClient,
    HttpResponse,
    OutgoingRequest,
    RetryPolicy,
    resolve_base_url,
)
from brokerhub.errors import (
    AuthenticationFailed,
    BrokerHubError,
    BrokerUnavailable,
    CredentialError,
    InsufficientFunds,
    NotFound,
    RateLimited,
    ValidationFailed,
)
from tests.brokers.http.conftest import Loopback

NO_RETRY = RetryPolicy(max_attempts=1)


async def test_get_json_keeps_decimals_and_reuses_connections(loopback: Loopback) -> None:
    async def quote(request: web.Request) -> web.Response:
        return web.Response(
            text='{"symbol": "' + request.query["symbol"] + '", "price": 187.10}',
            content_type="application/json",
        )

    loopback.route("GET", "/v1/quote", quote)
    url = await loopback.start()
    async with HttpClient(broker="test", base_url=url) as client:
        for _ in range(20):
            response = await client.get("/v1/quote", params={"symbol": "AAPL"})
    assert response.json() == {"symbol": "AAPL", "price": Decimal("187.10")}
    assert len(loopback.peers) == 1


async def test_query_and_form_encoding_match_oauth_rules(loopback: Loopback) -> None:
    seen: dict[str, str] = {}

    async def echo(request: web.Request) -> web.Response:
        seen["query"] = request.raw_path.split("?", 1)[1]
        seen["body"] = await request.text()
        seen["type"] = request.content_type
        return web.json_response({})

    loopback.route("POST", "/echo", echo)
    url = await loopback.start()
    async with HttpClient(broker="test", base_url=url) as client:
        await client.post("/echo", params={"q": "a b", "n": 1}, form={"x": "1+2", "y": None})
    assert seen == {
        "query": "q=a%20b&n=1",
        "body": "x=1%2B2",
        "type": "application/x-www-form-urlencoded",
    }


async def test_json_body_writes_decimals_exactly(loopback: Loopback) -> None:
    async def echo(request: web.Request) -> web.Response:
        return web.Response(body=await request.read(), content_type="application/json")

    loopback.route("POST", "/orders", echo)
    url = await loopback.start()
    async with HttpClient(broker="test", base_url=url) as client:
        response = await client.post("/orders", json={"limit": Decimal("150.10")})
    assert response.body == b'{"limit":150.10}'


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (400, "bad field", ValidationFailed),
        (401, "token_rejected", AuthenticationFailed),
        (404, "no such account", NotFound),
        (429, "slow down", RateLimited),
        (500, "boom", BrokerUnavailable),
        (
            400,
            "<html>Number of requests exceeded the rate limit set</html>",
            RateLimited,
        ),
    ],
)
async def test_status_table(
    loopback: Loopback, status: int, body: str, expected: type[BrokerHubError]
) -> None:
    async def fail(request: web.Request) -> web.Response:
        return web.Response(status=status, text=body, headers={"Retry-After": "7"})

    loopback.route("GET", "/x", fail)
    url = await loopback.start()
    async with HttpClient(broker="test", base_url=url, retry=NO_RETRY) as client:
        with pytest.raises(expected) as raised:
            await client.get("/x")
    assert raised.type is expected
    assert raised.value.broker == "test"
    if isinstance(raised.value, RateLimited):
        assert raised.value.retry_after == 7


async def test_error_body_is_redacted_and_broker_mapper_wins(loopback: Loopback) -> None:
    async def fail(request: web.Request) -> web.Response:
        return web.json_response(
            {"code": "INSUFFICIENT", "access_token": "tok-abcdef123456"}, status=400
        )

    def mapper(response: HttpResponse) -> BrokerHubError | None:
        if response.json().get("code") == "INSUFFICIENT":
            return InsufficientFunds("not enough cash", broker="test", broker_code="INSUFFICIENT")
        return None

    loopback.route("POST", "/orders", fail)
    loopback.route("GET", "/other", fail)
    url = await loopback.start()
    async with HttpClient(broker="test", base_url=url, error_mapper=mapper) as client:
        with pytest.raises(InsufficientFunds):
            await client.post("/orders", json={})
    async with HttpClient(broker="test", base_url=url, retry=NO_RETRY) as client:
        with pytest.raises(ValidationFailed) as raised:
            await client.get("/other")
    assert "tok-abcdef123456" not in str(raised.value.raw)


async def test_redirects_are_not_followed(loopback: Loopback) -> None:
    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPFound("http://169.254.169.254/latest/meta-data")

    loopback.route("GET", "/moved", moved)
    url = await loopback.start()
    async with HttpClient(broker="test", base_url=url, retry=NO_RETRY) as client:
        with pytest.raises(ValidationFailed, match="302"):
            await client.get("/moved")


async def test_auth_hook_sees_the_final_request(loopback: Loopback) -> None:
    class Stamp:
        async def authorize(self, request: OutgoingRequest) -> None:
            request.headers["Authorization"] = f"Stamp {request.method} {request.url}"

    async def whoami(request: web.Request) -> web.Response:
        return web.Response(text=request.headers["Authorization"])

    loopback.route("GET", "/me", whoami)
    url = await loopback.start()
    async with HttpClient(broker="test", base_url=url, auth=Stamp()) as client:
        response = await client.get("/me", params={"a": "x y"})
    assert response.text() == f"Stamp GET {url}/me?a=x%20y"


def test_base_url_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    default = "https://api.broker.example/"
    assert resolve_base_url("etrade", default) == "https://api.broker.example"
    monkeypatch.setenv("BROKERHUB_ETRADE_BASE_URL", "http://127.0.0.1:9000")
    assert resolve_base_url("etrade", default) == "http://127.0.0.1:9000"
    creds = {"base_url": "http://127.0.0.1:9100/"}
    assert resolve_base_url("etrade", default, creds) == "http://127.0.0.1:9100"
    with pytest.raises(CredentialError, match="base_url"):
        resolve_base_url("etrade", default, {"base_url": "file:///etc/passwd"})


def test_json_answers_decode_exactly_and_refuse_what_is_not_json() -> None:
    answer = HttpResponse(200, {}, b'{"qty": 12345678901234567890, "price": 0.1, "ok": true}')
    assert answer.json() == {"qty": 12345678901234567890, "price": Decimal("0.1"), "ok": True}
    for body in (b"<html>Service Unavailable</html>", b'{"a": 1', b'{"a": NaN}', b"\xff"):
        with pytest.raises(ValueError, match=r"JSON|truncated"):
            HttpResponse(200, {}, body).json()
