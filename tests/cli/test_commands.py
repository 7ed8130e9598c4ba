"""The CLI through Typer's runner, on the isolated data folder."""

from __future__ import annotations

import json
from decimal import Decimal

from typer.testing import CliRunner

from brokerhub.cli.main import app

runner = CliRunner()


def invoke(*args: str, stdin: str | None = None) -> str:
    result = runner.invoke(app, list(args), input=stdin)
    assert result.exit_code == 0, result.output
    return result.output


def test_users_keys_connect_trade_sync_and_list() -> None:
    user = json.loads(invoke("users", "create", "carol", "--json"))
    assert user["name"] == "carol"
    assert isinstance(user["user_id"], int)
    key = json.loads(invoke("keys", "create", "--user", "carol", "--json"))
    assert key["key"].startswith("bh_")
    listed = json.loads(invoke("keys", "list", "--user", "carol", "--json"))
    assert [k["prefix"] for k in listed] == [key["key"].split("_")[1]]
    assert key["key"] not in json.dumps(listed)

    assert "Connected paper account" in invoke("connect", "paper", "--user", "carol")
    output = invoke("buy", "AAPL", "10", "--preview", "--user", "carol", stdin="y\n")
    assert "Order preview" in output
    assert "FILLED" in output

    synced = invoke("sync", "--user", "carol", "--force")
    assert "1 positions" in synced

    positions = json.loads(invoke("positions", "--user", "carol", "--json"))
    assert [(p["instrument"]["symbol"], Decimal(str(p["quantity"]))) for p in positions] == [
        ("AAPL", Decimal(10))
    ]
    assert "AAPL" in invoke("positions", "--user", "carol")

    accounts = json.loads(invoke("accounts", "--user", "carol", "--json"))
    assert [a["brokerage_name"] for a in accounts] == ["paper"]
    assert "paper" in invoke("accounts", "--user", "carol")

    buys = json.loads(invoke("transactions", "--user", "carol", "--type", "buy", "--json"))
    assert [t["symbol"] for t in buys] == ["AAPL"]
    quotes = json.loads(invoke("quote", "AAPL", "MSFT", "--user", "carol", "--json"))
    assert [q["symbol"] for q in quotes] == ["AAPL", "MSFT"]


def test_declined_preview_places_nothing() -> None:
    invoke("users", "create", "dave")
    invoke("connect", "paper", "--user", "dave")
    output = invoke("buy", "AAPL", "1", "--preview", "--user", "dave", stdin="n\n")
    assert "Not placed." in output
    assert json.loads(invoke("orders", "--user", "dave", "--json")) == []


def test_errors_are_messages_not_tracebacks() -> None:
    result = runner.invoke(app, ["positions", "--user", "nobody"])
    assert result.exit_code == 1
    assert "No user named 'nobody'" in result.output
    invoke("users", "create", "erin")
    duplicate = runner.invoke(app, ["users", "create", "erin"])
    assert duplicate.exit_code == 1
    assert "already exists" in duplicate.output
    unsupported = runner.invoke(app, ["connect", "nowhere", "--user", "erin"])
    assert "Brokerage nowhere is not supported" in unsupported.output
