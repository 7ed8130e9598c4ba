"""G8: ingest 1,000,000 transactions into PostgreSQL through the store vs asyncpg COPY.

Measured: rows/s of brokerhub's ``store.repos.transactions.insert_new`` (what sync calls:
dedupe on the natural key, returns the new transactions, one transaction) taking core
Transaction models, and of an idempotent re-ingest of the same rows (all duplicates).
Peers, same run, same migrated schema (the unique key included): asyncpg
``copy_records_to_table`` of pre-built records (the store's own stored form, so both sides
write identical rows), and for the re-ingest COPY into a temporary staging table then
``INSERT ... SELECT ... ON CONFLICT DO NOTHING``. Goal: hub >= 0.8x each.
Every run uses a throwaway database on the server at ``BROKERHUB_BENCH_POSTGRES_URL``
(default ``postgresql://postgres@127.0.0.1:5432/test``), dropped afterwards. Both sides pin
their server backend to :data:`SERVER_CPU` (this process runs on the other) and take a
``CHECKPOINT`` before each timed ingest, so neither inherits the other's dirty pages or
meets a checkpoint the other did not (with 1M rows of WAL a run otherwise may or may not).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from sqlalchemy import event, make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.harness import (
    RUNS,
    BenchResult,
    Figures,
    interleave,
    main,
    pin_process,
    pin_self,
    timed,
)
from bench.ingest_data import (
    FULL_ROWS,
    hub_figures,
    ingest_figures,
    ingest_result,
    make_connection,
    make_transactions,
    peer_rows,
)
from brokerhub.core.portfolio import Transaction
from brokerhub.store.engine import create_engine, migrate
from brokerhub.store.repos.transaction_rows import COLUMNS

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"


def server_url() -> str:
    """Return the PostgreSQL server's URL (a loopback address)."""
    return os.environ.get("BROKERHUB_BENCH_POSTGRES_URL", DEFAULT_URL)


@asynccontextmanager
async def throwaway_database() -> AsyncIterator[str]:
    """Create an empty, migrated database; yield its asyncpg-style URL; drop it on exit."""
    base = make_url(server_url())
    name = f"bench_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(base.render_as_string(hide_password=False))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = base.set(database=name).render_as_string(hide_password=False)
        try:
            await migrate(url.replace("postgresql://", "postgresql+asyncpg://", 1))
            yield url
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def _pin_backends(engine: AsyncEngine) -> None:
    """Pin the server backend of every connection ``engine`` opens to the server CPU."""

    @event.listens_for(engine.sync_engine, "connect")
    def pin(dbapi_connection: Any, _record: object) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT pg_backend_pid()")
        pin_process(cursor.fetchone()[0])
        cursor.close()


async def _hub(rows: Sequence[Transaction]) -> Figures:
    async with throwaway_database() as url:
        engine = create_engine(url.replace("postgresql://", "postgresql+asyncpg://", 1))
        _pin_backends(engine)

        async def checkpoint() -> None:
            async with engine.connect() as connection:
                await connection.exec_driver_sql("CHECKPOINT")

        try:
            return await hub_figures(engine, rows, before_each=checkpoint)
        finally:
            await engine.dispose()


async def _peer(rows: Sequence[Transaction]) -> Figures:
    async with throwaway_database() as url:
        engine = create_engine(url.replace("postgresql://", "postgresql+asyncpg://", 1))
        try:
            records = peer_rows(engine, await make_connection(engine), rows)
        finally:
            await engine.dispose()
        connection = await asyncpg.connect(url)
        try:
            pin_process(await connection.fetchval("SELECT pg_backend_pid()"))
            await connection.execute("CHECKPOINT")
            with timed() as first:
                async with connection.transaction():
                    await connection.copy_records_to_table(
                        "transactions", records=records, columns=COLUMNS
                    )
            await connection.execute("CHECKPOINT")
            with timed() as again:
                async with connection.transaction():
                    await connection.execute(
                        "CREATE TEMP TABLE staging (LIKE transactions INCLUDING DEFAULTS)"
                        " ON COMMIT DROP"
                    )
                    await connection.copy_records_to_table(
                        "staging", records=records, columns=COLUMNS
                    )
                    columns = ", ".join(COLUMNS)
                    status = await connection.execute(
                        f"INSERT INTO transactions ({columns}) SELECT {columns} FROM staging"  # noqa: S608
                        " ON CONFLICT (connection_id, transaction_id) DO NOTHING"
                    )
        finally:
            await connection.close()
    if status != "INSERT 0 0":
        raise AssertionError(f"peer re-ingest: {status}")
    return ingest_figures(len(rows), first[0].wall, again[0].wall, first[0].cpu)


def run(*, scale: float = 1.0, runs: int = RUNS) -> BenchResult:
    """Ingest 1M transactions into PostgreSQL through the store and through asyncpg COPY."""
    pin_self()
    count = max(1, round(FULL_ROWS * scale))
    rows = make_transactions(count)
    medians = interleave(
        {"asyncpg_copy": lambda: asyncio.run(_peer(rows)), "hub": lambda: asyncio.run(_hub(rows))},
        runs,
    )
    return ingest_result(
        name="G8 PostgreSQL ingest",
        goal=">= 0.8x asyncpg COPY and >= 0.8x COPY->staging->ON CONFLICT",
        peer_name="asyncpg_copy",
        medians=medians,
        notes=[
            f"{count:,} rows, {runs} runs each, interleaved, medians; "
            "PostgreSQL on 127.0.0.1: each side's backend pinned to the server CPU, a "
            "CHECKPOINT before each timed ingest"
        ],
    )


if __name__ == "__main__":
    main(run)
