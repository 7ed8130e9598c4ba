"""G9: orders/s through the embedded paper broker vs backtrader's BackBroker, same order stream.

Stream: N seeded one-minute bars of one symbol (a Gaussian walk) and one market order per bar,
a buy of a seeded quantity then the sell that closes it, so every order fills once.

Hub (the judged figure): :meth:`PaperBroker.place_order`, the call the hub makes when a user
trades, on an in-memory :class:`SimExchange` replaying those bars, the clock moved one bar per
order. Each order is an ``OrderRequest`` with its own client order id, as the hub's order
service sends it (built before the clock starts, like the peer's bars). Each call runs the
whole path: ownership, request and position checks, the buying-power check with margin, the
match at the touch, the fill, the position at average cost and the cash, the ledger's
transaction, and the returned core ``Order``. On an in-memory exchange PaperBroker makes no
thread hop; a disk-backed one (``<home>/paper/exchange.json``) adds one hop and one fsynced
journal append per change, which this benchmark does not measure. The same loop straight on
``SimExchange.place`` is reported as ``exchange_direct``.

Peer: backtrader's Cerebro with a list-backed feed of the same bars, ``runonce=False``,
``stdstats=False``; its strategy places the same market order on every bar and BackBroker
fills it on the next bar's open.

Garbage collection: each side runs with what exists before its clock starts (the interpreter,
the pre-built bars, rows and requests) frozen out of the collector's walks, so it pays for
collecting what it creates (its orders, fills and books), not for walking 100k pre-built
inputs that a running hub never holds.

Goals: hub fills/s >= 10x backtrader at the full size, and the hub's fills/s at 100k orders
within 10 % of its fills/s at 10k (flat per-order cost). The 10k figure is timed over ten
fresh 10k runs back to back, as many orders as the 100k run, so noise weighs on both alike.
"""

from __future__ import annotations

import asyncio
import gc
import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import backtrader

from bench.harness import (
    RUNS,
    BenchResult,
    Figures,
    Timing,
    interleave,
    main,
    pin_self,
    ratio,
    timed,
)
from brokerhub.brokers.paper.adapter import PaperBroker
from brokerhub.core.instruments import Instrument
from brokerhub.core.orders import OrderAction, OrderLeg, OrderRequest
from brokerhub.sim.clock import ManualClock
from brokerhub.sim.config import SimConfig
from brokerhub.sim.exchange import SimExchange
from brokerhub.sim.prices import ReplayBar, ReplayPath

FULL_ORDERS = 100_000
SMALL_ORDERS = 10_000
SYMBOL = "BNCH"
SEED = 7
START = datetime(2024, 1, 2, 14, 30, tzinfo=UTC)
BAR = timedelta(minutes=1)
STARTING_CASH = Decimal(1_000_000_000)
SPEEDUP_GOAL = 10.0
FLATNESS_GOAL = 0.9


@dataclass(frozen=True)
class Stream:
    """The seeded bars and the order placed on each (quantity > 0 buys, < 0 sells)."""

    bars: list[ReplayBar]
    quantities: list[int]


def make_stream(count: int, seed: int = SEED) -> Stream:
    """Return ``count`` bars of a seeded walk and one alternating order per bar."""
    rng = random.Random(seed)
    price = 100.0
    bars = []
    for index in range(count):
        open_ = price
        price = max(1.0, price + rng.gauss(0, 0.2))
        high, low = max(open_, price) + 0.05, min(open_, price) - 0.05
        bars.append(
            ReplayBar(
                start=START + index * BAR,
                open=Decimal(f"{open_:.2f}"),
                high=Decimal(f"{high:.2f}"),
                low=Decimal(f"{max(low, 0.5):.2f}"),
                close=Decimal(f"{price:.2f}"),
                volume=Decimal(100_000),
            )
        )
    # Each sell closes the buy before it, so the account never goes short.
    quantities: list[int] = []
    for index in range(count):
        quantities.append(rng.randrange(1, 10) if index % 2 == 0 else -quantities[-1])
    return Stream(bars=bars, quantities=quantities)


