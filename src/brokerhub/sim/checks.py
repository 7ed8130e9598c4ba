"""Order checks the exchange runs before placing and before each fill.

Each check returns the error to raise (or to record on the order) instead of raising, so a
preview can show it as a warning and a working order can be rejected when it would fill.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from brokerhub.core.clock import market_date
from brokerhub.core.instruments import Instrument
from brokerhub.core.money import quantize_cents
from brokerhub.core.orders import OrderAction, OrderLeg, OrderRequest
from brokerhub.errors import InsufficientFunds, InvalidOrder
from brokerhub.sim.config import SimConfig
from brokerhub.sim.ledger import Ledger, Mark, Trade


def commission(config: SimConfig, instrument: Instrument, quantity: Decimal) -> Decimal:
    """Return the commission of one fill, rounded to the cent."""
    rate = config.commission_per_contract if instrument.option else config.commission_per_share
    return quantize_cents(rate * quantity)


def request_problem(request: OrderRequest, at: datetime) -> InvalidOrder | None:
    """Return why the simulator cannot take ``request`` at all, or None."""
    for leg in request.legs:
        if leg.quantity != leg.quantity.to_integral_value():
            return InvalidOrder(
                f"{leg.instrument.symbol}: the simulator trades whole shares and contracts",
                broker="paper",
            )
        option = leg.instrument.option
        if option is not None and option.expiration < market_date(at):
            return InvalidOrder(f"{leg.instrument.symbol} has expired", broker="paper")
    return None


def position_problem(ledger: Ledger, leg: OrderLeg, quantity: Decimal) -> InvalidOrder | None:
    """Return why ``quantity`` units of ``leg`` do not fit the held position, or None.

    BUY/BUY_TO_OPEN need no short, SELL_SHORT/SELL_TO_OPEN no long; SELL/SELL_TO_CLOSE need a
    long and BUY_TO_COVER/BUY_TO_CLOSE a short of at least ``quantity``.
    """
    symbol = leg.instrument.symbol
    held = ledger.quantity(symbol)
    action = leg.action
    if action in {OrderAction.BUY, OrderAction.BUY_TO_OPEN} and held < 0:
        closer = "BUY_TO_COVER" if action is OrderAction.BUY else "BUY_TO_CLOSE"
        return InvalidOrder(f"{symbol} is held short ({held}); use {closer}", broker="paper")
    if action in {OrderAction.SELL_SHORT, OrderAction.SELL_TO_OPEN} and held > 0:
        closer = "SELL" if action is OrderAction.SELL_SHORT else "SELL_TO_CLOSE"
        return InvalidOrder(f"{symbol} is held long ({held}); use {closer}", broker="paper")
    if action in {OrderAction.SELL, OrderAction.SELL_TO_CLOSE} and held < quantity:
        return InsufficientFunds(
            f"{action.value} {quantity} {symbol} needs a long position of {quantity}; held {held}",
            broker="paper",
        )
    if action in {OrderAction.BUY_TO_COVER, OrderAction.BUY_TO_CLOSE} and -held < quantity:
        return InsufficientFunds(
            f"{action.value} {quantity} {symbol} needs a short position of {quantity}; held {held}",
            broker="paper",
        )
    return None


def funds_problem(
    ledger: Ledger, trades: Iterable[Trade], mark: Mark
) -> tuple[Decimal, InsufficientFunds | None]:
    """Return the buying power after ``trades`` and, if it is short, the error.

    An order may leave buying power negative only if it raises it (e.g. covering a short of an
    account already under water).
    """
    before = ledger.buying_power(mark)
    after = ledger.buying_power_after(trades, mark)
    if after < 0 and after < before:
        return after, InsufficientFunds(
            f"insufficient buying power: the order needs {before - after:.2f} USD, "
            f"{max(before, Decimal(0)):.2f} USD available",
            broker="paper",
        )
    return after, None
