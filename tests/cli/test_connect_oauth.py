"""`brokerhub connect etrade`: URL printed, browser opened, code asked, tokens stored, tested."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from brokerhub.cli import oauth_connect
from brokerhub.cli.main import app
from brokerhub.emulators.etrade import ETradeEmulator
from tests.auth.etrade_flow import approve, etrade_emulator
from tests.brokers.etrade.emulated import CONSUMER_KEY, CONSUMER_SECRET

runner = CliRunner()


@pytest.fixture
def emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[ETradeEmulator]:
    with etrade_emulator(monkeypatch) as running:
        yield running


def test_connect_etrade_in_the_terminal(
    emulator: ETradeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    codes: list[str] = []
    monkeypatch.setattr(oauth_connect, "browser_available", lambda: True)
    monkeypatch.setattr(oauth_connect.webbrowser, "open", lambda url: codes.append(approve(url)))
    monkeypatch.setattr(oauth_connect.typer, "prompt", lambda text: codes[-1])
    assert runner.invoke(app, ["users", "create", "erin"]).exit_code == 0
    keys = ["-c", f"consumer_key={CONSUMER_KEY}", "-c", f"consumer_secret={CONSUMER_SECRET}"]
    result = runner.invoke(app, ["connect", "etrade", "--user", "erin", *keys])
    assert result.exit_code == 0, result.output
    assert "/e/t/etws/authorize?key=" in result.output
    assert "Connected etrade account" in result.output
    assert "Connection test:" in result.output
    assert CONSUMER_SECRET not in result.output
    listed = runner.invoke(app, ["accounts", "--user", "erin"])
    assert "connected" in listed.output


def test_connect_without_application_keys_says_which_variable(emulator: ETradeEmulator) -> None:
    runner.invoke(app, ["users", "create", "finn"])
    result = runner.invoke(app, ["connect", "etrade", "--user", "finn", "--prod"])
    assert result.exit_code == 1
    assert "BROKERHUB_ETRADE_CONSUMER_KEY" in result.output
