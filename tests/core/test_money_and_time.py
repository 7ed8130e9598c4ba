from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from pydantic import ValidationError

from brokerhub.core.clock import ensure_utc, market_date, next_market_midnight
from brokerhub.core.money import quantize_cents, to_decimal
from brokerhub.core.portfolio import Balance, unrealized_pnl_percent


def test_float_goes_through_its_printed_form() -> None:
    assert to_decimal(0.1) == Decimal("0.1")
    assert to_decimal("  12.50 ") == Decimal("12.50")


@pytest.mark.parametrize("value", ["abc", "NaN", "Infinity", True, None, [1]])
def test_non_numbers_are_refused(value: object) -> None:
    with pytest.raises(ValueError, match="number"):
        to_decimal(value)


def test_cents_round_half_even() -> None:
    assert quantize_cents(Decimal("2.675")) == Decimal("2.68")
    assert quantize_cents(Decimal("2.665")) == Decimal("2.66")


def test_naive_datetimes_are_refused_and_aware_ones_become_utc() -> None:
    with pytest.raises(ValueError, match="naive"):
        ensure_utc(datetime(2024, 1, 1))  # noqa: DTZ001 - the point of the test
    eastern = timezone(timedelta(hours=-5))
    assert ensure_utc(datetime(2024, 1, 1, 9, tzinfo=eastern)) == datetime(
        2024, 1, 1, 14, tzinfo=UTC
    )


def test_models_refuse_naive_timestamps() -> None:
    with pytest.raises(ValidationError, match="naive"):
        Balance(
            account_id="A",
            cash="1",
            buying_power="1",
            total_value="1",
            as_of=datetime(2024, 1, 1),  # noqa: DTZ001
        )


def test_market_date_and_midnight_use_new_york() -> None:
    late_evening_ny = datetime(2024, 3, 9, 3, 30, tzinfo=UTC)  # 22:30 on the 8th in New York
    assert market_date(late_evening_ny).day == 8
    assert next_market_midnight(late_evening_ny) == datetime(2024, 3, 9, 5, tzinfo=UTC)


def test_pnl_percent_is_on_absolute_basis() -> None:
    assert unrealized_pnl_percent(Decimal(100), Decimal(1500)) == Decimal("6.67")
    assert unrealized_pnl_percent(Decimal(50), Decimal(-1000)) == Decimal("5.00")
    assert unrealized_pnl_percent(Decimal(5), Decimal(0)) == Decimal(0)
