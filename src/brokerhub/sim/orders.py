"""The simulator's working state of an order, and its core view.

For a multi-leg order the combination's unit is the legs' quantities divided by their
greatest common divisor (a 5 x 5 vertical is 5 units of a 1 x 1 spread); the core order's
``filled_quantity`` then counts units and ``average_fill_price`` is the net price of one unit
(positive a net debit, negative a net credit), matching ``OrderRequest.limit_price``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from math import gcd

from brokerhub.core.money import ZERO
from brokerhub.core.orders import Fill, Order, OrderAction, OrderLeg, OrderRequest, OrderStatus


def combination_units(legs: list[OrderLeg]) -> Decimal:
    """Return how many units of the combination the legs make (the gcd of the quantities)."""
    divisor = 0
    for leg in legs:
        divisor = gcd(divisor, int(leg.quantity))
    return Decimal(divisor)


def net_price(legs: list[OrderLeg], prices: dict[str, Decimal]) -> Decimal:
    """Return the net price of one unit of the combination: buys add, sells subtract."""
    units = combination_units(legs)
    return sum(
        (leg.action.sign * prices[leg.instrument.symbol] * leg.quantity / units for leg in legs),
        start=ZERO,
    )


@dataclass(slots=True)
class SimFill:
    """One execution of one leg, with the fields (and snapshot form) of a core ``Fill``.

    Kept as one small object rather than a pydantic model (three objects each): a long
    history of fills is then cheaper to hold and for the garbage collector to walk.
    """

    fill_id: str
    symbol: str
    action: OrderAction
    quantity: Decimal
    price: Decimal
    commission: Decimal
    filled_at: datetime

    def to_core(self) -> Fill:
        """Return the fill as a core fill, built unvalidated (see :meth:`SimOrder.to_core`)."""
        return Fill.model_construct(
            fill_id=self.fill_id,
            symbol=self.symbol,
            action=self.action,
            quantity=self.quantity,
            price=self.price,
            commission=self.commission,
            filled_at=self.filled_at,
        )


@dataclass(slots=True, kw_only=True)
class SimOrder:
    """An order inside the simulator, mutable while it works.

    A plain slotted dataclass, not a pydantic model: the engine changes it at every step, and
    the snapshot (de)serialises it through the state's type adapter (see :mod:`.state`).

    Attributes:
        works_from: when the order starts working (the session's open).
        expires_at: when a DAY order expires (the session's close); None for GTC.
        triggered: whether a STOP, STOP_LIMIT or TRAILING_STOP order reached its stop.
        trail_extreme: the best mid seen since a trailing stop was placed (highest for a sell,
            lowest for a buy).
        seq: the exchange's change counter at this order's last change (for streams).
    """

    order_id: str
    account_id: str
    request: OrderRequest
    status: OrderStatus
    fills: list[SimFill] = field(default_factory=list)
    created_at: datetime
    updated_at: datetime
    works_from: datetime
    expires_at: datetime | None = None
    reject_reason: str | None = None
    replaces_order_id: str | None = None
    triggered: bool = False
    trail_extreme: Decimal | None = None
    seq: int = 0

    def filled(self, symbol: str) -> Decimal:
        """Return the quantity filled so far of the leg on ``symbol``."""
        total = ZERO
        for fill in self.fills:
            if fill.symbol == symbol:
                total += fill.quantity
        return total

    def remaining(self, leg: OrderLeg) -> Decimal:
        """Return the quantity of ``leg`` still to fill."""
        return leg.quantity - self.filled(leg.instrument.symbol)

    def to_core(self) -> Order:
        """Return the order as the broker protocol reports it.

        Built with ``model_construct``: every field comes from a request validated when it was
        submitted or from the engine's own arithmetic on it, and validating them again on
        every report cost about a quarter of an order's trip through the paper broker (G9).
        The contract suite checks these reports field by field.
        """
        request = self.request
        legs = request.legs
        filled_quantity = ZERO
        average: Decimal | None = None
        if self.fills:
            if request.is_multi_leg:
                units = combination_units(legs)
                filled_quantity = self.filled(legs[0].instrument.symbol) * units / legs[0].quantity
                prices = {f.symbol: f.price for f in self.fills}
                average = net_price(legs, prices)
            else:
                filled_quantity = sum((f.quantity for f in self.fills), start=ZERO)
                notional = sum((f.quantity * f.price for f in self.fills), start=ZERO)
                average = notional / filled_quantity
        return Order.model_construct(
            order_id=self.order_id,
            client_order_id=request.client_order_id,
            account_id=self.account_id,
            status=self.status,
            legs=list(legs),
            order_type=request.order_type,
            time_in_force=request.time_in_force,
            limit_price=request.limit_price,
            stop_price=request.stop_price,
            trail_amount=request.trail_amount,
            trail_percent=request.trail_percent,
            filled_quantity=filled_quantity,
            average_fill_price=average,
            fills=[fill.to_core() for fill in self.fills],
            reject_reason=self.reject_reason,
            created_at=self.created_at,
            updated_at=self.updated_at,
            replaces_order_id=self.replaces_order_id,
        )
