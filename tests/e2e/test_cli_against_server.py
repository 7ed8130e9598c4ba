"""The CLI against a running server (`--url` and `--key`), not the local database."""

from __future__ import annotations

import json
from decimal import Decimal

from typer.testing import CliRunner

from brokerhub.cli.main import app
from tests.e2e.served import Served

runner = CliRunner()


def remote(server: Served, *args: str, stdin: str | None = None) -> str:
    result = runner.invoke(app, ["--url", server.base, "--key", server.key, *args], input=stdin)
    assert result.exit_code == 0, result.output
    return result.output


def test_cli_drives_a_running_server(server: Served) -> None:
    [account] = json.loads(remote(server, "accounts", "--json"))
    assert account["brokerage_name"] == "paper"
    held = json.loads(remote(server, "positions", "--json"))
    assert sorted(p["instrument"]["symbol"] for p in held) == ["AAPL", "MSFT", "NVDA", "SPY"]

    output = remote(
        server, "buy", "AAPL", "3", "--limit", "1.00", "--term", "GTC", "--preview", stdin="y\n"
    )
    assert "Order preview" in output
    open_orders = [
        o for o in json.loads(remote(server, "orders", "--json")) if o["status"] == "OPEN"
    ]
    assert [(o["limit_price"], o["time_in_force"]) for o in open_orders] == [(1.00, "GTC")]
    assert "CANCELLED" in remote(server, "cancel", open_orders[0]["order_id"])

    balance = json.loads(remote(server, "balance", "--json"))
    assert Decimal(str(balance["cash"])) < 100000
    buys = json.loads(remote(server, "transactions", "--type", "buy", "--json"))
    assert {t["symbol"] for t in buys} == {"AAPL", "MSFT", "NVDA", "SPY"}
    assert "4 positions" in remote(server, "sync", "--force")
    quotes = json.loads(remote(server, "quote", "AAPL", "--json"))
    assert quotes[0]["symbol"] == "AAPL"


def test_a_wrong_key_is_a_clear_message(server: Served) -> None:
    result = runner.invoke(app, ["--url", server.base, "--key", "bh_00000000_x", "accounts"])
    assert result.exit_code == 1
    assert "Authentication failed" in result.output


def test_an_unreachable_server_is_a_clear_message() -> None:
    result = runner.invoke(app, ["--url", "http://127.0.0.1:9", "--key", "k", "accounts"])
    assert result.exit_code == 1
    assert "cannot reach the server" in result.output
