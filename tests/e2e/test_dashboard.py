"""The dashboard in Debian's Chromium (Playwright) against a real ``brokerhub serve``.

Each test gets its own server and home folder, signs in with the demo key and saves a
screenshot as ``screenshot.png`` in its tmp folder. Waits have deadlines; nothing sleeps.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import sign_in
from tests.e2e.served import Served


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


def choose_symbol(page: Page, label: str, symbol: str) -> None:
    box = page.get_by_role("combobox", name=label)
    box.fill(symbol)
    box.press("Enter")


def test_limit_order_preview_place_see_in_orders_and_cancel(page: Page, server: Served) -> None:
    sign_in(page, server)
    page.get_by_role("link", name="Trade").click()
    choose_symbol(page, "Symbol", "AAPL")
    page.get_by_label("Quantity").fill("3")
    page.get_by_label("Order type").select_option("LIMIT")
    page.get_by_role("button", name="Preview order").click()
    expect(page.get_by_role("alert")).to_have_text(
        "A limit order needs a limit price above zero."
    )  # the error sits next to the field that caused it
    page.get_by_label("Limit price").fill("1.00")
    page.get_by_label("Term").select_option("GOOD_UNTIL_CANCEL")
    page.get_by_role("button", name="Preview order").click()
    preview = page.get_by_role("region", name="Order preview")
    expect(preview).to_contain_text("Estimated cost")
    expect(preview).to_contain_text("Commission")
    page.get_by_role("button", name="Confirm order").click()
    placed = page.get_by_role("status").filter(has_text="Order placed")
    expect(placed).to_contain_text("Open")

    page.get_by_role("link", name="See it in Orders").click()
    expect(page.get_by_role("tab", name=re.compile(r"^Open \(1\)"))).to_be_visible()
    order = page.get_by_role("listitem").filter(has_text="Buy 3 AAPL")
    expect(order).to_contain_text("limit $1.00")
    order.get_by_role("button", name="Cancel order").click()
    expect(page.get_by_role("tab", name=re.compile(r"^Open \(0\)"))).to_be_visible()
    page.get_by_role("tab", name=re.compile("^Cancelled")).click()
    expect(page.get_by_role("listitem").filter(has_text="Buy 3 AAPL")).to_contain_text("Cancelled")
    orders = server.api("GET", f"/accounts/{first_account_id(server)}/orders/").json()["orders"]
    assert [o["status"] for o in orders if o["limit_price"] == 1] == ["CANCELLED"]


def first_account_id(server: Served) -> str:
    me = server.api("GET", "/me/").json()
    accounts = server.api("GET", f"/user/{me['user_id']}/accounts/").json()["accounts"]
    account_id: str = accounts[0]["id"]
    return account_id


def test_market_order_fills_and_the_position_appears(page: Page, server: Served) -> None:
    sign_in(page, server)
    page.get_by_role("link", name="Trade").click()
    choose_symbol(page, "Symbol", "KO")
    page.get_by_label("Quantity").fill("7")
    page.get_by_role("button", name="Preview order").click()
    page.get_by_role("button", name="Confirm order").click()
    expect(page.get_by_role("status").filter(has_text="Order placed")).to_contain_text("Filled")

    page.get_by_role("link", name="Accounts").click()
    row = page.locator("section.account").first.get_by_role("row").filter(has_text="KO")
    expect(row.get_by_role("cell").nth(1)).to_have_text("7")


def test_connect_a_second_paper_account(page: Page, server: Served) -> None:
    sign_in(page, server)
    nav = page.get_by_role("navigation", name="Pages")
    nav.get_by_role("link", name="Connect a broker").click()
    page.get_by_role("button", name=re.compile("^Paper")).click()
    page.get_by_label("Account name (optional)").fill("Second paper")
    page.get_by_role("button", name="Connect", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Successfully connected paper account")

    page.get_by_role("link", name="See it in Accounts").click()
    expect(page.locator("section.account")).to_have_count(2)
    second = page.locator("section.account").filter(has_text="Second paper")
    expect(second.get_by_text("Total value")).to_be_visible()
    expect(second).to_contain_text("$100,000.00")
    expect(second).to_contain_text("No positions as of the last sync.")


def test_a_quote_updates_live(page: Page, server: Served) -> None:
    sign_in(page, server)
    page.get_by_role("link", name="Trade").click()
    choose_symbol(page, "Symbol", "MSFT")
    stamp = page.get_by_test_id("quote-time")
    expect(stamp).to_contain_text("live")
    first = stamp.inner_text()
    expect(stamp).not_to_have_text(first)  # a newer quote arrived without any click
    expect(page.get_by_test_id("quote-last")).to_have_text(re.compile(r"^\$\d[\d,]*\.\d\d$"))

    page.get_by_role("link", name="Chart").click()
    expect(page.get_by_role("img", name=re.compile("AAPL candles and volume"))).to_be_visible()
    expect(page.get_by_text("Loading AAPL bars")).to_have_count(0)
    expect(page.get_by_text("No bars for AAPL")).to_have_count(0)
    expect(page.locator(".chart-box canvas").first).to_be_visible()
