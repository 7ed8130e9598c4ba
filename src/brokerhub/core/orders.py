"""The one order model: requests, previews, orders and fills.

Prices are per unit of the instrument (per share, or per option contract before the
multiplier). For a multi-leg order ``limit_price`` is the net price of one unit of the
combination: positive is a net debit paid, negative a net credit received.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import Field, model_validator

from brokerhub.core.base import CoreModel, UtcDateTime
from brokerhub.core.instruments import AssetClass, Instrument
from brokerhub.core.money import Amount, NonNegativeDecimal, PositiveDecimal

MAX_LEGS = 4


class OrderAction(StrEnum):
    """What a leg does. Equities use the first four, options the ``*_TO_OPEN/CLOSE`` ones."""

    BUY = "BUY"
    SELL = "SELL"
    BUY_TO_COVER = "BUY_TO_COVER"
    SELL_SHORT = "SELL_SHORT"
    BUY_TO_OPEN = "BUY_TO_OPEN"
    BUY_TO_CLOSE = "BUY_TO_CLOSE"
    SELL_TO_OPEN = "SELL_TO_OPEN"
    SELL_TO_CLOSE = "SELL_TO_CLOSE"

    @property
    def is_buy(self) -> bool:
        """Return whether the leg adds units (buys)."""
        return self in _BUY_ACTIONS

    @property
    def sign(self) -> int:
        """Return +1 for a buy and -1 for a sell: the sign of the position change."""
        return 1 if self.is_buy else -1


_BUY_ACTIONS = frozenset(
    {OrderAction.BUY, OrderAction.BUY_TO_COVER, OrderAction.BUY_TO_OPEN, OrderAction.BUY_TO_CLOSE}
)
EQUITY_ACTIONS = frozenset(
    {OrderAction.BUY, OrderAction.SELL, OrderAction.BUY_TO_COVER, OrderAction.SELL_SHORT}
)
OPTION_ACTIONS = frozenset(OrderAction) - EQUITY_ACTIONS


class OrderType(StrEnum):
    """How the order is priced."""

    MARKET = "MARKET"
    LIMIT = "LIMIT"
    STOP = "STOP"
    STOP_LIMIT = "STOP_LIMIT"
    TRAILING_STOP = "TRAILING_STOP"


class TimeInForce(StrEnum):
    """How long the order works. DAY is the E*TRADE seed's GOOD_FOR_DAY."""

    DAY = "DAY"
    GTC = "GTC"
    IOC = "IOC"
    FOK = "FOK"


class OrderStatus(StrEnum):
    """Where an order is in its life.

    PENDING: accepted but not yet working (e.g. waiting for the open). OPEN: working.
    UNKNOWN: sent, but the outcome was lost (timeout, reset); reconciled by client order id.
    """

    PENDING = "PENDING"
    OPEN = "OPEN"
    PARTIALLY_FILLED = "PARTIALLY_FILLED"
    FILLED = "FILLED"
    CANCELLED = "CANCELLED"
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"
    REPLACED = "REPLACED"
    UNKNOWN = "UNKNOWN"

    @property
    def is_terminal(self) -> bool:
        """Return whether the order can no longer change."""
        return self in _TERMINAL_STATUSES

    @property
    def is_working(self) -> bool:
        """Return whether the order can still fill."""
        return self in _WORKING_STATUSES


_WORKING_STATUSES = frozenset({OrderStatus.PENDING, OrderStatus.OPEN, OrderStatus.PARTIALLY_FILLED})
_TERMINAL_STATUSES = frozenset(
    {
        OrderStatus.FILLED,
        OrderStatus.CANCELLED,
        OrderStatus.REJECTED,
        OrderStatus.EXPIRED,
        OrderStatus.REPLACED,
    }
)


class OrderLeg(CoreModel):
    """One instrument of an order, with its action and quantity (units, always positive)."""

    instrument: Instrument
    action: OrderAction
    quantity: PositiveDecimal

    @model_validator(mode="after")
    def _action_fits_instrument(self) -> OrderLeg:
        is_option = self.instrument.asset_class is AssetClass.OPTION
        if is_option and self.action not in OPTION_ACTIONS:
            raise ValueError(
                f"action {self.action} is for stocks; an option leg uses BUY_TO_OPEN, "
                "BUY_TO_CLOSE, SELL_TO_OPEN or SELL_TO_CLOSE"
            )
        if not is_option and self.action not in EQUITY_ACTIONS:
            raise ValueError(
                f"action {self.action} is for options; a {self.instrument.asset_class} leg uses "
                "BUY, SELL, BUY_TO_COVER or SELL_SHORT"
            )
        return self


