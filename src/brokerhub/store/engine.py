"""Engines, sessions and migrations.

SQLite connections get ``foreign_keys=ON`` (cascades work) and WAL (readers do not block the
writer), and issue their own ``BEGIN`` so transactions, savepoints and DDL behave as they do on
PostgreSQL. Write transactions (``sessions.begin()``) start with ``BEGIN IMMEDIATE``: a deferred
transaction that reads, then writes after another connection committed cannot wait for the
lock (WAL's snapshot rule) and fails at once with "database is locked", which made concurrent
syncs fail; an immediate one takes the write lock up front, waiting up to
:data:`SQLITE_BUSY_TIMEOUT_SECONDS` for the writer before it. Reads (``sessions()``) stay
deferred and never wait. Nothing here runs at import time.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, event, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine
from sqlalchemy.ext.asyncio.session import _AsyncSessionContextManager

MIGRATIONS_LOCATION = "brokerhub.store:migrations"
SQLITE_BUSY_TIMEOUT_SECONDS = 30.0
WRITE_TRANSACTION = "brokerhub_write_transaction"
"""Execution option of the engine that write sessions are bound to."""
# An arbitrary constant that names brokerhub's migration lock among PostgreSQL advisory locks.
MIGRATION_LOCK_ID = 0x62726F6B


def create_engine(url: str | URL, *, echo: bool = False) -> AsyncEngine:
    """Return an async engine for ``url``, creating a SQLite file's folder if needed.

    Args:
        url: an async SQLAlchemy URL (``sqlite+aiosqlite://`` or ``postgresql+asyncpg://``).
        echo: log every statement (debugging only).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return _create_async_engine(parsed, echo=echo, pool_pre_ping=True)
    database = parsed.database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = _create_async_engine(
        parsed, echo=echo, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
    )
    event.listen(engine.sync_engine, "connect", _configure_sqlite)
    event.listen(engine.sync_engine, "begin", _begin_sqlite)
    return engine


def _configure_sqlite(dbapi_connection: Any, _record: object) -> None:
    # Stop the driver's own implicit BEGIN; _begin_sqlite emits it for every transaction.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _begin_sqlite(connection: Connection) -> None:
    write = connection.get_execution_options().get(WRITE_TRANSACTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


class SessionFactory(async_sessionmaker[AsyncSession]):
    """Sessions for reads (``sessions()``) and write transactions (``sessions.begin()``)."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(engine, expire_on_commit=False)
        self._writer = engine.execution_options(**{WRITE_TRANSACTION: True})

    def begin(self) -> _AsyncSessionContextManager[AsyncSession]:
        """Return a session in a write transaction that commits when the block ends."""
        session = self(bind=self._writer)
        return session._maker_context_manager()


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Return the session factory for ``engine``; objects stay readable after commit."""
    return SessionFactory(engine)


async def migrate(url: str | URL, *, revision: str = "head") -> None:
    """Upgrade the database at ``url`` to ``revision``; safe to call on every start.

    On PostgreSQL an advisory lock serialises processes that start at the same time.
    """
    await _run_alembic(url, lambda config: command.upgrade(config, revision))


async def downgrade(url: str | URL, *, revision: str) -> None:
    """Downgrade the database at ``url`` to ``revision`` (``"base"`` drops every table)."""
    await _run_alembic(url, lambda config: command.downgrade(config, revision))


def alembic_config(connection: Connection) -> Config:
    """Return an Alembic config (no alembic.ini) that migrates over ``connection``."""
    config = Config()
    config.set_main_option("script_location", MIGRATIONS_LOCATION)
    config.attributes["connection"] = connection
    return config


async def _run_alembic(url: str | URL, step: Callable[[Config], None]) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                await connection.execute(
                    text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID}
                )
            await connection.run_sync(lambda sync: step(alembic_config(sync)))
    finally:
        await engine.dispose()
