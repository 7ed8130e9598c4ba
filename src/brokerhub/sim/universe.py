"""The symbols the simulator knows, with starting prices and volatilities.

Known symbols come from :data:`DEFAULT_UNIVERSE`. Any other well-formed ticker (1 to 5
letters, optionally a ``.`` class suffix such as ``BRK.B``) is also tradable: its start price
(10 to 500 USD) and volatility (20 % to 60 %) are derived from a stable hash of the seed and
the symbol, so it is the same in every run. Malformed symbols raise ``NotFound``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal

from brokerhub.core.instruments import AssetClass
from brokerhub.core.marketdata import SymbolMatch
from brokerhub.errors import NotFound

TICKER_PATTERN = re.compile(r"^[A-Z]{1,5}(\.[A-Z]{1,2})?$")


@dataclass(frozen=True)
class SymbolSpec:
    """A simulated stock or ETF: where its path starts and how much it moves.

    Attributes:
        symbol: the ticker.
        description: the company or fund name.
        asset_class: equity or ETF.
        start_price: the mid at the exchange's anchor instant (USD).
        volatility: annualised volatility of the log price (0.25 is 25 %).
        drift: annualised drift of the log price before the volatility correction.
    """

    symbol: str
    description: str
    asset_class: AssetClass
    start_price: Decimal
    volatility: Decimal
    drift: Decimal = Decimal(0)


def _spec(symbol: str, name: str, price: str, vol: str, etf: bool = False) -> SymbolSpec:
    kind = AssetClass.ETF if etf else AssetClass.EQUITY
    return SymbolSpec(symbol, name, kind, Decimal(price), Decimal(vol))


DEFAULT_UNIVERSE: dict[str, SymbolSpec] = {
    spec.symbol: spec
    for spec in (
        _spec("AAPL", "Apple Inc.", "190.00", "0.25"),
        _spec("MSFT", "Microsoft Corporation", "420.00", "0.24"),
        _spec("GOOGL", "Alphabet Inc. Class A", "170.00", "0.28"),
        _spec("AMZN", "Amazon.com, Inc.", "185.00", "0.30"),
        _spec("META", "Meta Platforms, Inc.", "500.00", "0.35"),
        _spec("TSLA", "Tesla, Inc.", "250.00", "0.55"),
        _spec("NVDA", "NVIDIA Corporation", "120.00", "0.50"),
        _spec("AMD", "Advanced Micro Devices, Inc.", "160.00", "0.48"),
        _spec("NFLX", "Netflix, Inc.", "650.00", "0.38"),
        _spec("JPM", "JPMorgan Chase & Co.", "200.00", "0.22"),
        _spec("BAC", "Bank of America Corporation", "40.00", "0.26"),
        _spec("KO", "The Coca-Cola Company", "62.00", "0.15"),
        _spec("PFE", "Pfizer Inc.", "28.00", "0.24"),
        _spec("XOM", "Exxon Mobil Corporation", "115.00", "0.24"),
        _spec("DIS", "The Walt Disney Company", "100.00", "0.28"),
        _spec("INTC", "Intel Corporation", "30.00", "0.40"),
        _spec("F", "Ford Motor Company", "12.00", "0.38"),
        _spec("BRK.B", "Berkshire Hathaway Inc. Class B", "410.00", "0.17"),
        _spec("SPY", "SPDR S&P 500 ETF Trust", "550.00", "0.15", etf=True),
        _spec("QQQ", "Invesco QQQ Trust", "480.00", "0.20", etf=True),
        _spec("IWM", "iShares Russell 2000 ETF", "210.00", "0.22", etf=True),
        _spec("DIA", "SPDR Dow Jones Industrial Average ETF", "400.00", "0.14", etf=True),
        _spec("GLD", "SPDR Gold Shares", "220.00", "0.14", etf=True),
        _spec("TLT", "iShares 20+ Year Treasury Bond ETF", "95.00", "0.16", etf=True),
    )
}


class Universe:
    """Look up and search the simulator's symbols.

    Args:
        seed: the simulator's seed, used to derive specs of unlisted tickers.
        specs: the listed symbols; :data:`DEFAULT_UNIVERSE` when omitted.
    """

    def __init__(self, seed: int, specs: dict[str, SymbolSpec] | None = None) -> None:
        self._seed = seed
        self._specs = dict(DEFAULT_UNIVERSE if specs is None else specs)

    def spec(self, symbol: str) -> SymbolSpec:
        """Return the spec of ``symbol``, deriving one for an unlisted well-formed ticker.

        Raises:
            NotFound: when ``symbol`` is not a well-formed ticker.
        """
        ticker = symbol.strip().upper()
        listed = self._specs.get(ticker)
        if listed is not None:
            return listed
        if not TICKER_PATTERN.match(ticker):
            raise NotFound(f"unknown symbol {symbol!r}", broker="paper")
        digest = hashlib.blake2b(f"{self._seed}:{ticker}".encode(), digest_size=8).digest()
        price_cents = 1000 + int.from_bytes(digest[:4], "big") % 49_001
        vol_bp = 2000 + int.from_bytes(digest[4:], "big") % 4001
        return SymbolSpec(
            symbol=ticker,
            description=f"{ticker} (simulated)",
            asset_class=AssetClass.EQUITY,
            start_price=Decimal(price_cents) / 100,
            volatility=Decimal(vol_bp) / 10_000,
        )

    def search(self, query: str, limit: int = 20) -> list[SymbolMatch]:
        """Return listed symbols whose ticker or name contains ``query`` (ticker hits first)."""
        needle = query.strip().upper()
        if not needle:
            return []
        scored: list[tuple[int, str, SymbolSpec]] = []
        for spec in self._specs.values():
            if spec.symbol == needle:
                rank = 0
            elif spec.symbol.startswith(needle):
                rank = 1
            elif needle in spec.description.upper():
                rank = 2
            else:
                continue
            scored.append((rank, spec.symbol, spec))
        scored.sort(key=lambda item: (item[0], item[1]))
        return [
            SymbolMatch(
                symbol=spec.symbol,
                description=spec.description,
                asset_class=spec.asset_class.value,
            )
            for _, _, spec in scored[:limit]
        ]
