"""When the simulated market is open: always (default) or the real NYSE calendar.

A session is a half-open interval ``[open, close)`` of UTC instants. Matching only happens
inside sessions; a DAY order expires at the close of the session it first works in. The
always-open calendar has one session per New York calendar day, so DAY orders expire at the
next New York midnight and the demo trades at any hour.
"""

from __future__ import annotations

import warnings
from bisect import bisect_right
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Protocol

from brokerhub.core.clock import ensure_utc, next_market_midnight

Session = tuple[datetime, datetime]
"""One trading session as (open, close) in UTC."""


class MarketCalendar(Protocol):
    """Trading sessions of the simulated market."""

    def session_at_or_after(self, instant: datetime) -> Session:
        """Return the session containing ``instant``, or the next one to open after it."""
        ...


class AlwaysOpenCalendar:
    """A market that never closes; each New York calendar day is one session."""

    def __init__(self) -> None:
        # An instant seen and the New York midnight after it: every instant between the two
        # is in the same New York day, so the time zone arithmetic runs once a day.
        self._day: Session | None = None

    def session_at_or_after(self, instant: datetime) -> Session:
        """Return the New York day containing ``instant`` as a session."""
        instant = ensure_utc(instant)
        day = self._day
        if day is None or not day[0] <= instant < day[1]:
            day = self._day = (instant, next_market_midnight(instant))
        return instant, day[1]


class NyseCalendar:
    """The NYSE (XNYS) calendar from exchange_calendars: holidays, early closes, 9:30-16:00 ET.

    Args:
        first_day: the first day the calendar must cover.
        last_day: the last day it must cover (exchange_calendars covers about a year ahead).
    """

    def __init__(self, first_day: date, last_day: date | None = None) -> None:
        sessions = _nyse_sessions(first_day, last_day)
        self._opens = [open_ for open_, _ in sessions]
        self._sessions = sessions

    def session_at_or_after(self, instant: datetime) -> Session:
        """Return the session containing ``instant``, or the next one after it.

        Raises:
            ValueError: when ``instant`` is past the calendar's last session.
        """
        instant = ensure_utc(instant)
        index = bisect_right(self._opens, instant) - 1
        if index >= 0 and instant < self._sessions[index][1]:
            return self._sessions[index]
        if index + 1 >= len(self._sessions):
            raise ValueError(f"{instant.isoformat()} is past the last known NYSE session")
        return self._sessions[index + 1]


@lru_cache(maxsize=4)
def _nyse_sessions(first_day: date, last_day: date | None) -> tuple[Session, ...]:
    """Return the NYSE sessions from ``first_day`` (cached: building the calendar takes ~2 s)."""
    import exchange_calendars

    start = (first_day - timedelta(days=7)).isoformat()
    with warnings.catch_warnings():
        # exchange_calendars 4.x calls pandas APIs that pandas 3 deprecates; not ours to fix.
        warnings.simplefilter("ignore")
        calendar = exchange_calendars.get_calendar(
            "XNYS", start=start, end=last_day.isoformat() if last_day else None
        )
        schedule = calendar.schedule
        opens = [stamp.to_pydatetime() for stamp in schedule["open"]]
        closes = [stamp.to_pydatetime() for stamp in schedule["close"]]
    return tuple((ensure_utc(o), ensure_utc(c)) for o, c in zip(opens, closes, strict=True))
