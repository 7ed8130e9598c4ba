"""Positions: each sync replaces a connection's snapshot and reports what changed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from brokerhub.core.instruments import Instrument
from brokerhub.core.portfolio import Greeks, Position
from brokerhub.store.models import PositionRow
from brokerhub.store.repos._json import jsonable

# Fields that move on every sync without the holding changing; ignored when counting changes.
VOLATILE_FIELDS = frozenset({"as_of", "raw"})


@dataclass(frozen=True, slots=True)
class SnapshotCounts:
    """What :func:`replace_snapshot` did, by symbol.

    ``changed`` counts kept symbols whose position differs in anything but ``as_of`` and
    ``raw``; ``unchanged`` the rest of the kept symbols.
    """

    added: int
    changed: int
    removed: int
    unchanged: int

    @property
    def any_change(self) -> bool:
        """Return whether a position was added, changed or removed."""
        return bool(self.added or self.changed or self.removed)


async def replace_snapshot(
    session: AsyncSession, *, connection_id: uuid.UUID, positions: list[Position]
) -> SnapshotCounts:
    """Make ``positions`` the connection's holdings, in the caller's transaction.

    Symbols no longer held are deleted, new ones inserted and kept ones updated in place.

    Raises:
        ValueError: when two positions have the same symbol.
    """
    symbols = [position.symbol for position in positions]
    if len(set(symbols)) != len(symbols):
        raise ValueError("a position snapshot lists the same symbol twice")
    query = select(PositionRow).where(PositionRow.connection_id == connection_id)
    existing = {row.symbol: row for row in await session.scalars(query)}
    added = changed = 0
    for position in positions:
        row = existing.pop(position.symbol, None)
        if row is None:
            added += 1
            row = PositionRow(connection_id=connection_id, symbol=position.symbol)
            session.add(row)
        elif _essence(_to_position(row)) != _essence(position):
            changed += 1
        _fill(row, position)
    for row in existing.values():
        await session.delete(row)
    await session.flush()
    kept = len(positions) - added
    return SnapshotCounts(
        added=added, changed=changed, removed=len(existing), unchanged=kept - changed
    )


async def list_for_connection(session: AsyncSession, *, connection_id: uuid.UUID) -> list[Position]:
    """Return the connection's positions, ordered by symbol."""
    query = (
        select(PositionRow)
        .where(PositionRow.connection_id == connection_id)
        .order_by(PositionRow.symbol)
    )
    return [_to_position(row) for row in await session.scalars(query)]


def _to_position(row: PositionRow) -> Position:
    """Return the core position stored in ``row``."""
    return Position(
        instrument=Instrument.model_validate(row.instrument),
        quantity=row.quantity,
        average_price=row.average_price,
        current_price=row.current_price,
        market_value=row.market_value,
        cost_basis=row.cost_basis,
        unrealized_pnl=row.unrealized_pnl,
        unrealized_pnl_percent=row.unrealized_pnl_percent,
        greeks=None if row.greeks is None else Greeks.model_validate(row.greeks),
        as_of=row.as_of,
        raw=row.raw,
    )


def _fill(row: PositionRow, position: Position) -> None:
    row.asset_class = position.instrument.asset_class
    row.instrument = position.instrument.model_dump(mode="json")
    row.quantity = position.quantity
    row.average_price = position.average_price
    row.current_price = position.current_price
    row.market_value = position.market_value
    row.cost_basis = position.cost_basis
    row.unrealized_pnl = position.unrealized_pnl
    row.unrealized_pnl_percent = position.unrealized_pnl_percent
    row.greeks = None if position.greeks is None else position.greeks.model_dump(mode="json")
    row.as_of = position.as_of
    row.raw = jsonable(position.raw)


def _essence(position: Position) -> dict[str, object]:
    return position.model_dump(exclude=set(VOLATILE_FIELDS))
