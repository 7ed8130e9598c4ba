"""Quote, bar, option and symbol-search bodies."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel

from brokerhub.api.schemas.common import Envelope, Fresh
from brokerhub.api.schemas.portfolio import GreeksPublic


class QuotePublic(Fresh):
    """Top of book and last trade."""

    symbol: str
    bid: Decimal | None
    ask: Decimal | None
    last: Decimal | None
    bid_size: Decimal | None
    ask_size: Decimal | None
    volume: Decimal | None


class QuotesResponse(Envelope):
    """``GET accounts/{id}/quotes/?symbols=``."""

    quotes: list[QuotePublic]


class BarPublic(BaseModel):
    """One OHLCV bar."""

    start: datetime
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal


class BarsResponse(Envelope):
    """``GET accounts/{id}/bars/``."""

    symbol: str
    timeframe: str
    bars: list[BarPublic]


class ExpirationsResponse(Envelope):
    """``GET accounts/{id}/options/expirations/``."""

    symbol: str
    expirations: list[date]


class OptionQuotePublic(BaseModel):
    """One contract in a chain."""

    symbol: str
    strike: Decimal
    option_type: str
    bid: Decimal | None
    ask: Decimal | None
    last: Decimal | None
    open_interest: int | None
    volume: Decimal | None
    greeks: GreeksPublic | None


class ChainResponse(Envelope, Fresh):
    """``GET accounts/{id}/options/chain/``."""

    symbol: str
    expiration: date
    underlying_price: Decimal | None
    calls: list[OptionQuotePublic]
    puts: list[OptionQuotePublic]


class SymbolMatchPublic(BaseModel):
    """A symbol search hit."""

    symbol: str
    description: str
    asset_class: str


class SymbolSearchResponse(Envelope):
    """``GET accounts/{id}/symbols/search/?q=``."""

    results: list[SymbolMatchPublic]
