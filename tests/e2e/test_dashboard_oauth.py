"""Connecting E*TRADE from the dashboard: OAuth 1.0a with the verification-code dialog, against
brokerhub's E*TRADE emulator (BROKERHUB_ETRADE_BASE_URL points the server at it)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests
from playwright.sync_api import Page, expect

from brokerhub.emulators.etrade import ETradeEmulator, verifier_from_page
from brokerhub.emulators.serve import LoopbackServer
from brokerhub.sim.clock import WallClock
from brokerhub.sim.exchange import SimExchange
from tests.brokers.etrade.emulated import CONSUMER_KEY, CONSUMER_SECRET
from tests.e2e.conftest import sign_in
from tests.e2e.served import Served


@pytest.fixture
def etrade() -> Iterator[str]:
    emulator = ETradeEmulator(
        SimExchange.in_memory(WallClock()),
        consumers={CONSUMER_KEY: CONSUMER_SECRET},
        rate_limits=None,
    )
    with LoopbackServer(emulator) as emulated:
        yield emulated.url


@pytest.fixture
def server_env(etrade: str) -> dict[str, str]:
    return {"BROKERHUB_ETRADE_BASE_URL": etrade}


def test_connect_etrade_with_the_verification_code_dialog(page: Page, server: Served) -> None:
    sign_in(page, server)
    page.get_by_role("navigation", name="Pages").get_by_role(
        "link", name="Connect a broker"
    ).click()
    page.get_by_role("button", name=re.compile("^E\\*TRADE")).click()
    page.get_by_text("Application keys").click()
    page.get_by_label("Consumer key").fill(CONSUMER_KEY)
    page.get_by_label("Consumer secret").fill(CONSUMER_SECRET)
    page.get_by_role("button", name="Sign in at E*TRADE").click()

    link = page.get_by_role("link", name="Open E*TRADE's authorization page")
    expect(link).to_be_visible()
    authorize_url = link.get_attribute("href")
    assert authorize_url
    assert authorize_url.startswith("http://127.0.0.1")  # the emulator, not the real broker
    verifier = verifier_from_page(requests.get(authorize_url, timeout=10).text)

    page.get_by_label("Verification code").fill("wrong")
    page.get_by_role("button", name="Complete connection").click()
    expect(page.locator("#code-error")).to_be_visible()

    page.get_by_role("button", name="Cancel").click()
    page.get_by_role("button", name="Sign in at E*TRADE").click()
    authorize_url = page.get_by_role(
        "link", name="Open E*TRADE's authorization page"
    ).get_attribute("href")
    assert authorize_url
    verifier = verifier_from_page(requests.get(authorize_url, timeout=10).text)
    page.get_by_label("Verification code").fill(verifier)
    page.get_by_role("button", name="Complete connection").click()
    expect(page.get_by_role("status")).to_contain_text(re.compile("connected", re.IGNORECASE))

    accounts = server.api("GET", "/user/1/accounts/").json()["accounts"]
    assert "etrade" in {account["brokerage_name"] for account in accounts}
