"""pyetrade, the popular open E*TRADE client, against the emulator: if it fails, we are wrong.

pyetrade hard-codes E*TRADE's hosts in attributes set by its constructors; the tests point
those attributes at the emulator and change nothing else.
"""

from __future__ import annotations

from typing import Any

import pyetrade
import pytest
import requests

from brokerhub.emulators.etrade import verifier_from_page
from tests.emulators.etrade.conftest import CONSUMER_KEY, CONSUMER_SECRET


def _login(base: str) -> dict[str, Any]:
    oauth = pyetrade.ETradeOAuth(CONSUMER_KEY, CONSUMER_SECRET)
    oauth.req_token_url = f"{base}/oauth/request_token"
    oauth.auth_token_url = f"{base}/e/t/etws/authorize"
    oauth.access_token_url = f"{base}/oauth/access_token"
    authorize_url = oauth.get_request_token()
    page = requests.get(authorize_url, timeout=10)
    assert page.status_code == 200
    tokens: dict[str, Any] = oauth.get_access_token(verifier_from_page(page.text))
    return tokens


def _accounts(base: str, tokens: dict[str, Any]) -> pyetrade.ETradeAccounts:
    accounts = pyetrade.ETradeAccounts(
        CONSUMER_KEY, CONSUMER_SECRET, tokens["oauth_token"], tokens["oauth_token_secret"]
    )
    accounts.base_url = f"{base}/v1/accounts"
    return accounts


def test_handshake_accounts_balance_portfolio_xml_and_json(served: str) -> None:
    tokens = _login(served)
    accounts = _accounts(served, tokens)

    listed = accounts.list_accounts()["AccountListResponse"]["Accounts"]["Account"]
    key = listed["accountIdKey"]
    as_json = accounts.list_accounts(resp_format="json")
    assert as_json["AccountListResponse"]["Accounts"]["Account"][0]["accountIdKey"] == key

    balance = accounts.get_account_balance(key, resp_format="json")["BalanceResponse"]
    assert balance["Computed"]["RealTimeValues"]["totalAccountValue"] == 100000
    xml_balance = accounts.get_account_balance(key)["BalanceResponse"]
    assert xml_balance["Computed"]["cashBuyingPower"] == "100000"

    with pytest.raises(ValueError, match="Expecting value"):
        accounts.get_account_portfolio(key, resp_format="json")  # 204, no body


def test_preview_place_then_portfolio_and_orders(served: str) -> None:
    tokens = _login(served)
    key = _accounts(served, tokens).list_accounts(resp_format="json")["AccountListResponse"][
        "Accounts"
    ]["Account"][0]["accountIdKey"]
    orders = pyetrade.ETradeOrder(
        CONSUMER_KEY, CONSUMER_SECRET, tokens["oauth_token"], tokens["oauth_token_secret"]
    )
    orders.base_url = f"{served}/v1/accounts"
    common = {
        "accountIdKey": key,
        "symbol": "AAPL",
        "orderAction": "BUY",
        "clientOrderId": "pyetrade1",
        "priceType": "MARKET",
        "quantity": 10,
        "orderTerm": "GOOD_FOR_DAY",
        "marketSession": "REGULAR",
    }
    preview = orders.preview_equity_order(**common)["PreviewOrderResponse"]
    assert preview["PreviewIds"]["previewId"].isdigit()

    placed = orders.place_equity_order(**common)["PlaceOrderResponse"]
    assert placed["OrderIds"]["orderId"].isdigit()

    listed = orders.list_orders(key, resp_format="json")["OrdersResponse"]["Order"]
    assert [o["orderId"] for o in listed] == [int(placed["OrderIds"]["orderId"])]
    assert listed[0]["OrderDetail"][0]["Instrument"][0]["Product"]["symbol"] == "AAPL"

    with pytest.raises(Exception, match="Etrade API Error"):
        orders.place_equity_order(**common)  # the same clientOrderId again
