"""The ingest dataset shared by G7 and G8: seeded synthetic transactions and a store to hold them.

The same N transactions are given to brokerhub as core :class:`Transaction` models (what a sync
hands the store) and to the peers as plain tuples already in the database's own form, built by
the store's own :func:`~brokerhub.store.repos.transaction_rows.stored_rows` so both sides write
identical values; both are built before any timing starts.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from bench.harness import BenchResult, Figures, ratio, timed
from brokerhub.core.clock import utcnow
from brokerhub.core.portfolio import Transaction, TransactionType
from brokerhub.store.engine import create_session_factory
from brokerhub.store.enums import Environment
from brokerhub.store.repos import connections, transactions, users
from brokerhub.store.repos.transaction_rows import stored_constants, stored_rows

FULL_ROWS = 1_000_000
SEED = 9
SYMBOLS = ("AAPL", "MSFT", "SPY", "NVDA", "AMZN", "GOOG", "META", "TSLA", "QQQ", "IWM")


def make_transactions(count: int, seed: int = SEED) -> list[Transaction]:
    """Return ``count`` deterministic buys, sells and dividends with unique broker ids."""
    rng = random.Random(seed)
    start = datetime(2024, 1, 2, 14, 30, tzinfo=UTC)
    kinds = (TransactionType.BUY, TransactionType.SELL, TransactionType.DIVIDEND)
    result = []
    for index in range(count):
        kind = kinds[index % 3]
        symbol = SYMBOLS[rng.randrange(len(SYMBOLS))]
        quantity = Decimal(rng.randrange(1, 500))
        price = Decimal(rng.randrange(1_000, 90_000)) / 100
        fees = Decimal(rng.randrange(0, 100)) / 100
        gross = quantity * price
        amount = -(gross + fees) if kind is TransactionType.BUY else gross - fees
        result.append(
            Transaction(
                transaction_id=f"T{index:09d}",
                account_id="BENCH-ACCOUNT",
                transaction_type=kind,
                symbol=symbol,
                quantity=quantity,
                price=price,
                amount=amount,
                fees=fees,
                description=f"{kind.value} {quantity} {symbol} @ {price}",
                transaction_date=start + timedelta(seconds=index * 7),
                order_id=f"O{index:09d}",
            )
        )
    return result


async def make_connection(engine: AsyncEngine) -> uuid.UUID:
    """Store a user and a paper connection in the migrated database; return the connection id."""
    async with create_session_factory(engine)() as session, session.begin():
        user = await users.create(session, name=f"bench-{uuid.uuid4().hex[:8]}")
        row = await connections.create(
            session, user_id=user.id, brokerage_name="paper", environment=Environment.PAPER
        )
        return row.id


async def hub_ingest(
    engine: AsyncEngine, connection_id: uuid.UUID, rows: Sequence[Transaction]
) -> int:
    """Ingest ``rows`` as sync does (``insert_new``, one transaction); return how many were new."""
    async with create_session_factory(engine)() as session, session.begin():
        new = await transactions.insert_new(session, connection_id=connection_id, transactions=rows)
        return len(new)


async def hub_figures(
    engine: AsyncEngine,
    rows: Sequence[Transaction],
    before_each: Callable[[], Awaitable[None]] | None = None,
) -> Figures:
    """Ingest ``rows`` into a new connection, then again (all duplicates); return the figures.

    ``before_each`` runs before each timed ingest (G8: a checkpoint, as on the peer's side).

    Raises:
        AssertionError: the first ingest did not store every row, or the second stored any.
    """
    connection_id = await make_connection(engine)
    if before_each is not None:
        await before_each()
    with timed() as first:
        new = await hub_ingest(engine, connection_id, rows)
    if before_each is not None:
        await before_each()
    with timed() as again:
        repeated = await hub_ingest(engine, connection_id, rows)
    if new != len(rows) or repeated != 0:
        raise AssertionError(f"hub stored {new} then {repeated} of {len(rows)}")
    return ingest_figures(len(rows), first[0].wall, again[0].wall, first[0].cpu)


def peer_rows(
    engine: AsyncEngine, connection_id: uuid.UUID, rows: Sequence[Transaction]
) -> list[tuple[Any, ...]]:
    """Return ``rows`` as the tuples ``engine``'s database stores (``transaction_rows.COLUMNS``)."""
    dialect = engine.dialect
    constants = stored_constants(connection_id=connection_id, created_at=utcnow(), dialect=dialect)
    return list(stored_rows(rows, constants=constants, dialect=dialect))


INGEST_GOAL = 0.8
"""Both ingest paths must reach 0.8x their peer."""


def ingest_figures(count: int, first: float, again: float, cpu: float) -> Figures:
    """Return rows/s of the first ingest and the all-duplicates re-ingest, and CPU per row."""
    return {
        "ingest_rows_per_s": count / first,
        "reingest_rows_per_s": count / again,
        "ingest_cpu_us_per_row": cpu / count * 1e6,
    }


def ingest_result(
    *, name: str, goal: str, peer_name: str, medians: dict[str, Figures], notes: list[str]
) -> BenchResult:
    """Return the result of an ingest benchmark: the hub against ``peer_name`` on both paths."""
    hub, peer = medians["hub"], medians[peer_name]
    ratios = {
        "ingest": ratio(hub["ingest_rows_per_s"], peer["ingest_rows_per_s"]),
        "reingest": ratio(hub["reingest_rows_per_s"], peer["reingest_rows_per_s"]),
    }
    return BenchResult(
        name=name,
        goal=goal,
        hub=hub,
        peers={peer_name: peer},
        ratios=ratios,
        passed=all(value >= INGEST_GOAL for value in ratios.values()),
        notes=notes,
    )
