"""Instruments and OCC option symbols.

An OCC symbol is the 21-character OSI form: the root padded with spaces to 6 characters,
the expiration as YYMMDD, C or P, and the strike times 1000 as 8 digits, e.g.
``AAPL  240119C00150000``. The compact form without padding (``AAPL240119C00150000``)
is accepted on input.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import field_validator, model_validator

from brokerhub.core.base import CoreModel
from brokerhub.core.money import PositiveDecimal

OCC_PATTERN = re.compile(
    r"^(?P<root>[A-Z0-9.]{1,6}) *(?P<ymd>\d{6})(?P<right>[CP])(?P<strike>\d{8})$"
)
STRIKE_SCALE = Decimal(1000)
MAX_OCC_STRIKE = Decimal("99999.999")


class AssetClass(StrEnum):
    """What kind of thing an instrument is."""

    EQUITY = "equity"
    ETF = "etf"
    OPTION = "option"
    FUTURE = "future"
    CRYPTO = "crypto"


class OptionRight(StrEnum):
    """Call or put."""

    CALL = "call"
    PUT = "put"


class OptionContract(CoreModel):
    """The terms of one listed equity option (standard 100-share deliverable by default)."""

    underlying: str
    expiration: date
    right: OptionRight
    strike: PositiveDecimal
    multiplier: PositiveDecimal = Decimal(100)

    @field_validator("underlying")
    @classmethod
    def _upper_root(cls, value: str) -> str:
        root = value.strip().upper()
        if not 1 <= len(root) <= 6:
            raise ValueError("an option root has 1 to 6 characters")
        return root

    @property
    def occ_symbol(self) -> str:
        """Return the padded 21-character OCC symbol."""
        return format_occ(self)


class Instrument(CoreModel):
    """A tradable thing. Options carry their contract terms; ``symbol`` is then the OCC symbol."""

    symbol: str
    asset_class: AssetClass = AssetClass.EQUITY
    option: OptionContract | None = None
    description: str | None = None

    @field_validator("symbol")
    @classmethod
    def _clean_symbol(cls, value: str) -> str:
        symbol = value.strip().upper()
        if not symbol:
            raise ValueError("symbol must not be empty")
        return symbol

    @model_validator(mode="after")
    def _option_terms_match(self) -> Instrument:
        if self.asset_class is AssetClass.OPTION:
            if self.option is None:
                raise ValueError("an option instrument needs its contract terms (option)")
            if self.symbol != self.option.occ_symbol:
                raise ValueError(
                    f"symbol {self.symbol!r} is not the OCC symbol {self.option.occ_symbol!r}"
                )
        elif self.option is not None:
            raise ValueError("only an option instrument has contract terms")
        return self

    @property
    def multiplier(self) -> Decimal:
        """Return the value of one point of price per unit held (100 for a standard option)."""
        return self.option.multiplier if self.option else Decimal(1)

    @classmethod
    def equity(cls, symbol: str) -> Instrument:
        """Return a stock instrument."""
        return cls(symbol=symbol, asset_class=AssetClass.EQUITY)

    @classmethod
    def from_option(cls, contract: OptionContract) -> Instrument:
        """Return the option instrument of a contract."""
        return cls(symbol=contract.occ_symbol, asset_class=AssetClass.OPTION, option=contract)

    @classmethod
    def from_occ(cls, occ_symbol: str) -> Instrument:
        """Return the option instrument named by an OCC symbol."""
        return cls.from_option(parse_occ(occ_symbol))


def parse_occ(occ_symbol: str) -> OptionContract:
    """Return the contract named by an OCC symbol (padded or compact).

    Raises:
        ValueError: when the text is not an OCC symbol.
    """
    match = OCC_PATTERN.match(occ_symbol.strip().upper())
    if match is None:
        raise ValueError(
            f"{occ_symbol!r} is not an OCC option symbol (e.g. 'AAPL  240119C00150000')"
        )
    ymd = match["ymd"]
    try:
        expiration = date(2000 + int(ymd[:2]), int(ymd[2:4]), int(ymd[4:]))
    except ValueError:
        raise ValueError(f"{occ_symbol!r} has an impossible expiration date {ymd}") from None
    strike = Decimal(match["strike"]) / STRIKE_SCALE
    if strike <= 0:
        raise ValueError(f"{occ_symbol!r} has a zero strike")
    return OptionContract(
        underlying=match["root"],
        expiration=expiration,
        right=OptionRight.CALL if match["right"] == "C" else OptionRight.PUT,
        strike=strike,
    )


def format_occ(contract: OptionContract) -> str:
    """Return the padded 21-character OCC symbol of a contract.

    Raises:
        ValueError: when the strike has more than 3 decimals or does not fit 8 digits, or the
            expiration is outside 2000-2099.
    """
    scaled = contract.strike * STRIKE_SCALE
    if scaled != scaled.to_integral_value() or contract.strike > MAX_OCC_STRIKE:
        raise ValueError(f"strike {contract.strike} cannot be written in an OCC symbol")
    if not 2000 <= contract.expiration.year <= 2099:
        raise ValueError(f"expiration {contract.expiration} cannot be written in an OCC symbol")
    right = "C" if contract.right is OptionRight.CALL else "P"
    return f"{contract.underlying:<6}{contract.expiration:%y%m%d}{right}{int(scaled):08d}"
