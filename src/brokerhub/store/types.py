"""Column types that keep the hub's rules in the database: exact Decimals and aware UTC time."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import DateTime, Dialect, Numeric, String
from sqlalchemy.types import TypeDecorator, TypeEngine


class UtcDateTime(TypeDecorator[datetime]):
    """``TIMESTAMP WITH TIME ZONE`` that returns aware UTC datetimes on every database.

    Naive datetimes are refused on the way in. SQLite has no time zone type, so values are
    stored there as UTC wall-clock text (which also sorts correctly) and read back as UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return ``value`` in UTC (naive on SQLite), refusing naive input.

        Raises:
            ValueError: when ``value`` is naive.
        """
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} cannot be stored; use aware UTC")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return the stored value as an aware UTC datetime."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class ExactDecimal(TypeDecorator[Decimal]):
    """An exact Decimal: unconstrained ``NUMERIC`` on PostgreSQL, canonical text on SQLite.

    SQLite's NUMERIC goes through binary floating point, so there the Decimal's string form is
    stored instead and parsed back unchanged. Floats are refused so nothing inexact gets in.
    """

    impl = Numeric
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """Return text on SQLite and ``NUMERIC`` elsewhere."""
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String())
        return dialect.type_descriptor(Numeric(asdecimal=True))

    def process_bind_param(self, value: Decimal | int | None, dialect: Dialect) -> Any:
        """Return ``value`` as the database stores it.

        Raises:
            TypeError: for a float, a bool or anything else that is not a Decimal or int.
            ValueError: for NaN or infinity.
        """
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, Decimal | int):
            raise TypeError(f"{value!r} is not a Decimal; money is never stored from a float")
        number = Decimal(value)
        if not number.is_finite():
            raise ValueError(f"{value!r} is not a finite number")
        return str(number) if dialect.name == "sqlite" else number

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        """Return the stored value as a Decimal."""
        if value is None:
            return None
        return value if isinstance(value, Decimal) else Decimal(str(value))


E = TypeVar("E", bound=StrEnum)


class StrEnumType(TypeDecorator[E]):
    """A ``VARCHAR`` holding a StrEnum's value, returned as the enum member.

    Args:
        enum_class: the StrEnum stored in the column.
        length: the column width; every member's value must fit.
    """

    impl = String
    cache_ok = True

    def __init__(self, enum_class: type[E], length: int) -> None:
        super().__init__(length)
        self.enum_class = enum_class

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        """Return the member's value, refusing strings that are not members.

        Raises:
            ValueError: when ``value`` is not a value of the enum.
        """
        return None if value is None else self.enum_class(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> E | None:
        """Return the enum member of the stored value."""
        return None if value is None else self.enum_class(value)
