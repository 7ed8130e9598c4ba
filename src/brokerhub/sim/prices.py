"""Price paths: geometric Brownian motion from the seed, or a replay of OHLCV bars.

A path gives the mid price of one symbol at any instant. Prices are Decimal quantized to the
cent (tick 0.01, never below one cent); floats live only inside the random walk.

The GBM path is a dyadic Brownian bridge: the walk's value at any step is built from
independent standard normals drawn from ``blake2b(seed, symbol, node)``, so any instant -
before or after the anchor - is computed in about 40 draws without walking the steps before
it, and the same seed and symbol always give the same path.
"""

from __future__ import annotations

import csv
import hashlib
import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from itertools import pairwise
from pathlib import Path
from statistics import NormalDist
from typing import Protocol

from brokerhub.core.clock import ensure_utc
from brokerhub.core.money import CENT, to_decimal
from brokerhub.sim.universe import SymbolSpec

SECONDS_PER_YEAR = 365.25 * 86_400
BRIDGE_DEPTH = 40
BRIDGE_ORIGIN = 1 << (BRIDGE_DEPTH - 1)
MEMO_LIMIT = 200_000
_STANDARD_NORMAL = NormalDist()


class PricePath(Protocol):
    """The mid price of one symbol over time."""

    def mids(self, instants: Sequence[datetime]) -> list[Decimal]:
        """Return the mid at each instant."""
        ...

    def volume(self, start: datetime, end: datetime) -> Decimal:
        """Return the shares traded in ``[start, end)``."""
        ...


def to_tick(value: float | Decimal) -> Decimal:
    """Return a price quantized to the cent, at least one cent."""
    price = Decimal(repr(value)) if isinstance(value, float) else value
    return max(CENT, price.quantize(CENT, rounding=ROUND_HALF_EVEN))


class BrownianBridge:
    """A standard random walk (one unit of variance per step) defined at every integer step.

    Args:
        key: bytes naming the walk (seed and symbol); the same key gives the same walk.
    """

    def __init__(self, key: bytes) -> None:
        self._key = hashlib.blake2b(key, digest_size=32).digest()
        top = 1 << BRIDGE_DEPTH
        self._memo: dict[int, float] = {0: 0.0, top: math.sqrt(top) * self._normal(top)}
        self._roots = dict(self._memo)

    def _normal(self, position: int) -> float:
        digest = hashlib.blake2b(position.to_bytes(8, "big"), key=self._key, digest_size=8).digest()
        uniform = (int.from_bytes(digest, "big") + 0.5) / 2**64
        return _STANDARD_NORMAL.inv_cdf(uniform)

    def _value(self, position: int) -> float:
        known = self._memo.get(position)
        if known is not None:
            return known
        half = position & -position
        left = self._value(position - half)
        right = self._value(position + half)
        value = (left + right) / 2 + math.sqrt(half / 2) * self._normal(position)
        self._memo[position] = value
        return value

    def walk(self, steps: Sequence[int]) -> list[float]:
        """Return the walk at each step, relative to its value at step 0.

        Raises:
            ValueError: when a step is outside +-2**39.
        """
        if len(self._memo) > MEMO_LIMIT:
            self._memo = dict(self._roots)
        origin = self._value(BRIDGE_ORIGIN)
        values = []
        for step in steps:
            position = BRIDGE_ORIGIN + step
            if not 0 <= position <= 1 << BRIDGE_DEPTH:
                raise ValueError(f"step {step} is outside the simulated time range")
            values.append(self._value(position) - origin)
        return values


