"""The emulator refuses what E*TRADE refuses, with E*TRADE's HTML 401 pages."""

from __future__ import annotations

import time

import requests
from requests_oauthlib import OAuth1

from brokerhub.emulators.etrade import ETradeEmulator
from tests.emulators.etrade.conftest import CONSUMER_KEY, CONSUMER_SECRET


def _get(url: str, auth: OAuth1) -> requests.Response:
    return requests.get(url, auth=auth, timeout=10)


def test_unknown_consumer_and_bad_signature_and_stale_timestamp(served: str) -> None:
    url = f"{served}/oauth/request_token"
    wrong_key = _get(url, OAuth1("deadbeefdeadbeef", "x", callback_uri="oob"))
    assert wrong_key.status_code == 401
    assert "oauth_problem=consumer_key_rejected" in wrong_key.text
    bad_secret = _get(url, OAuth1(CONSUMER_KEY, "wrong", callback_uri="oob"))
    assert "oauth_problem=signature_invalid" in bad_secret.text
    stale = OAuth1(
        CONSUMER_KEY, CONSUMER_SECRET, callback_uri="oob", timestamp=str(int(time.time()) - 3600)
    )
    answer = _get(url, stale)
    assert answer.status_code == 401
    assert "oauth_problem=timestamp_refused,oauth_acceptable_timestamps=" in answer.text


def test_replayed_nonce_is_refused(served: str) -> None:
    auth = OAuth1(
        CONSUMER_KEY,
        CONSUMER_SECRET,
        callback_uri="oob",
        nonce="fixednonce12345",
        timestamp=str(int(time.time())),
    )
    assert _get(f"{served}/oauth/request_token", auth).status_code == 200
    again = _get(f"{served}/oauth/request_token", auth)
    assert "oauth_problem=nonce_used" in again.text


def test_unsigned_api_call_and_rate_limit_page(served: str, emulator: ETradeEmulator) -> None:
    assert "oauth_problem=" in requests.get(f"{served}/v1/accounts/list", timeout=10).text
    from tests.brokers.etrade.emulated import login

    emulator.oauth.state.consumers["0a1b2c3d4e5f60718293a4b5c6d7e8f9"] = (
        "f9e8d7c6b5a4938271605f4e3d2c1b0a"
    )
    tokens = login(served)
    emulator.rate_limits = {"accounts": 1}
    auth = OAuth1(
        "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
        "f9e8d7c6b5a4938271605f4e3d2c1b0a",
        tokens["oauth_token"],
        tokens["oauth_token_secret"],
    )
    first = _get(f"{served}/v1/accounts/list.json", auth)
    assert first.status_code == 200
    assert first.json()["AccountListResponse"]["Accounts"]["Account"][0]["accountIdKey"]
    second = _get(f"{served}/v1/accounts/list.json", auth)
    assert second.status_code == 400
    assert "Number of requests exceeded the rate limit set" in second.text
    revoke = _get(f"{served}/oauth/revoke_access_token", auth)
    assert revoke.status_code == 200
    assert "oauth_problem=token_rejected" in _get(f"{served}/v1/market/quote/AAPL", auth).text
