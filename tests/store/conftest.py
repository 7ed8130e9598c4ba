"""Store fixtures: every test runs on SQLite and on PostgreSQL.

Each database is migrated once per test session; each test then runs inside an outer
transaction that is rolled back, so tests never see each other's rows. Migration tests get an
empty database of their own.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from brokerhub.store.engine import create_engine, migrate
from brokerhub.store.enums import Environment
from brokerhub.store.models import ConnectionRow, UserRow
from brokerhub.store.repos import connections, users
from tests.conftest import POSTGRES_URL, require_service

DIALECTS = ["sqlite", "postgresql"]


async def _postgres_admin(statement: str) -> None:
    engine = create_async_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


def _fresh_postgres_database() -> str:
    """Create an empty database on the test server and return its URL (skip if unreachable)."""
    name = f"brokerhub_store_{uuid.uuid4().hex[:12]}"
    try:
        asyncio.run(_postgres_admin(f'CREATE DATABASE "{name}"'))
    except (OSError, ConnectionError) as exc:
        require_service("postgresql", f"cannot reach {POSTGRES_URL}: {exc}")
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database(url: str) -> None:
    name = make_url(url).database
    asyncio.run(_postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_migrated_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Return the URL of a SQLite file migrated to head, shared by the session."""
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('store') / 'store.db'}"
    asyncio.run(migrate(url))
    return url


@pytest.fixture(scope="session")
def postgresql_migrated_url() -> Iterator[str]:
    """Return the URL of a PostgreSQL database migrated to head, shared by the session."""
    url = _fresh_postgres_database()
    try:
        asyncio.run(migrate(url))
        yield url
    finally:
        _drop_postgres_database(url)


@pytest.fixture(params=DIALECTS)
def db_url(request: pytest.FixtureRequest) -> str:
    """Return a migrated database URL, once per dialect."""
    url: str = request.getfixturevalue(f"{request.param}_migrated_url")
    return url


@pytest.fixture(params=DIALECTS)
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Return the URL of an empty database of this test's own, once per dialect."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'db' / 'empty.db'}"
        return
    url = _fresh_postgres_database()
    try:
        yield url
    finally:
        _drop_postgres_database(url)


@pytest.fixture
async def session(db_url: str) -> AsyncIterator[AsyncSession]:
    """Return a session whose work is rolled back after the test (commits become savepoints)."""
    engine = create_engine(db_url)
    try:
        async with engine.connect() as connection:
            outer = await connection.begin()
            async with AsyncSession(
                bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
            ) as db:
                yield db
            await outer.rollback()
    finally:
        await engine.dispose()


@pytest.fixture
async def user(session: AsyncSession) -> UserRow:
    """Return a stored user."""
    return await users.create(session, name="alice")


@pytest.fixture
async def connection(session: AsyncSession, user: UserRow) -> ConnectionRow:
    """Return a stored, connected paper connection of ``user``."""
    row = await connections.create(
        session, user_id=user.id, brokerage_name="paper", environment=Environment.PAPER
    )
    connected = await connections.mark_connected(
        session, connection_id=row.id, account_id="PA-1", account_name="Paper"
    )
    assert connected is not None
    return connected
