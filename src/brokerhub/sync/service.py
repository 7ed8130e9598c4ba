"""Sync one account: pull, normalise, store idempotently, and record the run.

Positions and the balance are snapshots replaced per account. Transactions are upserted by
(connection, broker transaction id), so a second sync of the same data changes nothing. The
first sync pulls the whole history; later ones pull from a week before the last sync, so late
postings are caught and duplicates are impossible.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from brokerhub.config import Settings
from brokerhub.connections.pool import BrokerPool
from brokerhub.connections.service import ConnectionService
from brokerhub.core.clock import utcnow
from brokerhub.errors import BrokerHubError, RateLimited
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
    """Sync accounts, at most once per interval unless forced (the seed's limit)."""

    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        connections: ConnectionService,
        pool: BrokerPool,
        settings: Settings,
    ) -> None:
        self._sessions = sessions
        self._connections = connections
        self._pool = pool
        self._settings = settings

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
        try:
            balance = await adapter.balance(account_id)
            positions = await adapter.positions(account_id)
            transactions = await adapter.transactions(account_id, start=since)
        except BrokerHubError as exc:
            async with self._sessions.begin() as session:
                await sync_run_repo.fail(session, run_id=run.id, error=exc.message)
                await connection_repo.mark_error(session, connection_id=row.id, error=exc.message)
            log.warning("sync_failed", connection_id=str(row.id), error=type(exc).__name__)
            raise
        async with self._sessions.begin() as session:
            await position_repo.replace_snapshot(session, connection_id=row.id, positions=positions)
            new_count = await transaction_repo.upsert_many(
                session, connection_id=row.id, transactions=transactions
            )
            await connection_repo.update_balance(session, connection_id=row.id, balance=balance)
            await connection_repo.mark_synced(session, connection_id=row.id, at=utcnow())
            await sync_run_repo.finish(
                session,
                run_id=run.id,
                positions_count=len(positions),
                transactions_count=len(transactions),
                new_transactions_count=new_count,
            )
        log.info("synced", connection_id=str(row.id), positions=len(positions), new=new_count)
        return SyncResult(
            sync_run_id=run.id,
            portfolio_count=len(positions),
            transactions_count=len(transactions),
            new_transactions_count=new_count,
        )
