"""Positions: snapshot replacement with change counts, exact round trips."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from brokerhub.core.instruments import Instrument, OptionContract, OptionRight
from brokerhub.core.portfolio import Greeks, Position
from brokerhub.store.models import ConnectionRow
from brokerhub.store.repos import positions
from brokerhub.store.repos.positions import SnapshotCounts

AS_OF = datetime(2024, 5, 1, 20, 0, tzinfo=UTC)
CALL = Instrument.from_option(
    OptionContract(
        underlying="AAPL", expiration=date(2024, 6, 21), right=OptionRight.CALL, strike=Decimal(190)
    )
)


def _position(
    instrument: Instrument, quantity: str, price: str = "10.00", as_of: datetime = AS_OF
) -> Position:
    qty, last = Decimal(quantity), Decimal(price)
    value = qty * last * instrument.multiplier
    return Position(
        instrument=instrument,
        quantity=qty,
        average_price=Decimal("9.123456"),
        current_price=last,
        market_value=value,
        cost_basis=Decimal("91.23456"),
        unrealized_pnl=value - Decimal("91.23456"),
        unrealized_pnl_percent=Decimal("-0.01"),
        as_of=as_of,
        raw={"last": last, "note": "wire"},
    )


async def test_snapshot_round_trips_exactly(
    session: AsyncSession, connection: ConnectionRow
) -> None:
    greeks = Greeks(
        delta=Decimal("0.5123"),
        gamma=Decimal("0.0312"),
        theta=Decimal("-0.0456"),
        vega=Decimal("0.1789"),
        implied_volatility=Decimal("0.2345"),
    )
    option = _position(CALL, "-2", "3.45").model_copy(update={"greeks": greeks})
    stock = _position(Instrument.equity("MSFT"), "10.5")
    counts = await positions.replace_snapshot(
        session, connection_id=connection.id, positions=[stock, option]
    )
    assert counts == SnapshotCounts(added=2, changed=0, removed=0, unchanged=0)
    session.expunge_all()
    loaded = await positions.list_for_connection(session, connection_id=connection.id)
    assert [p.symbol for p in loaded] == sorted([CALL.symbol, "MSFT"])
    by_symbol = {p.symbol: p for p in loaded}
    assert by_symbol["MSFT"].model_dump(exclude={"raw"}) == stock.model_dump(exclude={"raw"})
    assert by_symbol[CALL.symbol].instrument == CALL
    assert by_symbol[CALL.symbol].greeks == greeks
    assert by_symbol[CALL.symbol].market_value == Decimal("-690.0000")
    assert by_symbol["MSFT"].raw == {"last": "10.00", "note": "wire"}
    assert by_symbol["MSFT"].as_of.tzinfo is UTC


async def test_replace_counts_added_changed_removed(
    session: AsyncSession, connection: ConnectionRow
) -> None:
    first = [
        _position(Instrument.equity("AAPL"), "1"),
        _position(Instrument.equity("MSFT"), "2"),
        _position(Instrument.equity("TSLA"), "3"),
    ]
    await positions.replace_snapshot(session, connection_id=connection.id, positions=first)
    later = AS_OF + timedelta(minutes=5)
    second = [
        _position(Instrument.equity("AAPL"), "1", as_of=later),  # only as_of moved
        _position(Instrument.equity("MSFT"), "2", "11.00", as_of=later),
        _position(Instrument.equity("NVDA"), "4", as_of=later),
    ]
    counts = await positions.replace_snapshot(
        session, connection_id=connection.id, positions=second
    )
    assert counts == SnapshotCounts(added=1, changed=1, removed=1, unchanged=1)
    assert counts.any_change
    session.expunge_all()
    loaded = await positions.list_for_connection(session, connection_id=connection.id)
    assert [(p.symbol, p.current_price, p.as_of) for p in loaded] == [
        ("AAPL", Decimal("10.00"), later),
        ("MSFT", Decimal("11.00"), later),
        ("NVDA", Decimal("10.00"), later),
    ]
    again = await positions.replace_snapshot(session, connection_id=connection.id, positions=second)
    assert not again.any_change
    emptied = await positions.replace_snapshot(session, connection_id=connection.id, positions=[])
    assert emptied == SnapshotCounts(added=0, changed=0, removed=3, unchanged=0)
    assert await positions.list_for_connection(session, connection_id=connection.id) == []


async def test_duplicate_symbols_are_refused(
    session: AsyncSession, connection: ConnectionRow
) -> None:
    twice = [_position(Instrument.equity("AAPL"), "1"), _position(Instrument.equity("AAPL"), "2")]
    with pytest.raises(ValueError, match="same symbol twice"):
        await positions.replace_snapshot(session, connection_id=connection.id, positions=twice)
