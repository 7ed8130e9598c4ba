"""``brokerhub secrets rotate``: re-encrypt every stored credential under the newest key."""

from __future__ import annotations

import anyio
import typer
from sqlalchemy import select

from brokerhub.auth.vault import Vault
from brokerhub.cli.runner import console, err_console
from brokerhub.config import get_settings
from brokerhub.errors import BrokerHubError
from brokerhub.store import create_engine, create_session_factory, migrate
from brokerhub.store.models import ConnectionRow
from brokerhub.store.repos import connections as connection_repo

secrets_app = typer.Typer(help="Manage the vault that encrypts broker credentials.")


async def rotate_all() -> int:
    """Re-encrypt every connection's credentials under the newest key; return how many.

    One transaction: either every connection is rotated or none is. Connections keep
    working throughout, since the old keys still decrypt until they are dropped.

    Raises:
        ConfigurationError: naming the connection whose credentials no key opens.
    """
    settings = get_settings()
    url = settings.effective_database_url
    await migrate(url)
    engine = create_engine(url)
    vault = Vault.from_settings(settings)
    try:
        async with create_session_factory(engine).begin() as session:
            rows = await session.scalars(
                select(ConnectionRow).where(ConnectionRow.credentials_encrypted.is_not(None))
            )
            count = 0
            for row in list(rows):
                assert row.credentials_encrypted is not None  # noqa: S101 - filtered above
                sealed = vault.rotate(
                    row.credentials_encrypted,
                    owner=f"connection {row.id} ({row.brokerage_name})",
                )
                await connection_repo.set_credentials(
                    session, connection_id=row.id, credentials_encrypted=sealed
                )
                count += 1
    finally:
        await engine.dispose()
    return count


@secrets_app.command("rotate")
def rotate() -> None:
    """Re-encrypt all credentials under the first key of BROKERHUB_SECRET_KEYS."""
    try:
        count = anyio.run(rotate_all)
    except BrokerHubError as exc:
        err_console.print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(1) from None
    console.print(f"Re-encrypted the credentials of {count} connection(s) under the newest key.")
