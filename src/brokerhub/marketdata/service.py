"""Market data through the broker of one of the user's connections."""

from __future__ import annotations

from datetime import date, datetime

from brokerhub.brokers.base import Broker
from brokerhub.connections.pool import BrokerPool
from brokerhub.connections.service import ConnectionService
from brokerhub.core.marketdata import Bar, OptionChain, Quote, SymbolMatch, Timeframe
from brokerhub.errors import ValidationFailed

MAX_QUOTE_SYMBOLS = 50


class MarketDataService:
    """Quotes, bars, expirations, chains and symbol search, owner-checked."""

    def __init__(self, *, connections: ConnectionService, pool: BrokerPool) -> None:
        self._connections = connections
        self._pool = pool

    async def _adapter(self, user_id: int, connection_id: str) -> Broker:
        row = await self._connections.get(user_id=user_id, connection_id=connection_id)
        return self._pool.adapter_for(row)

    async def quotes(self, *, user_id: int, connection_id: str, symbols: list[str]) -> list[Quote]:
        """Return the latest quote of each symbol (at most 50)."""
        cleaned = [symbol.strip().upper() for symbol in symbols if symbol.strip()]
        if not cleaned:
            raise ValidationFailed("symbols: give at least one symbol")
        if len(cleaned) > MAX_QUOTE_SYMBOLS:
            raise ValidationFailed(f"symbols: at most {MAX_QUOTE_SYMBOLS} per request")
        return await (await self._adapter(user_id, connection_id)).quotes(cleaned)

    async def bars(
        self,
        *,
        user_id: int,
        connection_id: str,
        symbol: str,
        timeframe: Timeframe,
        start: datetime,
        end: datetime,
    ) -> list[Bar]:
        """Return bars of ``symbol`` in [start, end]."""
        if end <= start:
            raise ValidationFailed("end: must be after start")
        adapter = await self._adapter(user_id, connection_id)
        return await adapter.bars(symbol.strip().upper(), timeframe, start, end)

    async def expirations(self, *, user_id: int, connection_id: str, symbol: str) -> list[date]:
        """Return the option expirations of ``symbol``."""
        adapter = await self._adapter(user_id, connection_id)
        return await adapter.option_expirations(symbol.strip().upper())

    async def chain(
        self, *, user_id: int, connection_id: str, symbol: str, expiration: date
    ) -> OptionChain:
        """Return the option chain of one expiration."""
        adapter = await self._adapter(user_id, connection_id)
        return await adapter.option_chain(symbol.strip().upper(), expiration)

    async def search(self, *, user_id: int, connection_id: str, query: str) -> list[SymbolMatch]:
        """Return symbols matching ``query``."""
        if not query.strip():
            raise ValidationFailed("q: give a search text")
        return await (await self._adapter(user_id, connection_id)).search_symbols(query.strip())
