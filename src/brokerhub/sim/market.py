"""The simulated market: quotes of stocks and options, bars and option chains at any instant.

Stocks quote a spread of ``spread_bps`` around the path's mid (at least one cent a side);
options quote 2 % of their Black-Scholes value around it (at least one cent a side, the bid
never below zero). A symbol's path is GBM from the seed unless a replay was given for it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import NamedTuple

from brokerhub.core.clock import ensure_utc, market_time
from brokerhub.core.instruments import (
    OCC_PATTERN,
    Instrument,
    OptionContract,
    OptionRight,
    parse_occ,
)
from brokerhub.core.marketdata import (
    TIMEFRAME_SECONDS,
    Bar,
    OptionChain,
    OptionQuote,
    Quote,
    Timeframe,
)
from brokerhub.core.money import CENT, ZERO
from brokerhub.errors import NotFound, ValidationFailed
from brokerhub.sim.config import SimConfig
from brokerhub.sim.options import (
    OptionValue,
    black_scholes,
    listed_expirations,
    listed_strikes,
)
from brokerhub.sim.prices import GbmPath, PricePath, to_tick
from brokerhub.sim.universe import Universe

OPTION_HALF_SPREAD = Decimal("0.01")
BAR_SAMPLES = 60
MAX_BARS = 10_000


class Touch(NamedTuple):
    """The top of book of one instrument at one instant (cents)."""

    bid: Decimal
    ask: Decimal

    @property
    def mid(self) -> Decimal:
        """Return the midpoint of bid and ask."""
        return (self.bid + self.ask) / 2


class Market:
    """Prices of every simulated instrument, as pure functions of the instant.

    Args:
        config: the simulator's configuration (seed, step, spread, rate).
        anchor: the instant every GBM path starts from its listed start price.
        universe: the symbols; the default universe with ``config.seed`` when omitted.
        replays: paths replacing GBM for some symbols (e.g. :class:`ReplayPath`).
    """

    def __init__(
        self,
        config: SimConfig,
        anchor: datetime,
        universe: Universe | None = None,
        replays: Mapping[str, PricePath] | None = None,
    ) -> None:
        self.config = config
        self.anchor = ensure_utc(anchor)
        self.universe = universe or Universe(config.seed)
        self._paths: dict[str, PricePath] = dict(replays or {})
        self._instruments: dict[str, Instrument] = {}

    def path(self, symbol: str) -> PricePath:
        """Return the price path of an underlying symbol.

        Raises:
            NotFound: when the symbol is not a well-formed ticker.
        """
        path = self._paths.get(symbol)
        if path is not None:
            return path
        spec = self.universe.spec(symbol)
        path = self._paths.get(spec.symbol)
        if path is None:
            path = GbmPath(spec, self.config.seed, self.anchor, self.config.step)
            self._paths[spec.symbol] = path
        return path

    def instrument(self, symbol: str) -> Instrument:
        """Return the instrument named by a ticker or an OCC option symbol (memoised).

        Raises:
            NotFound: when the symbol names nothing the simulator trades.
        """
        instrument = self._instruments.get(symbol)
        if instrument is None:
            instrument = self._instruments[symbol] = self._resolve(symbol)
        return instrument

    def _resolve(self, symbol: str) -> Instrument:
        text = symbol.strip().upper()
        if OCC_PATTERN.match(text):
            try:
                contract = parse_occ(text)
            except ValueError as exc:
                raise NotFound(str(exc), broker="paper") from None
            self.universe.spec(contract.underlying)
            return Instrument.from_option(contract)
        spec = self.universe.spec(text)
        return Instrument(
            symbol=spec.symbol, asset_class=spec.asset_class, description=spec.description
        )

    def option_value(self, contract: OptionContract, at: datetime) -> OptionValue:
        """Return the Black-Scholes value and Greeks of a contract at ``at``."""
        spot = self.path(contract.underlying).mids([at])[0]
        volatility = self.universe.spec(contract.underlying).volatility
        return black_scholes(contract, spot, volatility, self.config.risk_free_rate, at)

    def touches(self, instrument: Instrument, instants: Sequence[datetime]) -> list[Touch]:
        """Return the bid and ask of ``instrument`` at each instant."""
        if instrument.option is None:
            return [self._stock_touch(mid) for mid in self.path(instrument.symbol).mids(instants)]
        contract = instrument.option
        return [self._option_touch(self.option_value(contract, at).price) for at in instants]

    def _stock_touch(self, mid: Decimal) -> Touch:
        half = max(CENT, (mid * self.config.spread_bps / 20_000).quantize(CENT, ROUND_HALF_EVEN))
        return Touch(max(CENT, mid - half), mid + half)

    @staticmethod
    def _option_touch(value: Decimal) -> Touch:
        mid = to_tick(value)
        half = max(CENT, (mid * OPTION_HALF_SPREAD).quantize(CENT, ROUND_HALF_EVEN))
        return Touch(max(ZERO, mid - half), mid + half)

    def quote(self, symbol: str, at: datetime) -> Quote:
        """Return the quote of a ticker or OCC symbol at ``at``."""
        instrument = self.instrument(symbol)
        touch = self.touches(instrument, [at])[0]
        underlying = instrument.option.underlying if instrument.option else instrument.symbol
        local = market_time(at)
        midnight = ensure_utc(local.replace(hour=0, minute=0, second=0, microsecond=0))
        volume = self.path(underlying).volume(midnight, at)
        if instrument.option is not None:
            volume = (volume / 1000).to_integral_value()
        return Quote(
            symbol=instrument.symbol,
            bid=touch.bid,
            ask=touch.ask,
            last=touch.mid,
            bid_size=self.config.liquidity_per_step,
            ask_size=self.config.liquidity_per_step,
            volume=volume,
            as_of=at,
        )

    def bars(self, symbol: str, timeframe: Timeframe, start: datetime, end: datetime) -> list[Bar]:
        """Return bars starting in ``[start, end]`` sampled from the path.

        Bars are aligned to multiples of their length from midnight New York. Open is the mid
        at the bar's first instant, close at its last step (or ``end`` for the running bar),
        high and low the extremes of up to :data:`BAR_SAMPLES` evenly spaced samples.

        Raises:
            ValidationFailed: when the range is reversed or asks for more than MAX_BARS bars.
        """
        instrument = self.instrument(symbol)
        if instrument.option is not None:
            raise ValidationFailed("bars are served for stocks and ETFs only", broker="paper")
        start, end = ensure_utc(start), ensure_utc(end)
        if end < start:
            raise ValidationFailed("bars: end is before start", broker="paper")
        length = timedelta(seconds=TIMEFRAME_SECONDS[timeframe])
        local = market_time(start)
        day_start = local.replace(hour=0, minute=0, second=0, microsecond=0)
        first = ensure_utc(day_start + ((local - day_start) // length) * length)
        if first < start:
            first += length
        count = (end - first) // length + 1
        if count > MAX_BARS:
            raise ValidationFailed(f"bars: at most {MAX_BARS} bars per request", broker="paper")
        path = self.path(instrument.symbol)
        return [
            self._bar(path, instrument.symbol, timeframe, first + n * length, length, end)
            for n in range(max(0, count))
        ]

    def _bar(
        self,
        path: PricePath,
        symbol: str,
        timeframe: Timeframe,
        start: datetime,
        length: timedelta,
        end: datetime,
    ) -> Bar:
        last = min(start + length - self.config.step, end)
        samples = max(1, min(BAR_SAMPLES, (last - start) // self.config.step))
        instants = [start + (last - start) * n / samples for n in range(samples)] + [last]
        mids = path.mids(instants)
        return Bar(
            symbol=symbol,
            timeframe=timeframe,
            start=start,
            open=mids[0],
            high=max(mids),
            low=min(mids),
            close=mids[-1],
            volume=path.volume(start, last + self.config.step),
        )

    def expirations(self, symbol: str, at: datetime) -> list[date]:
        """Return the listed option expirations of ``symbol`` at ``at``."""
        self.universe.spec(symbol)
        return listed_expirations(at)

    def chain(self, symbol: str, expiration: date, at: datetime) -> OptionChain:
        """Return the calls and puts of one expiration around the current spot.

        Raises:
            NotFound: when ``expiration`` is not listed.
        """
        spec = self.universe.spec(symbol)
        if expiration not in listed_expirations(at):
            raise NotFound(f"{spec.symbol} has no options expiring {expiration}", broker="paper")
        spot = self.path(spec.symbol).mids([at])[0]
        calls: list[OptionQuote] = []
        puts: list[OptionQuote] = []
        for strike in listed_strikes(spot):
            for right, side in ((OptionRight.CALL, calls), (OptionRight.PUT, puts)):
                contract = OptionContract(
                    underlying=spec.symbol, expiration=expiration, right=right, strike=strike
                )
                value = black_scholes(
                    contract, spot, spec.volatility, self.config.risk_free_rate, at
                )
                touch = self._option_touch(value.price)
                side.append(
                    OptionQuote(
                        contract=contract,
                        symbol=contract.occ_symbol,
                        bid=touch.bid,
                        ask=touch.ask,
                        last=touch.mid,
                        greeks=value.greeks,
                    )
                )
        return OptionChain(
            underlying=spec.symbol,
            expiration=expiration,
            underlying_price=spot,
            calls=calls,
            puts=puts,
            as_of=at,
        )
