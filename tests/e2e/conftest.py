"""Fixtures for tests against a real `brokerhub serve` process (see tests/e2e/served.py) and
the dashboard in Debian's Chromium driven by Playwright.

Each browser test gets its own server and home folder, signs in with the demo key and saves a
screenshot as ``screenshot.png`` in its tmp folder. Waits have deadlines; nothing sleeps.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conftest import require_service
from tests.e2e.served import Served, serve


@pytest.fixture
def server_env() -> dict[str, str]:
    """Extra environment for the server process (a test module overrides it)."""
    return {}


@pytest.fixture
def server(tmp_path: Path, server_env: dict[str, str]) -> Iterator[Served]:
    """A `brokerhub serve` process on a loopback port with its own data folder."""
    with serve(tmp_path, env=server_env) as served:
        yield served


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


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if shutil.which(str(CHROMIUM)) is None:
        require_service("chromium", f"{CHROMIUM} is missing (.ci/run installs Debian's chromium)")
    if not DASHBOARD_INDEX.exists():
        require_service("the dashboard build", "run `make dashboard` (make test does)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


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