INSTRUMENT = Instrument.equity(SYMBOL)


def _requests(stream: Stream) -> list[OrderRequest]:
    """Return the stream's orders as the hub submits them (each with a client order id)."""
    return [
        OrderRequest(
            legs=[
                OrderLeg(
                    instrument=INSTRUMENT,
                    action=OrderAction.BUY if quantity > 0 else OrderAction.SELL,
                    quantity=Decimal(abs(quantity)),
                )
            ],
            client_order_id=f"g9-{index:08d}",
        )
        for index, quantity in enumerate(stream.quantities)
    ]


@contextmanager
def _measured() -> Iterator[list[Timing]]:
    """Time the block with everything that exists before it frozen out of the GC's walks."""
    gc.collect()
    gc.freeze()
    try:
        with timed() as timing:
            yield timing
    finally:
        gc.unfreeze()


def _exchange(stream: Stream) -> tuple[SimExchange, ManualClock, str]:
    clock = ManualClock(START)
    exchange = SimExchange.in_memory(
        clock, SimConfig(seed=SEED, step=BAR), replays={SYMBOL: ReplayPath(stream.bars)}
    )
    account = exchange.open_account("bench", STARTING_CASH)
    return exchange, clock, account.account_id


def run_hub(stream: Stream, requests: Sequence[OrderRequest]) -> Figures:
    """Place every order through PaperBroker (async, as the hub calls it); return fills/s."""
    exchange, clock, account_id = _exchange(stream)
    broker = PaperBroker(exchange, "bench", STARTING_CASH)

    async def body() -> int:
        filled = 0
        for bar, request in zip(stream.bars, requests, strict=True):
            clock.set(bar.start + BAR / 2)
            order = await broker.place_order(account_id, request)
            filled += order.filled_quantity > 0
        return filled

    with _measured() as timing:
        filled = asyncio.run(body())
    return _figures(len(requests), filled, timing[0].wall, timing[0].cpu)


def run_hub_repeated(stream: Stream, requests: Sequence[OrderRequest], times: int) -> Figures:
    """Run :func:`run_hub` ``times`` over fresh exchanges; return the figures of all of them.

    The small size is timed over as many orders as the full one, so a burst of noise on the
    machine weighs on both alike (one 10k run lasts about a second).
    """
    runs = [run_hub(stream, requests) for _ in range(times)]
    orders = len(requests) * times
    wall = sum(len(requests) / run["fills_per_s"] for run in runs)
    cpu = sum(run["cpu_us_per_order"] * len(requests) for run in runs) / 1e6
    return _figures(orders, orders, wall, cpu)


def run_exchange(stream: Stream, requests: Sequence[OrderRequest]) -> Figures:
    """Place every order straight on the exchange (no adapter); return fills/s."""
    exchange, clock, account_id = _exchange(stream)
    with _measured() as timing:
        filled = 0
        for bar, request in zip(stream.bars, requests, strict=True):
            clock.set(bar.start + BAR / 2)
            filled += exchange.place(account_id, request).filled_quantity > 0
    return _figures(len(requests), filled, timing[0].wall, timing[0].cpu)


class _ListFeed(backtrader.feed.DataBase):  # type: ignore[misc]
    """A backtrader feed over pre-built (datetime, o, h, l, c, v) tuples."""

    params = (("rows", ()),)

    def start(self) -> None:
        super().start()
        self._rows = iter(self.p.rows)

    def _load(self) -> bool:
        row = next(self._rows, None)
        if row is None:
            return False
        moment, open_, high, low, close, volume = row
        self.lines.datetime[0] = backtrader.date2num(moment)
        self.lines.open[0] = open_
        self.lines.high[0] = high
        self.lines.low[0] = low
        self.lines.close[0] = close
        self.lines.volume[0] = volume
        self.lines.openinterest[0] = 0.0
        return True


