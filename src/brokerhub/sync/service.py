"""Sync one account: pull, normalise, store idempotently, and record the run.

Positions and the balance are snapshots replaced per account. Transactions are upserted by
(connection, broker transaction id), so a second sync of the same data changes nothing. The
first sync pulls the whole history; later ones pull from a week before the last sync, so late
postings are caught and duplicates are impossible.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from brokerhub.config import Settings
from brokerhub.connections.pool import BrokerPool
from brokerhub.connections.service import ConnectionService
from brokerhub.core.clock import utcnow
from brokerhub.errors import AuthenticationFailed, BrokerHubError, RateLimited
from brokerhub.events import factory
from brokerhub.events.models import Event
from brokerhub.events.publisher import EventPublisher
from brokerhub.metrics import BROKER_REQUEST_SECONDS, SYNC_RUNS
from brokerhub.store.enums import ConnectionStatus
from brokerhub.store.repos import connections as connection_repo
from brokerhub.store.repos import positions as position_repo
from brokerhub.store.repos import sync_runs as sync_run_repo
from brokerhub.store.repos import transactions as transaction_repo

log = structlog.get_logger(__name__)

TRANSACTION_OVERLAP = timedelta(days=7)


@dataclass(frozen=True)
class SyncResult:
    """What one sync saw: positions held, transactions fetched, and how many were new."""

    sync_run_id: int
    portfolio_count: int
    transactions_count: int
    new_transactions_count: int


class SyncService:
    """Sync accounts, at most once per interval unless forced (the seed's limit).

    A sync publishes ``portfolio_update`` when the positions changed, one ``transaction``
    per new transaction and ``balance_change`` when the balance moved, in the transaction
    that stores them; ``connection_broken`` when a healthy connection fails and
    ``connection_repaired`` when a failing one syncs again.
    """

    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        connections: ConnectionService,
        pool: BrokerPool,
        settings: Settings,
        publisher: EventPublisher,
    ) -> None:
        self._sessions = sessions
        self._connections = connections
        self._pool = pool
        self._settings = settings
        self._publisher = publisher

    async def sync_account(
        self, *, user_id: int, connection_id: str, force: bool = False
    ) -> SyncResult:
        """Sync one of the user's accounts.

        Raises:
            RateLimited: the account was synced within the interval and ``force`` is False.
            BrokerHubError: the broker failed; the run and the connection record the error.
        """
        row = await self._connections.get(user_id=user_id, connection_id=connection_id)
        interval = timedelta(seconds=self._settings.sync_min_interval_seconds)
        if not force and row.last_sync is not None and utcnow() - row.last_sync < interval:
            wait = (row.last_sync + interval - utcnow()).total_seconds()
            raise RateLimited(
                f"Sync limit: 1 sync per hour per account. Try again in {int(wait // 60) + 1} "
                "minutes or use force_sync.",
                retry_after=wait,
            )
        async with self._sessions.begin() as session:
            run = await sync_run_repo.start(session, connection_id=row.id)
        adapter = self._pool.adapter_for(row)
        account_id = row.account_id or ""
        since = None if row.last_sync is None else row.last_sync - TRANSACTION_OVERLAP
        started = time.perf_counter()
        try:
            balance = await adapter.balance(account_id)
            positions = await adapter.positions(account_id)
            transactions = await adapter.transactions(account_id, start=since)
        except BrokerHubError as exc:
            SYNC_RUNS.labels(brokerage=row.brokerage_name, outcome="failed").inc()
            broken: list[Event] = []
            if row.status is not ConnectionStatus.ERROR:
                reauthorize = isinstance(exc, AuthenticationFailed)
                broken.append(factory.connection_broken(row, exc.message, reauthorize=reauthorize))
            async with self._sessions.begin() as session:
                await sync_run_repo.fail(session, run_id=run.id, error=exc.message)
                await connection_repo.mark_error(session, connection_id=row.id, error=exc.message)
                await self._publisher.stage(session, broken)
            await self._publisher.publish(broken)
            log.warning("sync_failed", connection_id=str(row.id), error=type(exc).__name__)
            raise
        BROKER_REQUEST_SECONDS.labels(brokerage=row.brokerage_name, operation="sync").observe(
            time.perf_counter() - started
        )
        events: list[Event] = []
        if row.status is ConnectionStatus.ERROR:
            events.append(factory.connection_repaired(row))
        async with self._sessions.begin() as session:
            counts = await position_repo.replace_snapshot(
                session, connection_id=row.id, positions=positions
            )
            new = await transaction_repo.insert_new(
                session, connection_id=row.id, transactions=transactions
            )
            new_count = len(new)
            if counts.any_change:
                events.append(factory.portfolio_update(row, positions, counts))
            events.extend(factory.transaction_event(row, transaction) for transaction in new)
            if (changed := factory.balance_change(row, balance)) is not None:
                events.append(changed)
            await connection_repo.update_balance(session, connection_id=row.id, balance=balance)
            await connection_repo.mark_synced(session, connection_id=row.id, at=utcnow())
            await sync_run_repo.finish(
                session,
                run_id=run.id,
                positions_count=len(positions),
                transactions_count=len(transactions),
                new_transactions_count=new_count,
            )
            await self._publisher.stage(session, events)
        await self._publisher.publish(events)
        SYNC_RUNS.labels(brokerage=row.brokerage_name, outcome="succeeded").inc()
        log.info("synced", connection_id=str(row.id), positions=len(positions), new=new_count)
        return SyncResult(
            sync_run_id=run.id,
            portfolio_count=len(positions),
            transactions_count=len(transactions),
            new_transactions_count=new_count,
        )
