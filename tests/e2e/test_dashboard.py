"""The dashboard in Debian's Chromium (Playwright) against a real ``brokerhub serve``.

Each test gets its own server and home folder, signs in with the demo key and saves a
screenshot as ``screenshot.png`` in its tmp folder. Waits have deadlines; nothing sleeps.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.e2e.served import Served, serve

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEADLINE_MS = 15_000
DASHBOARD_INDEX = (
    Path(__file__).resolve().parents[2] / "src" / "brokerhub" / "api" / "dashboard" / "index.html"
)

expect.set_options(timeout=DEADLINE_MS)

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium (.ci/run installs it)"
    ),
    pytest.mark.skipif(
        not DASHBOARD_INDEX.exists(), reason="needs the built dashboard (make dashboard)"
    ),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if shutil.which(str(CHROMIUM)) is None:
        pytest.skip("chromium is not executable")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Served]:
    with serve(tmp_path) as served:
        yield served


@pytest.fixture
def page(browser: Browser, server: Served, tmp_path: Path) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(DEADLINE_MS)
    opened = context.new_page()
    try:
        yield opened
    finally:
        opened.screenshot(path=str(tmp_path / "screenshot.png"), full_page=True)
        context.close()


def sign_in(page: Page, server: Served) -> None:
    page.goto(server.base + "/")
    page.get_by_label("API key").fill(server.key)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as demo")).to_be_visible()


def test_sign_in_shows_the_demo_paper_account_and_sign_out_forgets_the_key(
    page: Page, server: Served
) -> None:
    page.goto(server.base + "/")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Enter your API key.")
    page.get_by_label("API key").fill("bh_wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("not accepted")

    sign_in(page, server)
    expect(page.get_by_role("heading", name="Overview", level=1)).to_be_visible()
    expect(page.get_by_text("Total value")).to_be_visible()
    expect(page.get_by_role("figure", name="Allocation by asset class")).to_contain_text("Equity")

    page.get_by_role("link", name="Accounts").click()
    account = page.locator("section.account").first
    expect(account.get_by_role("heading", level=2)).to_contain_text("paper")
    positions = account.get_by_role("table")
    expect(positions).to_contain_text("AAPL")
    assert page.evaluate("sessionStorage.getItem('brokerhub.apiKey')") == server.key
    assert page.evaluate("localStorage.length") == 0

    page.get_by_role("columnheader", name="Symbol").get_by_role("button").click()
    expect(page.get_by_role("columnheader", name="Symbol")).to_have_attribute(
        "aria-sort", "ascending"
    )

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to brokerhub")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('brokerhub.apiKey')") is None


def test_sync_now_reports_progress_and_result(page: Page, server: Served) -> None:
    sign_in(page, server)
    page.goto(server.base + "/#/accounts")
    account = page.locator("section.account").first
    account.get_by_role("button", name="Sync now").click()
    # The demo account was synced on start: the hourly limit answers in plain words.
    expect(account.get_by_role("alert")).to_contain_text(re.compile("sync", re.IGNORECASE))
    account.get_by_role("button", name="Sync anyway").click()
    expect(account.get_by_text(re.compile(r"Synced: \d+ positions"))).to_be_visible()