class GbmPath:
    """Geometric Brownian motion starting at ``spec.start_price`` at ``anchor``.

    Args:
        spec: the symbol's start price, volatility and drift.
        seed: the simulator's seed.
        anchor: the instant the path equals the start price (the exchange's clock anchor).
        step: the length of one step; the price is constant within a step.
    """

    def __init__(self, spec: SymbolSpec, seed: int, anchor: datetime, step: timedelta) -> None:
        self._anchor = ensure_utc(anchor)
        self._step = step
        self._step_seconds = step.total_seconds()
        self._log_start = math.log(float(spec.start_price))
        dt = self._step_seconds / SECONDS_PER_YEAR
        sigma = float(spec.volatility)
        self._drift_per_step = (float(spec.drift) - sigma * sigma / 2) * dt
        self._sigma_per_step = sigma * math.sqrt(dt)
        self._bridge = BrownianBridge(f"gbm:{seed}:{spec.symbol}".encode())
        self._volume_key = f"vol:{seed}:{spec.symbol}"

    def step_index(self, instant: datetime) -> int:
        """Return the number of whole steps from the anchor to ``instant`` (floor)."""
        return (ensure_utc(instant) - self._anchor) // self._step

    def mids(self, instants: Sequence[datetime]) -> list[Decimal]:
        """Return the mid at each instant."""
        steps = [self.step_index(instant) for instant in instants]
        walk = self._bridge.walk(steps)
        return [
            to_tick(math.exp(self._log_start + self._drift_per_step * s + self._sigma_per_step * w))
            for s, w in zip(steps, walk, strict=True)
        ]

    def volume(self, start: datetime, end: datetime) -> Decimal:
        """Return a deterministic volume for ``[start, end)``: 50 to 250 shares a step."""
        steps = max(0, self.step_index(end) - self.step_index(start))
        text = f"{self._volume_key}:{self.step_index(start)}:{steps}"
        digest = hashlib.blake2b(text.encode(), digest_size=4).digest()
        return Decimal(steps * (50 + int.from_bytes(digest, "big") % 201))


@dataclass(frozen=True)
class ReplayBar:
    """One OHLCV bar of a replayed series; ``start`` is aware UTC."""

    start: datetime
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal


class ReplayPath:
    """A replay of recorded OHLCV bars.

    Inside a bar the mid visits four prices, each for a quarter of the bar: an up bar
    (close >= open) goes open, low, high, close and a down bar open, high, low, close, so
    stops and limits can trigger on the bar's range. Before the first
    bar the mid is its open; after the last, its close.

    Args:
        bars: the bars, sorted by start (at least one).
    """

    def __init__(self, bars: Sequence[ReplayBar]) -> None:
        if not bars:
            raise ValueError("a replay needs at least one bar")
        self._bars = sorted(bars, key=lambda bar: bar.start)
        starts = [bar.start for bar in self._bars]
        gaps = [later - earlier for earlier, later in pairwise(starts)]
        last_gap = gaps[-1] if gaps else timedelta(minutes=1)
        self._lengths = [*gaps, last_gap]
        self._starts = starts

    @classmethod
    def from_csv(cls, path: Path, shift_to: datetime | None = None) -> ReplayPath:
        """Load bars from a CSV with columns timestamp, open, high, low, close, volume.

        ``timestamp`` is ISO 8601 with an offset (or ``Z``) or epoch seconds. With
        ``shift_to`` every bar moves so the first starts at that instant.

        Raises:
            ValueError: when a row is malformed.
        """
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        bars = [_parse_row(row, number) for number, row in enumerate(rows, start=2)]
        if shift_to is not None and bars:
            offset = ensure_utc(shift_to) - min(bar.start for bar in bars)
            bars = [
                ReplayBar(b.start + offset, b.open, b.high, b.low, b.close, b.volume) for b in bars
            ]
        return cls(bars)

    def _mid(self, instant: datetime) -> Decimal:
        index = bisect_right(self._starts, instant) - 1
        if index < 0:
            return self._bars[0].open
        bar = self._bars[index]
        elapsed = instant - bar.start
        if elapsed >= self._lengths[index]:
            return bar.close
        quarter = min(3, int(4 * elapsed / self._lengths[index]))
        up = bar.close >= bar.open
        sequence = (bar.open, bar.low, bar.high, bar.close)
        if not up:
            sequence = (bar.open, bar.high, bar.low, bar.close)
        return sequence[quarter]

    def mids(self, instants: Sequence[datetime]) -> list[Decimal]:
        """Return the mid at each instant."""
        return [self._mid(instant) for instant in instants]

    def volume(self, start: datetime, end: datetime) -> Decimal:
        """Return the volume of the bars starting in ``[start, end)``."""
        return sum((bar.volume for bar in self._bars if start <= bar.start < end), start=Decimal(0))


def _parse_row(row: dict[str, str], number: int) -> ReplayBar:
    try:
        stamp = row["timestamp"].strip()
        if stamp.replace(".", "", 1).isdigit():
            start = datetime.fromtimestamp(float(stamp), tz=UTC)
        else:
            start = ensure_utc(datetime.fromisoformat(stamp.replace("Z", "+00:00")))
        open_, high, low, close = (
            to_tick(to_decimal(row[name])) for name in ("open", "high", "low", "close")
        )
        volume = to_decimal(row.get("volume") or "0")
    except (KeyError, ValueError) as exc:
        raise ValueError(f"CSV line {number}: {exc}") from exc
    return ReplayBar(start, open_, high, low, close, volume)
