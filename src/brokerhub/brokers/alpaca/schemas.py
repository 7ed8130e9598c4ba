"""Alpaca's wire models with Alpaca's own field names (Trading API v2, Market Data v2).

Fields follow alpaca-py (alpaca/trading/models.py, alpaca/data/mappings.py) and Alpaca's
docs. Trading numbers are decimal strings and market-data numbers JSON numbers; both are
read as Decimal (the HTTP layer parses JSON numbers as Decimal, never float). Unknown fields
are ignored here; the raw payload is kept by parse.py.
"""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


class AlpacaModel(BaseModel):
    """Base of the wire models: immutable, extra fields ignored."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)


class AlpacaError(AlpacaModel):
    """An error body: ``{"code": 40310000, "message": "..."}`` (401 has no code)."""

    code: int | None = None
    message: str = ""


class AlpacaAccount(AlpacaModel):
    """GET /v2/account."""

    id: str
    account_number: str
    status: str
    currency: str = "USD"
    cash: Decimal
    buying_power: Decimal
    regt_buying_power: Decimal | None = None
    daytrading_buying_power: Decimal | None = None
    portfolio_value: Decimal | None = None
    equity: Decimal
    long_market_value: Decimal = Decimal(0)
    short_market_value: Decimal = Decimal(0)
    maintenance_margin: Decimal | None = None
    multiplier: Decimal | None = None
    created_at: datetime | None = None


class AlpacaPosition(AlpacaModel):
    """One entry of GET /v2/positions; ``unrealized_plpc`` is a fraction (0.05 is 5 %)."""

    asset_id: str
    symbol: str
    asset_class: str
    avg_entry_price: Decimal
    qty: Decimal
    side: str
    market_value: Decimal | None = None
    cost_basis: Decimal
    unrealized_pl: Decimal | None = None
    unrealized_plpc: Decimal | None = None
    current_price: Decimal | None = None


class AlpacaOrder(AlpacaModel):
    """An order (and, for bracket/OTO/OCO/mleg, its ``legs`` when nested)."""

    id: str
    client_order_id: str
    created_at: datetime
    updated_at: datetime | None = None
    submitted_at: datetime | None = None
    filled_at: datetime | None = None
    canceled_at: datetime | None = None
    replaced_by: str | None = None
    replaces: str | None = None
    symbol: str | None = None
    asset_class: str | None = None
    qty: Decimal | None = None
    notional: Decimal | None = None
    filled_qty: Decimal = Decimal(0)
    filled_avg_price: Decimal | None = None
    order_class: str = "simple"
    type: str | None = None
    side: str | None = None
    position_intent: str | None = None
    time_in_force: str
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    trail_price: Decimal | None = None
    trail_percent: Decimal | None = None
    status: str
    legs: list[AlpacaOrder] | None = None


class AlpacaOrderRequest(AlpacaModel):
    """POST /v2/orders body; dumped without None fields, Decimals as strings."""

    symbol: str
    qty: Decimal
    side: str
    type: str
    time_in_force: str
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    trail_price: Decimal | None = None
    trail_percent: Decimal | None = None
    client_order_id: str
    position_intent: str | None = None


class AlpacaReplaceRequest(AlpacaModel):
    """PATCH /v2/orders/{id} body: the fields Alpaca lets a replacement change."""

    qty: Decimal | None = None
    time_in_force: str | None = None
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    trail: Decimal | None = None
    client_order_id: str | None = None


class AlpacaActivity(AlpacaModel):
    """One GET /v2/account/activities entry: a FILL or a non-trade activity (NTA)."""

    id: str
    activity_type: str
    transaction_time: datetime | None = None
    type: str | None = None
    price: Decimal | None = None
    qty: Decimal | None = None
    side: str | None = None
    symbol: str | None = None
    order_id: str | None = None
    date: dt.date | None = None
    net_amount: Decimal | None = None
    per_share_amount: Decimal | None = None
    description: str | None = None


class AlpacaAsset(AlpacaModel):
    """One GET /v2/assets entry (``class`` on the wire is the asset class)."""

    id: str
    asset_class: str = Field(alias="class")
    symbol: str
    name: str | None = None
    status: str
    tradable: bool


class AlpacaQuote(AlpacaModel):
    """A market-data quote: ``ap``/``as`` ask price/size, ``bp``/``bs`` bid price/size."""

    t: datetime
    ap: Decimal
    as_: Decimal = Field(alias="as")
    bp: Decimal
    bs: Decimal


class AlpacaTrade(AlpacaModel):
    """A market-data trade: ``p`` price, ``s`` size."""

    t: datetime
    p: Decimal
    s: Decimal


class AlpacaBar(AlpacaModel):
    """A market-data bar: ``t`` opening instant, OHLC, ``v`` volume."""

    t: datetime
    o: Decimal
    h: Decimal
    l: Decimal  # noqa: E741 - Alpaca's field name
    c: Decimal
    v: Decimal


class AlpacaBarsPage(AlpacaModel):
    """GET /v2/stocks/bars: bars keyed by symbol plus the next page's token."""

    bars: dict[str, list[AlpacaBar]] | None = None
    next_page_token: str | None = None


class AlpacaTradeUpdate(AlpacaModel):
    """The ``data`` of a ``trade_updates`` stream message."""

    event: str
    timestamp: datetime | None = None
    order: AlpacaOrder
    price: Decimal | None = None
    qty: Decimal | None = None
    position_qty: Decimal | None = None
