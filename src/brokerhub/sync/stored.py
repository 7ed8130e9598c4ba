"""Read what the last sync stored: positions and transactions of an account."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from brokerhub.connections.service import ConnectionService
from brokerhub.core.portfolio import Position, TransactionType
from brokerhub.store.repos import positions as position_repo
from brokerhub.store.repos import transactions as transaction_repo
from brokerhub.store.repos.transactions import StoredTransaction


class StoredPortfolio:
    """Stored positions and transactions, owner-checked."""

    def __init__(
        self, *, sessions: async_sessionmaker[AsyncSession], connections: ConnectionService
    ) -> None:
        self._sessions = sessions
        self._connections = connections

    async def positions(self, *, user_id: int, connection_id: str) -> list[Position]:
        """Return the account's positions as of its last sync."""
        row = await self._connections.get(user_id=user_id, connection_id=connection_id)
        async with self._sessions() as session:
            return list(await position_repo.list_for_connection(session, connection_id=row.id))

    async def transactions(
        self,
        *,
        user_id: int,
        connection_id: str,
        start: datetime | None = None,
        end: datetime | None = None,
        types: frozenset[TransactionType] | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Sequence[StoredTransaction]:
        """Return stored transactions, newest first, filtered by date range and type."""
        row = await self._connections.get(user_id=user_id, connection_id=connection_id)
        async with self._sessions() as session:
            return await transaction_repo.list_for_connection(
                session,
                connection_id=row.id,
                start=start,
                end=end,
                types=types,
                limit=limit,
                offset=offset,
            )
