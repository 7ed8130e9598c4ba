"""Time rules: aware UTC inside, America/New_York only for market time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

MARKET_TZ = ZoneInfo("America/New_York")


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def ensure_utc(value: datetime) -> datetime:
    """Return ``value`` converted to UTC; a naive datetime is a programming error."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value.isoformat()} has no timezone; use aware UTC")
    return value.astimezone(UTC)


def market_time(value: datetime) -> datetime:
    """Return ``value`` as wall-clock time in New York (the US equity market's zone)."""
    return ensure_utc(value).astimezone(MARKET_TZ)


def market_date(value: datetime) -> date:
    """Return the New York calendar date of an instant."""
    return market_time(value).date()


def next_market_midnight(value: datetime) -> datetime:
    """Return the next midnight in New York after ``value``, as UTC."""
    local = market_time(value)
    tomorrow = date.fromordinal(local.date().toordinal() + 1)
    return datetime.combine(tomorrow, time(0), tzinfo=MARKET_TZ).astimezone(UTC)
