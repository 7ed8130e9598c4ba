"""Black-Scholes values, Greeks, expirations and strikes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from brokerhub.core.instruments import OptionContract, OptionRight
from brokerhub.sim.config import SimConfig
from brokerhub.sim.market import Market
from brokerhub.sim.options import (
    black_scholes,
    expiry_instant,
    listed_expirations,
    listed_strikes,
)

MONDAY = datetime(2025, 1, 6, 15, 0, tzinfo=UTC)


def _contract(right: OptionRight, strike: str, expiration: date) -> OptionContract:
    return OptionContract(
        underlying="XYZ", expiration=expiration, right=right, strike=Decimal(strike)
    )


def test_textbook_value_and_put_call_parity() -> None:
    expiration = date(2026, 1, 6)
    at = expiry_instant(expiration) - timedelta(days=365.25)
    call = black_scholes(
        _contract(OptionRight.CALL, "100", expiration),
        Decimal(100),
        Decimal("0.2"),
        Decimal("0.05"),
        at,
    )
    put = black_scholes(
        _contract(OptionRight.PUT, "100", expiration),
        Decimal(100),
        Decimal("0.2"),
        Decimal("0.05"),
        at,
    )
    assert call.price.quantize(Decimal("0.01")) == Decimal("10.45")
    parity = float(call.price - put.price) - (100 - 100 * 2.718281828459045**-0.05)
    assert abs(parity) < 1e-3
    assert Decimal("0.63") < call.greeks.delta < Decimal("0.64")
    assert put.greeks.delta < 0 < call.greeks.gamma == put.greeks.gamma
    assert call.greeks.theta < 0


def test_expired_option_is_worth_its_intrinsic_value() -> None:
    expiration = date(2025, 1, 3)
    value = black_scholes(
        _contract(OptionRight.PUT, "50", expiration),
        Decimal(45),
        Decimal("0.3"),
        Decimal("0.05"),
        MONDAY,
    )
    assert value.price == Decimal(5)
    assert value.greeks.delta == Decimal(-1)


def test_expirations_are_weekly_fridays_then_monthlies() -> None:
    expirations = listed_expirations(MONDAY)
    assert expirations[:8] == [date(2025, 1, 10) + timedelta(weeks=n) for n in range(8)]
    assert date(2025, 1, 17) in expirations
    assert expirations[8:] == [
        date(2025, 3, 21),
        date(2025, 4, 17) + timedelta(days=1),
        date(2025, 5, 16),
        date(2025, 6, 20),
        date(2025, 7, 18),
    ]
    assert all(e.weekday() == 4 for e in expirations)


def test_strikes_surround_the_spot() -> None:
    strikes = listed_strikes(Decimal("190.37"))
    assert len(strikes) == 21
    assert strikes[10] == Decimal("190.0")
    assert strikes[1] - strikes[0] == Decimal("2.5")


def test_chain_quotes_calls_and_puts_around_the_spot() -> None:
    market = Market(SimConfig(), MONDAY)
    expiration = market.expirations("AAPL", MONDAY)[3]
    chain = market.chain("AAPL", expiration, MONDAY)
    assert chain.underlying_price == Decimal("190.00")
    assert len(chain.calls) == len(chain.puts) == 21
    for quote in chain.calls + chain.puts:
        assert quote.bid is not None
        assert quote.ask is not None
        assert Decimal(0) <= quote.bid < quote.ask
        assert quote.greeks is not None
    deltas = [q.greeks.delta for q in chain.calls if q.greeks]
    assert deltas == sorted(deltas, reverse=True)
