"""Paper exchange persistence: changes go to a journal, compacted into a new snapshot.

Every check compares the state a fresh load reads from disk with the live one, byte for byte
in the snapshot's JSON form, so any change the journal missed fails it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from brokerhub.brokers.paper import PaperBroker
from brokerhub.core.orders import OrderAction, OrderStatus, OrderType, TimeInForce
from brokerhub.sim import state as sim_state
from brokerhub.sim.clock import ManualClock
from brokerhub.sim.exchange import SimExchange
from brokerhub.sim.state import SnapshotStore, _snapshot_adapter
from tests.brokers.paper.conftest import CASH, CONFIG, START, order, step


@dataclass
class Opened:
    """A disk-backed exchange, a broker over it for profile ``me`` and that profile's account."""

    exchange: SimExchange
    broker: PaperBroker
    account_id: str


async def _open(path: Path, clock: ManualClock) -> Opened:
    exchange = SimExchange.open(path, CONFIG, clock)
    broker = PaperBroker(exchange, "me", CASH)
    return Opened(exchange, broker, (await broker.accounts())[0].account_id)


def _on_disk(path: Path) -> bytes:
    loaded = SnapshotStore(path).load()
    assert loaded is not None
    return _snapshot_adapter().dump_json(loaded)


def _live(exchange: SimExchange) -> bytes:
    return _snapshot_adapter().dump_json(exchange.state)


async def _trade(broker: PaperBroker, clock: ManualClock, account_id: str, rounds: int) -> None:
    for index in range(rounds):
        await broker.place_order(account_id, order("AAPL", OrderAction.BUY, 10 + index))
        await broker.place_order(
            account_id,
            order(
                "MSFT",
                OrderAction.BUY,
                5,
                OrderType.LIMIT,
                TimeInForce.GTC,
                limit_price=Decimal(1),
            ),
        )
        step(clock, 1)


async def test_every_change_is_on_disk_without_rewriting_the_snapshot(tmp_path: Path) -> None:
    path, clock = tmp_path / "exchange.json", ManualClock(START)
    opened = await _open(path, clock)
    exchange, broker, account_id = opened.exchange, opened.broker, opened.account_id
    snapshot = path.read_bytes()

    await _trade(broker, clock, account_id, 5)
    assert _on_disk(path) == _live(exchange)
    working = await broker.orders(account_id, status=frozenset({OrderStatus.OPEN}))
    await broker.cancel_order(account_id, working[0].order_id)
    exchange.deposit(account_id, Decimal(250))
    exchange.pay_dividend("AAPL", Decimal("0.24"))
    second = exchange.open_account("someone-else", Decimal(1_000))
    assert _on_disk(path) == _live(exchange)

    assert path.read_bytes() == snapshot  # every change went to the journal
    journal = SnapshotStore(path).journal_path(exchange.state.generation)
    assert (path.stat().st_mode & 0o777, journal.stat().st_mode & 0o777) == (0o600, 0o600)
    assert len(journal.read_bytes().splitlines()) >= 14
    restarted = PaperBroker(SimExchange.open(path, CONFIG, clock), "me", CASH)
    assert await restarted.transactions(account_id) == await broker.transactions(account_id)
    assert restarted.exchange.balance(second.account_id).cash == Decimal(1_000)


async def test_a_long_journal_is_compacted_into_the_next_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sim_state, "JOURNAL_LIMIT_BYTES", 0)  # compact once past the snapshot
    path, clock = tmp_path / "exchange.json", ManualClock(START)
    opened = await _open(path, clock)
    exchange, broker, account_id = opened.exchange, opened.broker, opened.account_id
    first_generation = exchange.state.generation

    await _trade(broker, clock, account_id, 12)

    assert exchange.state.generation > first_generation
    journals = sorted(path.parent.glob("exchange.json.journal-*"))
    assert journals in ([], [SnapshotStore(path).journal_path(exchange.state.generation)])
    assert _on_disk(path) == _live(exchange)


async def test_a_line_torn_by_a_crash_is_dropped_and_later_changes_still_load(
    tmp_path: Path,
) -> None:
    path, clock = tmp_path / "exchange.json", ManualClock(START)
    opened = await _open(path, clock)
    exchange, broker, account_id = opened.exchange, opened.broker, opened.account_id
    await _trade(broker, clock, account_id, 2)
    before_crash = _live(exchange)
    journal = SnapshotStore(path).journal_path(exchange.state.generation)
    with journal.open("ab") as handle:
        handle.write(b'{"seq": 99, "next_acc')  # the process died mid-append

    restarted = SimExchange.open(path, CONFIG, clock)
    assert _snapshot_adapter().dump_json(restarted.state) == before_crash
    assert journal.read_bytes().endswith(b"\n")
    again = PaperBroker(restarted, "me", CASH)
    await _trade(again, clock, account_id, 1)
    assert _on_disk(path) == _live(restarted)


async def test_a_journal_of_an_older_snapshot_is_ignored(tmp_path: Path) -> None:
    path, clock = tmp_path / "exchange.json", ManualClock(START)
    opened = await _open(path, clock)
    exchange, broker, account_id = opened.exchange, opened.broker, opened.account_id
    await _trade(broker, clock, account_id, 1)
    live = _live(exchange)
    stale = SnapshotStore(path).journal_path(exchange.state.generation - 1)
    stale.write_bytes(b"not even JSON\n")  # left by a compaction that crashed before cleanup
    assert _on_disk(path) == live


async def test_a_change_written_by_another_process_is_read_before_the_next_call(
    tmp_path: Path,
) -> None:
    path = tmp_path / "exchange.json"
    clock = ManualClock(START)
    writer = PaperBroker(SimExchange.open(path, CONFIG, clock), "me", CASH)
    account_id = (await writer.accounts())[0].account_id
    reader = PaperBroker(SimExchange.open(path, CONFIG, clock), "me", CASH)
    assert await reader.orders(account_id) == []

    placed = await writer.place_order(account_id, order("AAPL", OrderAction.BUY, 3))

    assert [o.order_id for o in await reader.orders(account_id)] == [placed.order_id]
    await reader.place_order(account_id, order("AAPL", OrderAction.SELL, 3))
    assert len(await writer.orders(account_id)) == 2
