"""The vault at rest: no plaintext in the database file, rotation, a clear wrong-key error."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest
from cryptography.fernet import Fernet
from typer.testing import CliRunner

from brokerhub.auth.vault import Vault
from brokerhub.cli.main import app
from brokerhub.config import get_settings
from brokerhub.errors import ConfigurationError
from brokerhub.hub import Hub

SECRET = "consumer-secret-0123456789"


async def connect_paper() -> str:
    async with Hub() as hub:
        user = await hub.users.create_user(name="alice")
        [row] = await hub.connections.connect(
            user_id=user.id, brokerage_name="paper", credentials={"api_secret": SECRET}
        )
        return str(row.id)


async def first_balance() -> None:
    async with Hub() as hub:
        user = await hub.users.get_user(name="alice")
        [row] = await hub.connections.list(user_id=user.id)
        await hub.connections.live_balance(user_id=user.id, connection_id=str(row.id))


def test_secret_key_rotation_and_wrong_key(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv("BROKERHUB_SECRET_KEY", old)
    get_settings.cache_clear()
    connection_id = anyio.run(connect_paper)
    database = (isolated_home / "brokerhub.db").read_bytes()
    assert SECRET.encode() not in database

    monkeypatch.setenv("BROKERHUB_SECRET_KEYS", f"{new},{old}")
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["secrets", "rotate"])
    assert result.exit_code == 0, result.output
    assert "1 connection" in result.output

    monkeypatch.delenv("BROKERHUB_SECRET_KEY")
    monkeypatch.setenv("BROKERHUB_SECRET_KEYS", new)
    get_settings.cache_clear()
    anyio.run(first_balance)

    monkeypatch.setenv("BROKERHUB_SECRET_KEYS", old)
    get_settings.cache_clear()
    with pytest.raises(ConfigurationError, match=f"connection {connection_id} \\(paper\\)"):
        anyio.run(first_balance)
    result = CliRunner().invoke(app, ["secrets", "rotate"])
    assert result.exit_code == 1
    assert connection_id in result.output


def test_key_file_is_private(isolated_home: Path) -> None:
    vault = Vault.from_settings(get_settings())
    assert (isolated_home / "secret.key").stat().st_mode & 0o777 == 0o600
    assert vault.decrypt(vault.encrypt({"a": "b"})) == {"a": "b"}
