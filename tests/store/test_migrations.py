"""Migrations: upgrade an empty database to head, match the models exactly, downgrade to base."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect

from brokerhub.store.base import Base
from brokerhub.store.engine import create_engine, downgrade, migrate

TABLES = {
    "alembic_version",
    "api_keys",
    "audit_log",
    "connections",
    "oauth_handshakes",
    "orders",
    "positions",
    "sync_runs",
    "transactions",
    "users",
    "webhook_deliveries",
    "webhook_events",
    "webhooks",
}


def _drift(connection: Connection) -> list[object]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "compare_server_default": True}
    )
    diff: list[object] = compare_metadata(context, Base.metadata)
    return diff


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def test_upgrade_matches_models_and_downgrade_empties(empty_db_url: str) -> None:
    await migrate(empty_db_url)
    await migrate(empty_db_url)  # a second start finds nothing to do
    engine = create_engine(empty_db_url)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(_tables) == TABLES
            assert await connection.run_sync(_drift) == []
        await downgrade(empty_db_url, revision="base")
        async with engine.connect() as connection:
            assert await connection.run_sync(_tables) == {"alembic_version"}
        await migrate(empty_db_url)  # and back up again from base
        async with engine.connect() as connection:
            assert await connection.run_sync(_drift) == []
    finally:
        await engine.dispose()


async def test_sqlite_engine_sets_pragmas_and_creates_folder(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/deep/er/hub.db"
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            foreign_keys = (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar()
            journal = (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar()
        assert foreign_keys == 1
        assert journal == "wal"
    finally:
        await engine.dispose()
