"""Black-Scholes prices and Greeks, and the listed expirations and strikes of the simulator.

Floats are used only inside the formulas; inputs and outputs at the boundary are Decimal.
Greeks are per option unit (one share of the deliverable): theta per calendar day, vega and
rho per one percentage point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from brokerhub.core.clock import MARKET_TZ, ensure_utc, market_date
from brokerhub.core.instruments import OptionContract, OptionRight
from brokerhub.core.portfolio import Greeks

SECONDS_PER_YEAR = 365.25 * 86_400
MIN_YEARS = 1e-9
WEEKLY_COUNT = 8
MONTHLY_COUNT = 6
STRIKES_EACH_SIDE = 10
EXPIRY_TIME = time(16, 0)
GREEK_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class OptionValue:
    """The theoretical value of one option unit and its Greeks."""

    price: Decimal
    greeks: Greeks


def _cdf(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def _pdf(x: float) -> float:
    return math.exp(-x * x / 2.0) / math.sqrt(2.0 * math.pi)


def expiry_instant(expiration: date) -> datetime:
    """Return when an option expires: 16:00 New York on its expiration date, as UTC."""
    return ensure_utc(datetime.combine(expiration, EXPIRY_TIME, tzinfo=MARKET_TZ))


def black_scholes(
    contract: OptionContract,
    spot: Decimal,
    volatility: Decimal,
    rate: Decimal,
    at: datetime,
) -> OptionValue:
    """Return the Black-Scholes value and Greeks of ``contract`` at instant ``at``.

    At or after expiry the value is the intrinsic value, delta is 0 or +-1 and the other
    Greeks are zero.
    """
    s, k = float(spot), float(contract.strike)
    sigma, r = float(volatility), float(rate)
    years = (expiry_instant(contract.expiration) - ensure_utc(at)).total_seconds()
    t = years / SECONDS_PER_YEAR
    call = contract.right is OptionRight.CALL
    if t <= MIN_YEARS:
        intrinsic = max(0.0, s - k) if call else max(0.0, k - s)
        in_money = intrinsic > 0
        delta = (1.0 if call else -1.0) if in_money else 0.0
        return OptionValue(_money(intrinsic), _greeks(delta, 0.0, 0.0, 0.0, 0.0, sigma))
    root_t = math.sqrt(t)
    d1 = (math.log(s / k) + (r + sigma * sigma / 2.0) * t) / (sigma * root_t)
    d2 = d1 - sigma * root_t
    discount = math.exp(-r * t)
    if call:
        price = s * _cdf(d1) - k * discount * _cdf(d2)
        delta = _cdf(d1)
        theta = -s * _pdf(d1) * sigma / (2 * root_t) - r * k * discount * _cdf(d2)
        rho = k * t * discount * _cdf(d2)
    else:
        price = k * discount * _cdf(-d2) - s * _cdf(-d1)
        delta = _cdf(d1) - 1.0
        theta = -s * _pdf(d1) * sigma / (2 * root_t) + r * k * discount * _cdf(-d2)
        rho = -k * t * discount * _cdf(-d2)
    gamma = _pdf(d1) / (s * sigma * root_t)
    vega = s * _pdf(d1) * root_t
    return OptionValue(
        _money(max(price, 0.0)),
        _greeks(delta, gamma, theta / 365.0, vega / 100.0, rho / 100.0, sigma),
    )


def _money(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(Decimal("0.0001"))


def _greeks(
    delta: float, gamma: float, theta: float, vega: float, rho: float, sigma: float
) -> Greeks:
    def q(value: float) -> Decimal:
        return Decimal(repr(value)).quantize(GREEK_PLACES)

    return Greeks(
        delta=q(delta),
        gamma=q(gamma),
        theta=q(theta),
        vega=q(vega),
        rho=q(rho),
        implied_volatility=q(sigma),
    )


def third_friday(year: int, month: int) -> date:
    """Return the third Friday of a month (the standard monthly expiration)."""
    first = date(year, month, 1)
    return first + timedelta(days=(4 - first.weekday()) % 7 + 14)


def listed_expirations(at: datetime) -> list[date]:
    """Return the expirations listed at instant ``at``.

    The next :data:`WEEKLY_COUNT` Fridays plus the monthly (third Friday) expirations of the
    next :data:`MONTHLY_COUNT` months; an expiration whose 16:00 close has passed is gone.
    """
    today = market_date(at)
    friday = today + timedelta(days=(4 - today.weekday()) % 7)
    if expiry_instant(friday) <= ensure_utc(at):
        friday += timedelta(days=7)
    expirations = {friday + timedelta(weeks=n) for n in range(WEEKLY_COUNT)}
    year, month = today.year, today.month
    for _ in range(MONTHLY_COUNT + 1):
        monthly = third_friday(year, month)
        if expiry_instant(monthly) > ensure_utc(at):
            expirations.add(monthly)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return sorted(expirations)[: WEEKLY_COUNT + MONTHLY_COUNT]


def strike_increment(spot: Decimal) -> Decimal:
    """Return the strike spacing used around ``spot``."""
    if spot < 25:
        return Decimal("0.5")
    if spot < 100:
        return Decimal(1)
    if spot < 250:
        return Decimal("2.5")
    if spot < 1000:
        return Decimal(5)
    return Decimal(10)


def listed_strikes(spot: Decimal) -> list[Decimal]:
    """Return :data:`STRIKES_EACH_SIDE` strikes each side of the strike nearest ``spot``."""
    increment = strike_increment(spot)
    nearest = (spot / increment).to_integral_value() * increment
    strikes = [nearest + increment * n for n in range(-STRIKES_EACH_SIDE, STRIKES_EACH_SIDE + 1)]
    return [strike for strike in strikes if strike > 0]