class OrderRequest(CoreModel):
    """An order as the hub asks a broker to take it; one leg, or up to four for a combination.

    ``client_order_id`` is made by the hub and stored before the order is sent, so a lost
    response is reconciled by it instead of sending twice.
    """

    legs: list[OrderLeg] = Field(min_length=1, max_length=MAX_LEGS)
    order_type: OrderType = OrderType.MARKET
    time_in_force: TimeInForce = TimeInForce.DAY
    limit_price: Amount | None = None
    stop_price: PositiveDecimal | None = None
    trail_amount: PositiveDecimal | None = None
    trail_percent: PositiveDecimal | None = None
    client_order_id: str | None = Field(default=None, min_length=1, max_length=64)

    @model_validator(mode="after")
    def _prices_fit_type(self) -> OrderRequest:
        kind = self.order_type
        needs_limit = kind in {OrderType.LIMIT, OrderType.STOP_LIMIT}
        needs_stop = kind in {OrderType.STOP, OrderType.STOP_LIMIT}
        if needs_limit and self.limit_price is None:
            raise ValueError(f"limit_price is required for a {kind} order")
        if not needs_limit and self.limit_price is not None:
            raise ValueError(f"limit_price is not allowed on a {kind} order")
        if needs_stop and self.stop_price is None:
            raise ValueError(f"stop_price is required for a {kind} order")
        if not needs_stop and self.stop_price is not None:
            raise ValueError(f"stop_price is not allowed on a {kind} order")
        trails = [p for p in (self.trail_amount, self.trail_percent) if p is not None]
        if kind is OrderType.TRAILING_STOP and len(trails) != 1:
            raise ValueError(
                "a TRAILING_STOP order needs exactly one of trail_amount, trail_percent"
            )
        if kind is not OrderType.TRAILING_STOP and trails:
            raise ValueError(f"trail_amount and trail_percent are not allowed on a {kind} order")
        if self.limit_price is not None and not self.is_multi_leg and self.limit_price <= 0:
            raise ValueError("limit_price must be greater than zero")
        return self

    @model_validator(mode="after")
    def _legs_make_sense(self) -> OrderRequest:
        if not self.is_multi_leg:
            return self
        if self.order_type not in {OrderType.MARKET, OrderType.LIMIT}:
            raise ValueError("legs: a multi-leg order is MARKET or LIMIT")
        symbols = [leg.instrument.symbol for leg in self.legs]
        if len(set(symbols)) != len(symbols):
            raise ValueError("legs: the same instrument appears in two legs")
        options = [leg.instrument.option for leg in self.legs if leg.instrument.option]
        if not options:
            raise ValueError("legs: a multi-leg order needs at least one option leg")
        underlyings = {contract.underlying for contract in options}
        stock_legs = [leg for leg in self.legs if leg.instrument.option is None]
        underlyings |= {leg.instrument.symbol for leg in stock_legs}
        if len(underlyings) != 1:
            raise ValueError(
                f"legs: every leg must be on one underlying, got {', '.join(sorted(underlyings))}"
            )
        if len(stock_legs) > 1:
            raise ValueError("legs: a combination has at most one stock leg")
        return self

    @property
    def is_multi_leg(self) -> bool:
        """Return whether the order has more than one leg."""
        return len(self.legs) > 1


class Fill(CoreModel):
    """One execution of one leg."""

    fill_id: str
    symbol: str
    action: OrderAction
    quantity: PositiveDecimal
    price: NonNegativeDecimal
    commission: NonNegativeDecimal = Decimal(0)
    filled_at: UtcDateTime


class Order(CoreModel):
    """An order as the broker reports it."""

    order_id: str
    client_order_id: str | None = None
    account_id: str
    status: OrderStatus
    legs: list[OrderLeg] = Field(min_length=1)
    order_type: OrderType
    time_in_force: TimeInForce
    limit_price: Amount | None = None
    stop_price: Decimal | None = None
    trail_amount: Decimal | None = None
    trail_percent: Decimal | None = None
    filled_quantity: NonNegativeDecimal = Decimal(0)
    average_fill_price: Decimal | None = None
    fills: list[Fill] = Field(default_factory=list)
    reject_reason: str | None = None
    created_at: UtcDateTime
    updated_at: UtcDateTime
    replaces_order_id: str | None = None
    raw: dict[str, object] | None = Field(default=None, repr=False)


class OrderPreview(CoreModel):
    """What an order would cost before it is placed.

    ``estimated_cost`` is the cash the order moves, signed as cash: negative when the account
    pays (a buy or a net debit), positive when it receives. ``estimated_total`` adds the
    commission and fees (also as a cash movement).
    """

    request: OrderRequest
    estimated_price: Decimal
    estimated_cost: Amount
    commission: NonNegativeDecimal
    fees: NonNegativeDecimal = Decimal(0)
    estimated_total: Amount
    buying_power_after: Decimal | None = None
    warnings: list[str] = Field(default_factory=list)
    preview_id: str | None = None
