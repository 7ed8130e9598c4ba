"""Price paths: determinism by seed, cent ticks, bars and CSV replay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from brokerhub.core.marketdata import Timeframe
from brokerhub.errors import NotFound
from brokerhub.sim.config import SimConfig
from brokerhub.sim.market import Market
from brokerhub.sim.prices import ReplayPath
from brokerhub.sim.universe import DEFAULT_UNIVERSE, Universe

ANCHOR = datetime(2025, 1, 6, 15, 0, tzinfo=UTC)
INSTANTS = [ANCHOR + timedelta(seconds=s) for s in range(-600, 3600, 7)]


def test_same_seed_gives_identical_paths() -> None:
    first = Market(SimConfig(seed=11), ANCHOR)
    second = Market(SimConfig(seed=11), ANCHOR)
    for symbol in ("AAPL", "SPY", "ZZZZ"):
        assert first.path(symbol).mids(INSTANTS) == second.path(symbol).mids(INSTANTS)


def test_different_seed_or_symbol_gives_different_paths() -> None:
    base = Market(SimConfig(seed=11), ANCHOR).path("AAPL").mids(INSTANTS)
    assert Market(SimConfig(seed=12), ANCHOR).path("AAPL").mids(INSTANTS) != base
    assert Market(SimConfig(seed=11), ANCHOR).path("MSFT").mids(INSTANTS) != base


def test_path_starts_at_the_listed_price_and_moves_in_cents() -> None:
    market = Market(SimConfig(), ANCHOR)
    mids = market.path("AAPL").mids(INSTANTS)
    assert market.path("AAPL").mids([ANCHOR]) == [DEFAULT_UNIVERSE["AAPL"].start_price]
    assert all(mid == mid.quantize(Decimal("0.01")) and mid > 0 for mid in mids)
    assert len(set(mids)) > 50


def test_quote_brackets_the_mid_with_a_cent_spread() -> None:
    quote = Market(SimConfig(), ANCHOR).quote("KO", ANCHOR)
    assert quote.bid is not None
    assert quote.ask is not None
    assert quote.ask - quote.bid == Decimal("0.02")
    assert quote.last == quote.mid == Decimal("62.00")


def test_unknown_well_formed_symbols_are_priced_and_malformed_ones_are_not() -> None:
    universe = Universe(seed=3)
    assert universe.spec("ZZZZ") == Universe(seed=3).spec("zzzz")
    assert Decimal(10) <= universe.spec("ZZZZ").start_price <= Decimal(500)
    with pytest.raises(NotFound):
        universe.spec("NOT A TICKER")


def test_search_ranks_ticker_hits_first() -> None:
    matches = Universe(seed=1).search("a")
    assert matches[0].symbol == "AAPL"
    assert [m.symbol for m in Universe(seed=1).search("Microsoft")] == ["MSFT"]


@pytest.mark.parametrize("timeframe", list(Timeframe))
def test_bars_are_consistent_for_every_timeframe(timeframe: Timeframe) -> None:
    market = Market(SimConfig(), ANCHOR)
    end = ANCHOR + timedelta(hours=2)
    bars = market.bars("MSFT", timeframe, end - timedelta(hours=30), end)
    assert bars
    for bar in bars:
        assert bar.low <= min(bar.open, bar.close) <= max(bar.open, bar.close) <= bar.high
        assert bar.start <= end
    starts = [bar.start for bar in bars]
    assert starts == sorted(set(starts))


def test_minute_bar_covers_every_step() -> None:
    market = Market(SimConfig(), ANCHOR)
    bar = market.bars("AAPL", Timeframe.MINUTE, ANCHOR, ANCHOR + timedelta(seconds=59))[0]
    mids = market.path("AAPL").mids([ANCHOR + timedelta(seconds=s) for s in range(60)])
    assert (bar.open, bar.high, bar.low, bar.close) == (mids[0], max(mids), min(mids), mids[-1])


def test_replay_follows_the_csv_bars(tmp_path: Path) -> None:
    csv_file = tmp_path / "bars.csv"
    csv_file.write_text(
        "timestamp,open,high,low,close,volume\n"
        "2024-03-01T14:30:00Z,100,104,99,103,1000\n"
        "2024-03-01T14:31:00Z,103,103.5,101,101.5,800\n",
        encoding="utf-8",
    )
    path = ReplayPath.from_csv(csv_file, shift_to=ANCHOR)
    seconds = [0, 15, 30, 45, 60, 75, 90, 105, 300]
    mids = path.mids([ANCHOR + timedelta(seconds=s) for s in seconds])
    expected = ["100", "99", "104", "103", "103", "103.5", "101", "101.5", "101.5"]
    assert mids == [Decimal(p) for p in expected]
    assert path.volume(ANCHOR, ANCHOR + timedelta(minutes=5)) == Decimal(1800)
    market = Market(SimConfig(), ANCHOR, replays={"XYZ": path})
    assert market.quote("XYZ", ANCHOR + timedelta(seconds=30)).last == Decimal(104)
