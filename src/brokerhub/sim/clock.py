"""The simulator's clocks: a manual clock for tests and the wall clock for the live demo."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from brokerhub.core.clock import ensure_utc, utcnow


class SimClock(Protocol):
    """A source of the current simulated instant (aware UTC)."""

    def now(self) -> datetime:
        """Return the current simulated instant."""
        ...


class ManualClock:
    """A clock that moves only when told to; tests advance it explicitly.

    Args:
        start: the first instant; must be timezone-aware.
    """

    def __init__(self, start: datetime) -> None:
        self._now = ensure_utc(start)

    def now(self) -> datetime:
        """Return the current instant."""
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock forward by ``delta`` and return the new instant.

        Raises:
            ValueError: when ``delta`` is negative (simulated time never runs backwards).
        """
        if delta < timedelta(0):
            raise ValueError("a ManualClock never moves backwards")
        self._now += delta
        return self._now

    def set(self, instant: datetime) -> datetime:
        """Move the clock forward to ``instant`` and return it.

        Raises:
            ValueError: when ``instant`` is earlier than now.
        """
        return self.advance(ensure_utc(instant) - self._now)


class WallClock:
    """The real time, for the live demo and the paper broker."""

    def now(self) -> datetime:
        """Return the current UTC instant."""
        return utcnow()
