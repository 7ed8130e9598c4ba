from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from brokerhub.core.instruments import (
    AssetClass,
    Instrument,
    OptionContract,
    OptionRight,
    format_occ,
    parse_occ,
)


def test_parse_padded_occ_symbol() -> None:
    contract = parse_occ("AAPL  240119C00150000")
    assert contract.underlying == "AAPL"
    assert contract.expiration == date(2024, 1, 19)
    assert contract.right is OptionRight.CALL
    assert contract.strike == Decimal("150")


def test_parse_compact_occ_symbol_with_fractional_strike() -> None:
    contract = parse_occ("spy240621p00432500")
    assert (contract.underlying, contract.right, contract.strike) == (
        "SPY",
        OptionRight.PUT,
        Decimal("432.5"),
    )
    assert format_occ(contract) == "SPY   240621P00432500"


@pytest.mark.parametrize(
    "text", ["", "AAPL", "AAPL  241319C00150000", "AAPL  240119X00150000", "TOOLONGX240119C1"]
)
def test_bad_occ_symbols_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"OCC|expiration"):
        parse_occ(text)


def test_strike_with_four_decimals_cannot_be_written() -> None:
    contract = OptionContract(
        underlying="X", expiration=date(2025, 1, 17), right=OptionRight.CALL, strike="1.2345"
    )
    with pytest.raises(ValueError, match="strike"):
        format_occ(contract)


roots = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=6)
strikes = st.integers(min_value=1, max_value=99_999_999).map(lambda n: Decimal(n) / 1000)


@given(
    root=roots,
    expiration=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    right=st.sampled_from(OptionRight),
    strike=strikes,
)
def test_occ_round_trips(root: str, expiration: date, right: OptionRight, strike: Decimal) -> None:
    contract = OptionContract(underlying=root, expiration=expiration, right=right, strike=strike)
    symbol = format_occ(contract)
    assert len(symbol) == 21
    assert parse_occ(symbol) == contract
    assert parse_occ(symbol.replace(" ", "")) == contract


def test_option_instrument_symbol_must_match_terms() -> None:
    contract = parse_occ("AAPL  240119C00150000")
    assert Instrument.from_option(contract).multiplier == Decimal(100)
    with pytest.raises(ValidationError, match="OCC symbol"):
        Instrument(symbol="AAPL", asset_class=AssetClass.OPTION, option=contract)
    with pytest.raises(ValidationError, match="contract terms"):
        Instrument(symbol="AAPL", asset_class=AssetClass.OPTION)
