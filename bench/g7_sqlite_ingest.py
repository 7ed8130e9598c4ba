"""G7: ingest 1,000,000 transactions into SQLite through the store vs plain ``sqlite3``.

Measured: rows/s of brokerhub's ``store.repos.transactions.insert_new`` (what sync calls:
dedupe on the natural key ``(connection_id, transaction_id)``, returns the new transactions,
WAL, one transaction) taking core Transaction models, and rows/s of an idempotent re-ingest of
the same rows (all duplicates).
Peer, same run, same migrated schema and pragmas (WAL, foreign keys on): ``sqlite3``
``executemany`` of pre-built tuples inside one ``BEGIN``/``COMMIT``, and ``INSERT OR IGNORE``
of the same tuples for the re-ingest. The tuples are the store's own stored form (Decimals as
text, SQLAlchemy's UTC datetime text), so both sides write identical rows; the hub converts
its models inside the timed block. Goal: hub >= 0.8x the peer on both.
"""

from __future__ import annotations

import asyncio
import sqlite3
import tempfile
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.harness import RUNS, BenchResult, Figures, interleave, main, pin_self, timed
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

_PLACEHOLDERS = ", ".join("?" * len(COLUMNS))
INSERT = f"INSERT INTO transactions ({', '.join(COLUMNS)}) VALUES ({_PLACEHOLDERS})"  # noqa: S608


async def _fresh_database(folder: Path) -> tuple[str, Path]:
    path = folder / f"{uuid.uuid4().hex}.db"
    url = f"sqlite+aiosqlite:///{path}"
    await migrate(url)
    return url, path


def _run_hub(folder: Path, rows: Sequence[Transaction]) -> Figures:
    async def body() -> Figures:
        url, path = await _fresh_database(folder)
        engine = create_engine(url)
        try:
            return await hub_figures(engine, rows)
        finally:
            await engine.dispose()
            path.unlink()

    return asyncio.run(body())


def _run_peer(folder: Path, rows: Sequence[Transaction]) -> Figures:
    async def prepare() -> tuple[Path, list[tuple[Any, ...]]]:
        url, path = await _fresh_database(folder)
        engine = create_engine(url)
        try:
            return path, peer_rows(engine, await make_connection(engine), rows)
        finally:
            await engine.dispose()

    path, tuples = asyncio.run(prepare())
    database = sqlite3.connect(path, isolation_level=None)
    try:
        database.execute("PRAGMA foreign_keys=ON")
        database.execute("PRAGMA journal_mode=WAL")
        with timed() as first:
            database.execute("BEGIN")
            database.executemany(INSERT, tuples)
            database.execute("COMMIT")
        with timed() as again:
            database.execute("BEGIN")
            cursor = database.executemany(INSERT.replace("INSERT", "INSERT OR IGNORE"), tuples)
            database.execute("COMMIT")
        if cursor.rowcount != 0:
            raise AssertionError(f"peer re-ingest inserted {cursor.rowcount}")
    finally:
        database.close()
    path.unlink()
    return ingest_figures(len(rows), first[0].wall, again[0].wall, first[0].cpu)


def run(*, scale: float = 1.0, runs: int = RUNS) -> BenchResult:
    """Ingest 1M transactions into SQLite through the store and through plain sqlite3."""
    pin_self()
    count = max(1, round(FULL_ROWS * scale))
    rows = make_transactions(count)
    with tempfile.TemporaryDirectory(prefix="bench-g7-") as tmp:
        folder = Path(tmp)
        medians = interleave(
            {"sqlite3": lambda: _run_peer(folder, rows), "hub": lambda: _run_hub(folder, rows)},
            runs,
        )
    return ingest_result(
        name="G7 SQLite ingest",
        goal=">= 0.8x sqlite3 executemany and >= 0.8x INSERT OR IGNORE",
        peer_name="sqlite3",
        medians=medians,
        notes=[f"{count:,} rows, {runs} runs each, interleaved, medians; file DB, WAL"],
    )


if __name__ == "__main__":
    main(run)
