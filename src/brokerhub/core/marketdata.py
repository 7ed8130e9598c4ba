"""Quotes, bars and option chains."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import Field

from brokerhub.core.base import CoreModel, UtcDateTime
from brokerhub.core.instruments import OptionContract
from brokerhub.core.money import Amount
from brokerhub.core.portfolio import Greeks


class Quote(CoreModel):
    """The top of book and last trade of one symbol."""

    symbol: str
    bid: Amount | None = None
    ask: Amount | None = None
    last: Amount | None = None
    bid_size: Decimal | None = None
    ask_size: Decimal | None = None
    volume: Decimal | None = None
    as_of: UtcDateTime

    @property
    def mid(self) -> Decimal | None:
        """Return the midpoint of bid and ask, or None if either is missing."""
        if self.bid is None or self.ask is None:
            return None
        return (self.bid + self.ask) / 2


class Timeframe(StrEnum):
    """Bar sizes."""

    MINUTE = "1Min"
    FIVE_MINUTES = "5Min"
    FIFTEEN_MINUTES = "15Min"
    HOUR = "1Hour"
    DAY = "1Day"


TIMEFRAME_SECONDS = {
    Timeframe.MINUTE: 60,
    Timeframe.FIVE_MINUTES: 300,
    Timeframe.FIFTEEN_MINUTES: 900,
    Timeframe.HOUR: 3600,
    Timeframe.DAY: 86400,
}


class Bar(CoreModel):
    """One OHLCV bar; ``start`` is the bar's opening instant."""

    symbol: str
    timeframe: Timeframe
    start: UtcDateTime
    open: Amount
    high: Amount
    low: Amount
    close: Amount
    volume: Decimal


class OptionQuote(CoreModel):
    """One contract of a chain with its quote and Greeks."""

    contract: OptionContract
    symbol: str
    bid: Amount | None = None
    ask: Amount | None = None
    last: Amount | None = None
    open_interest: int | None = None
    volume: Decimal | None = None
    greeks: Greeks | None = None


class OptionChain(CoreModel):
    """Calls and puts of one underlying and expiration, sorted by strike."""

    underlying: str
    expiration: date
    underlying_price: Amount | None = None
    calls: list[OptionQuote] = Field(default_factory=list)
    puts: list[OptionQuote] = Field(default_factory=list)
    as_of: UtcDateTime


class SymbolMatch(CoreModel):
    """A symbol search hit."""

    symbol: str
    description: str
    asset_class: str
