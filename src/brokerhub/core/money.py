"""Decimal helpers: money, prices and quantities are Decimal end to end."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator

CENT = Decimal("0.01")
ZERO = Decimal(0)


def to_decimal(value: object) -> Decimal:
    """Return ``value`` as a Decimal, going through ``str`` so floats keep their printed form.

    Raises:
        ValueError: when the value is not a finite number.
    """
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    elif isinstance(value, int | str | float):
        try:
            result = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a number") from None
    else:
        raise ValueError(f"{value!r} is not a number")
    if not result.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    return result


def quantize_cents(value: Decimal) -> Decimal:
    """Round to the cent with banker's rounding (used only for display and cash postings)."""
    return value.quantize(CENT, rounding=ROUND_HALF_EVEN)


def _positive(value: Decimal) -> Decimal:
    if value <= 0:
        raise ValueError("must be greater than zero")
    return value


def _non_negative(value: Decimal) -> Decimal:
    if value < 0:
        raise ValueError("must not be negative")
    return value


Amount = Annotated[Decimal, BeforeValidator(to_decimal)]
"""Any finite Decimal; signed amounts use credits positive, debits negative."""

PositiveDecimal = Annotated[Decimal, BeforeValidator(to_decimal), AfterValidator(_positive)]
NonNegativeDecimal = Annotated[Decimal, BeforeValidator(to_decimal), AfterValidator(_non_negative)]
