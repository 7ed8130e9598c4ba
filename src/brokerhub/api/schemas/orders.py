"""Order bodies: the E*TRADE seed's order form, extended with stops, trails and legs."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from brokerhub.api.schemas.common import Body, Envelope, Fresh

OrderActionName = Literal[
    "BUY",
    "SELL",
    "BUY_TO_COVER",
    "SELL_SHORT",
    "BUY_TO_OPEN",
    "BUY_TO_CLOSE",
    "SELL_TO_OPEN",
    "SELL_TO_CLOSE",
]
PriceType = Literal["MARKET", "LIMIT", "STOP", "STOP_LIMIT", "TRAILING_STOP"]
OrderTerm = Literal[
    "GOOD_FOR_DAY",
    "GOOD_UNTIL_CANCEL",
    "IMMEDIATE_OR_CANCEL",
    "FILL_OR_KILL",
    "DAY",
    "GTC",
    "IOC",
    "FOK",
]
OrderStatusName = Literal[
    "PENDING",
    "OPEN",
    "PARTIALLY_FILLED",
    "FILLED",
    "CANCELLED",
    "REJECTED",
    "EXPIRED",
    "REPLACED",
    "UNKNOWN",
]


class OrderLegBody(Body):
    """One leg: a stock symbol or an OCC option symbol, the action and the quantity."""

    symbol: str = Field(min_length=1, examples=["AAPL  250117C00150000"])
    order_action: OrderActionName
    quantity: Decimal = Field(gt=0)


class OrderBody(Body):
    """An order: ``symbol``/``order_action``/``quantity`` for one leg, or ``legs``.

    ``limit_price`` of a multi-leg order is the net price per unit of the combination:
    positive is a debit paid, negative a credit received.
    """

    symbol: str | None = Field(default=None, min_length=1, examples=["AAPL"])
    order_action: OrderActionName | None = None
    quantity: Decimal | None = Field(default=None, gt=0)
    price_type: PriceType = "MARKET"
    order_term: OrderTerm = "GOOD_FOR_DAY"
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    trail_amount: Decimal | None = None
    trail_percent: Decimal | None = None
    legs: list[OrderLegBody] | None = None
    client_order_id: str | None = Field(default=None, min_length=1, max_length=64)

    @model_validator(mode="after")
    def _one_leg_or_legs(self) -> OrderBody:
        single = (self.symbol, self.order_action, self.quantity)
        if self.legs:
            if any(part is not None for part in single):
                raise ValueError("give either legs or symbol/order_action/quantity, not both")
            return self
        missing = [
            name
            for name, part in zip(("symbol", "order_action", "quantity"), single, strict=True)
            if part is None
        ]
        if missing:
            raise ValueError(f"{', '.join(missing)} required (or give legs)")
        return self

    def leg_bodies(self) -> list[OrderLegBody]:
        """Return the legs, turning the single-leg form into one leg."""
        if self.legs:
            return self.legs
        if self.symbol is None or self.order_action is None or self.quantity is None:
            raise ValueError("symbol, order_action and quantity are required (or give legs)")
        return [
            OrderLegBody(symbol=self.symbol, order_action=self.order_action, quantity=self.quantity)
        ]


class FillPublic(BaseModel):
    """One execution."""

    fill_id: str
    symbol: str
    order_action: OrderActionName
    quantity: Decimal
    price: Decimal
    commission: Decimal
    filled_at: datetime


class OrderLegPublic(BaseModel):
    """One leg of an order."""

    symbol: str
    asset_class: str
    order_action: OrderActionName
    quantity: Decimal


class OrderPublic(Fresh):
    """An order as the broker reports it."""

    order_id: str
    client_order_id: str | None
    status: OrderStatusName
    price_type: PriceType
    order_term: str
    legs: list[OrderLegPublic]
    limit_price: Decimal | None
    stop_price: Decimal | None
    trail_amount: Decimal | None
    trail_percent: Decimal | None
    filled_quantity: Decimal
    average_fill_price: Decimal | None
    fills: list[FillPublic]
    reject_reason: str | None
    replaces_order_id: str | None
    created_at: datetime
    updated_at: datetime


class OrderResponse(Envelope):
    """One order."""

    account_id: str
    order: OrderPublic


class OrdersResponse(Envelope):
    """A list of orders."""

    account_id: str
    orders: list[OrderPublic]


class PreviewPublic(BaseModel):
    """What an order would cost. Cash figures are signed: negative is paid by the account."""

    estimated_price: Decimal
    estimated_cost: Decimal
    commission: Decimal
    fees: Decimal
    estimated_total: Decimal
    buying_power_after: Decimal | None
    warnings: list[str]
    preview_id: str | None


class PreviewResponse(Envelope):
    """``POST accounts/{id}/orders/preview/``."""

    account_id: str
    preview: PreviewPublic
