"""Market data endpoints through an account's broker."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import Query

from brokerhub.api.convert import (
    bar_public,
    option_quote_public,
    quote_public,
    symbol_match_public,
)
from brokerhub.api.deps import CurrentUser, HubDep
from brokerhub.api.responses import EnvelopeResponse
from brokerhub.api.routing import SlashOptionalRouter
from brokerhub.api.schemas.common import DataSource
from brokerhub.api.schemas.marketdata import (
    BarsResponse,
    ChainResponse,
    ExpirationsResponse,
    QuotesResponse,
    SymbolSearchResponse,
)
from brokerhub.core.marketdata import Timeframe

router = SlashOptionalRouter(
    prefix="/brokerage_integrations/brokerages/accounts/{account_id}", tags=["market data"]
)


@router.get("/quotes/", response_model=QuotesResponse)
async def quotes(
    account_id: str,
    user: CurrentUser,
    hub: HubDep,
    symbols: Annotated[str, Query(description="Comma-separated, e.g. AAPL,MSFT")],
) -> EnvelopeResponse:
    """Return the latest quotes live from the broker."""
    result = await hub.marketdata.quotes(
        user_id=user.id, connection_id=account_id, symbols=symbols.split(",")
    )
    return EnvelopeResponse(QuotesResponse(quotes=[quote_public(q) for q in result]))


@router.get("/bars/", response_model=BarsResponse)
async def bars(
    account_id: str,
    user: CurrentUser,
    hub: HubDep,
    symbol: str,
    start: datetime,
    end: datetime,
    timeframe: Timeframe = Timeframe.DAY,
) -> EnvelopeResponse:
    """Return OHLCV bars; start and end are ISO datetimes with a timezone."""
    result = await hub.marketdata.bars(
        user_id=user.id,
        connection_id=account_id,
        symbol=symbol,
        timeframe=timeframe,
        start=start,
        end=end,
    )
    return EnvelopeResponse(
        BarsResponse(
            symbol=symbol.upper(), timeframe=timeframe.value, bars=[bar_public(b) for b in result]
        )
    )


@router.get("/options/expirations/", response_model=ExpirationsResponse)
async def expirations(
    account_id: str, user: CurrentUser, hub: HubDep, symbol: str
) -> EnvelopeResponse:
    """Return the option expirations of a symbol."""
    result = await hub.marketdata.expirations(
        user_id=user.id, connection_id=account_id, symbol=symbol
    )
    return EnvelopeResponse(ExpirationsResponse(symbol=symbol.upper(), expirations=result))


@router.get("/options/chain/", response_model=ChainResponse)
async def chain(
    account_id: str, user: CurrentUser, hub: HubDep, symbol: str, expiration: date
) -> EnvelopeResponse:
    """Return calls and puts of one expiration with quotes and Greeks."""
    result = await hub.marketdata.chain(
        user_id=user.id, connection_id=account_id, symbol=symbol, expiration=expiration
    )
    return EnvelopeResponse(
        ChainResponse(
            symbol=result.underlying,
            expiration=result.expiration,
            underlying_price=result.underlying_price,
            calls=[option_quote_public(q) for q in result.calls],
            puts=[option_quote_public(q) for q in result.puts],
            as_of=result.as_of,
            source=DataSource.LIVE,
        )
    )


@router.get("/symbols/search/", response_model=SymbolSearchResponse)
async def search(account_id: str, user: CurrentUser, hub: HubDep, q: str) -> EnvelopeResponse:
    """Search symbols by ticker or name."""
    result = await hub.marketdata.search(user_id=user.id, connection_id=account_id, query=q)
    return EnvelopeResponse(SymbolSearchResponse(results=[symbol_match_public(m) for m in result]))
