"""Per-step matching rules: when an order triggers, whether it is marketable, at what price.

Everything here is a pure function of one order and the touches at one instant; the exchange
walks the steps and posts what these functions return.

* MARKET fills at the ask (buy) or bid (sell), moved against the order by ``slippage_bps``.
* LIMIT fills when the touch reaches the limit, at that price but never worse than the limit.
* STOP and STOP_LIMIT trigger when the mid (the simulator's last trade) reaches the stop (at
  or above for a buy, at or below for a sell), then act as MARKET or LIMIT.
* TRAILING_STOP keeps the best mid since it was placed (highest for a sell, lowest for a buy);
  its stop trails that extreme by ``trail_amount`` or ``trail_percent`` (rounded to the cent).
* A single-leg order fills at most ``liquidity_per_step`` units per step; FOK fills all at
  once or not at all; a multi-leg order fills every leg in full at once or not at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Decimal
from typing import NamedTuple

from brokerhub.core.money import CENT
from brokerhub.core.orders import OrderLeg, OrderRequest, OrderType, TimeInForce
from brokerhub.sim.config import SimConfig
from brokerhub.sim.market import Touch
from brokerhub.sim.orders import SimOrder, net_price

STOP_TYPES = frozenset({OrderType.STOP, OrderType.STOP_LIMIT, OrderType.TRAILING_STOP})
LIMIT_TYPES = frozenset({OrderType.LIMIT, OrderType.STOP_LIMIT})
BPS = Decimal(10_000)


class Execution(NamedTuple):
    """Units of one leg to fill at one price."""

    leg: OrderLeg
    quantity: Decimal
    price: Decimal


def execution_price(touch: Touch, is_buy: bool, slippage_bps: Decimal) -> Decimal:
    """Return the price a marketable buy or sell gets: the touch moved by the slippage."""
    if is_buy:
        return (touch.ask * (1 + slippage_bps / BPS)).quantize(CENT, ROUND_HALF_EVEN)
    return (touch.bid * (1 - slippage_bps / BPS)).quantize(CENT, ROUND_HALF_EVEN)


def trailing_stop_price(request: OrderRequest, extreme: Decimal) -> Decimal:
    """Return the stop of a trailing stop whose best mid so far is ``extreme``."""
    direction = 1 if request.legs[0].action.is_buy else -1
    if request.trail_amount is not None:
        stop = extreme + direction * request.trail_amount
    else:
        percent = request.trail_percent or Decimal(0)
        stop = extreme * (1 + direction * percent / 100)
    return stop.quantize(CENT, ROUND_HALF_EVEN)


def observe(order: SimOrder, mid: Decimal) -> bool:
    """Update a stop order's trail and trigger from this step's mid; return whether it changed."""
    request = order.request
    if order.triggered or request.order_type not in STOP_TYPES:
        return False
    is_buy = request.legs[0].action.is_buy
    changed = False
    if request.order_type is OrderType.TRAILING_STOP:
        extreme = order.trail_extreme
        best = mid if extreme is None else (min(extreme, mid) if is_buy else max(extreme, mid))
        changed = best != extreme
        order.trail_extreme = best
        stop = trailing_stop_price(request, best)
    else:
        stop = request.stop_price or Decimal(0)
    order.triggered = mid >= stop if is_buy else mid <= stop
    return changed or order.triggered


def match(order: SimOrder, touches: Mapping[str, Touch], config: SimConfig) -> list[Execution]:
    """Return what ``order`` fills at this step given each leg's touch (empty: nothing)."""
    request = order.request
    if request.order_type in STOP_TYPES and not order.triggered:
        return []
    limit = request.limit_price if request.order_type in LIMIT_TYPES else None
    if request.is_multi_leg:
        prices = {
            leg.instrument.symbol: execution_price(
                touches[leg.instrument.symbol], leg.action.is_buy, config.slippage_bps
            )
            for leg in request.legs
        }
        if limit is not None and net_price(request.legs, prices) > limit:
            return []
        return [
            Execution(leg, order.remaining(leg), prices[leg.instrument.symbol])
            for leg in request.legs
        ]
    leg = request.legs[0]
    touch = touches[leg.instrument.symbol]
    is_buy = leg.action.is_buy
    price = execution_price(touch, is_buy, config.slippage_bps)
    if limit is not None:
        if is_buy:
            if touch.ask > limit:
                return []
            price = min(price, limit)
        else:
            if touch.bid < limit:
                return []
            price = max(price, limit)
    remaining = order.remaining(leg)
    quantity = min(remaining, config.liquidity_per_step)
    if request.time_in_force is TimeInForce.FOK and quantity < remaining:
        return []
    return [Execution(leg, quantity, price)]