class _Churn(backtrader.Strategy):  # type: ignore[misc]
    """Place the stream's market order on every bar; count fills."""

    params = (("quantities", ()),)

    def __init__(self) -> None:
        self.index = 0
        self.fills = 0

    def notify_order(self, order: backtrader.Order) -> None:
        if order.status == order.Completed:
            self.fills += 1

    def next(self) -> None:
        if self.index < len(self.p.quantities):
            quantity = self.p.quantities[self.index]
            self.index += 1
            if quantity > 0:
                self.buy(size=quantity)
            else:
                self.sell(size=-quantity)


def run_backtrader(stream: Stream) -> Figures:
    """Run the same orders through backtrader's BackBroker; return fills/s."""
    rows = [
        (
            bar.start.replace(tzinfo=None),
            float(bar.open),
            float(bar.high),
            float(bar.low),
            float(bar.close),
            float(bar.volume),
        )
        for bar in stream.bars
    ]
    # One extra bar so the last order (filled at the next open) fills as well.
    last = rows[-1]
    rows.append((last[0] + BAR, *last[1:]))
    cerebro = backtrader.Cerebro(runonce=False, stdstats=False, preload=True)
    cerebro.adddata(_ListFeed(rows=rows))
    cerebro.addstrategy(_Churn, quantities=stream.quantities)
    cerebro.broker.setcash(float(STARTING_CASH))
    with _measured() as timing:
        [strategy] = cerebro.run()
    return _figures(len(stream.quantities), strategy.fills, timing[0].wall, timing[0].cpu)


def _figures(orders: int, filled: int, wall: float, cpu: float) -> Figures:
    if filled != orders:
        raise AssertionError(f"{filled} of {orders} orders filled")
    return {"fills_per_s": orders / wall, "cpu_us_per_order": cpu / orders * 1e6}


def run(*, scale: float = 1.0, runs: int = RUNS) -> BenchResult:
    """Place a seeded stream of market orders through the paper broker and backtrader."""
    pin_self()
    full = max(20, round(FULL_ORDERS * scale))
    small = max(10, round(SMALL_ORDERS * scale))
    stream, small_stream = make_stream(full), make_stream(small)
    requests, small_requests = _requests(stream), _requests(small_stream)
    medians = interleave(
        {
            "backtrader": lambda: run_backtrader(stream),
            "hub": lambda: run_hub(stream, requests),
            "hub_small": lambda: run_hub_repeated(small_stream, small_requests, full // small),
            "exchange": lambda: run_exchange(stream, requests),
        },
        runs,
    )
    hub, peer = medians["hub"], medians["backtrader"]
    ratios = {
        "vs_backtrader": ratio(hub["fills_per_s"], peer["fills_per_s"]),
        "flatness_full_vs_small": ratio(hub["fills_per_s"], medians["hub_small"]["fills_per_s"]),
        # The same two ratios from CPU per order, which other load on a shared machine moves
        # less than wall time (for reading the figures; the goals are judged on fills/s).
        "cpu_vs_backtrader": ratio(peer["cpu_us_per_order"], hub["cpu_us_per_order"]),
        "cpu_flatness_full_vs_small": ratio(
            medians["hub_small"]["cpu_us_per_order"], hub["cpu_us_per_order"]
        ),
    }
    return BenchResult(
        name="G9 paper matching",
        goal=">= 10x backtrader fills/s; full-size fills/s within 10% of small",
        hub=hub,
        peers={
            "backtrader": peer,
            "hub_at_small_size": medians["hub_small"],
            "exchange_direct": medians["exchange"],
        },
        ratios=ratios,
        passed=ratios["vs_backtrader"] >= SPEEDUP_GOAL
        and ratios["flatness_full_vs_small"] >= FLATNESS_GOAL,
        notes=[
            f"{full:,} orders (small size {small:,}, {full // small} fresh runs back to back per "
            f"run), {runs} runs each, interleaved"
        ],
    )


if __name__ == "__main__":
    main(run)
