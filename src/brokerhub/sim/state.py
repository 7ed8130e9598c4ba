"""The paper exchange's whole state, and how it is kept on disk: a snapshot and a journal.

The snapshot is one JSON document (Decimals as strings, datetimes as ISO 8601 UTC) written
atomically - to a temporary file in the same folder, flushed, then ``os.replace`` - so a crash
leaves either the old or the new snapshot, never a torn one.

Rewriting the whole snapshot on every change cost time in proportion to the history (about
60 ms per order at 3,200 orders). So a change is appended to a journal instead: one JSON line
holding the orders changed since the last write, and for each account touched, its books
without the history plus the postings added. Each line is flushed and fsynced. A journal
belongs to one snapshot generation (``exchange.json.journal-<generation>``). Once it grows past
:data:`JOURNAL_LIMIT_BYTES` and past the snapshot's own size, the state is compacted: a new
snapshot of the next generation is written, and older journals are removed. Loading reads the
snapshot and replays its generation's journal. A torn last line, left by a crash while it was
being appended, is dropped. A journal left over from an older generation is ignored, because
the snapshot that replaced it already holds its changes.

The state is made of plain slotted dataclasses (the engine changes them on every order, and
pydantic's attribute and construction checks cost more than the matching itself); a pydantic
``TypeAdapter`` validates and serialises the whole tree only at load and save.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from brokerhub.errors import ConfigurationError
from brokerhub.sim.ledger import Ledger
from brokerhub.sim.orders import SimOrder

SNAPSHOT_VERSION = 1
JOURNAL_LIMIT_BYTES = 1 << 20
"""A journal smaller than this (or than the snapshot) is appended to, not compacted."""


@dataclass(slots=True, kw_only=True)
class PaperAccount:
    """One paper account: who owns it (the profile) and its books."""

    account_id: str
    profile_id: str
    name: str
    created_at: datetime
    ledger: Ledger


@dataclass(slots=True, kw_only=True)
class ExchangeState:
    """Everything the paper exchange must remember across restarts.

    Attributes:
        seed: the seed the paths were built from (a snapshot keeps its own seed).
        anchor: the instant every GBM path starts at its listed price (the clock anchor).
        processed_until: the instant up to which working orders have been matched.
        seq: the change counter; each changed order takes the next value.
        generation: which journal (``<snapshot>.journal-<generation>``) belongs to this
            snapshot; each compaction takes the next.
    """

    version: int = SNAPSHOT_VERSION
    generation: int = 0
    seed: int
    anchor: datetime
    processed_until: datetime
    seq: int = 0
    next_account: int = 1
    next_order: int = 1
    accounts: dict[str, PaperAccount] = field(default_factory=dict)
    orders: dict[str, SimOrder] = field(default_factory=dict)


@dataclass(slots=True, kw_only=True)
class AccountChange:
    """An account after a change, its ledger holding only the postings from
    ``transactions_from`` on (the earlier ones are on disk already).

    The account and ledger are copies made with ``dataclasses.replace``, so every field they
    ever gain is journalled too.
    """

    account: PaperAccount
    transactions_from: int

    @classmethod
    def of(cls, account: PaperAccount, transactions_from: int) -> AccountChange:
        """Return ``account`` with only the postings from ``transactions_from`` on."""
        ledger = account.ledger
        added = replace(ledger, transactions=ledger.transactions[transactions_from:])
        return cls(account=replace(account, ledger=added), transactions_from=transactions_from)

    def apply(self, state: ExchangeState) -> None:
        """Put the account into ``state``, after the postings already there."""
        changed = self.account
        known = state.accounts.get(changed.account_id)
        transactions = known.ledger.transactions if known is not None else []
        # By position, so replaying a line twice changes nothing.
        transactions[self.transactions_from :] = changed.ledger.transactions
        ledger = replace(changed.ledger, transactions=transactions)
        state.accounts[changed.account_id] = replace(changed, ledger=ledger)


@dataclass(slots=True, kw_only=True)
class StateChange:
    """One journal line: the counters and what changed since the line before."""

    seq: int
    next_account: int
    next_order: int
    processed_until: datetime
    orders: list[SimOrder]
    accounts: list[AccountChange]

    def apply(self, state: ExchangeState) -> None:
        """Write this change into ``state``."""
        state.seq = self.seq
        state.next_account = self.next_account
        state.next_order = self.next_order
        state.processed_until = self.processed_until
        for order in self.orders:
            state.orders[order.order_id] = order
        for account in self.accounts:
            account.apply(state)


@cache
def _snapshot_adapter() -> TypeAdapter[ExchangeState]:
    return TypeAdapter(ExchangeState)


@cache
def _change_adapter() -> TypeAdapter[StateChange]:
    return TypeAdapter(StateChange)


@dataclass(slots=True)
class _OnDisk:
    """What the snapshot and its journal hold: enough to write only what changed since."""

    generation: int
    seq: int
    postings: dict[str, int]
    snapshot_bytes: int
    journal_bytes: int

    @classmethod
    def of(cls, state: ExchangeState, snapshot_bytes: int, journal_bytes: int) -> _OnDisk:
        postings = {key: len(a.ledger.transactions) for key, a in state.accounts.items()}
        return cls(state.generation, state.seq, postings, snapshot_bytes, journal_bytes)

    def change(self, state: ExchangeState) -> StateChange:
        """Return what ``state`` holds that the files do not."""
        orders = [order for order in state.orders.values() if order.seq > self.seq]
        # Books change only by posting (Ledger records every change as a transaction), so a
        # new posting, or a new account, is what marks an account changed.
        accounts = [
            AccountChange.of(account, self.postings.get(key, 0))
            for key, account in state.accounts.items()
            if len(account.ledger.transactions) != self.postings.get(key)
        ]
        return StateChange(
            seq=state.seq,
            next_account=state.next_account,
            next_order=state.next_order,
            processed_until=state.processed_until,
            orders=orders,
            accounts=accounts,
        )

    def wrote(self, change: StateChange, line_bytes: int) -> None:
        """Record that ``change`` was appended to the journal."""
        self.seq = change.seq
        for account in change.accounts:
            added = len(account.account.ledger.transactions)
            self.postings[account.account.account_id] = account.transactions_from + added
        self.journal_bytes += line_bytes


class SnapshotStore:
    """Load and save the exchange state as a JSON snapshot and its journal of changes.

    Args:
        path: the snapshot file, e.g. ``Settings.home / "paper" / "exchange.json"``.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._on_disk: _OnDisk | None = None

    def journal_path(self, generation: int) -> Path:
        """Return the journal of the snapshot of ``generation``."""
        return self.path.with_name(f"{self.path.name}.journal-{generation}")

    def load(self) -> ExchangeState | None:
        """Return the saved state (the snapshot with its journal replayed), or None when there
        is no snapshot yet.

        Raises:
            ConfigurationError: when the snapshot or a journal line is not valid.
        """
        try:
            text = self.path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            state = _snapshot_adapter().validate_json(text)
        except ValidationError as exc:
            raise ConfigurationError(
                f"{self.path} is not a valid paper exchange snapshot: {exc}"
            ) from exc
        if state.version != SNAPSHOT_VERSION:
            raise ConfigurationError(
                f"{self.path} has snapshot version {state.version}; expected {SNAPSHOT_VERSION}"
            )
        journal_bytes = self._replay(state)
        self._on_disk = _OnDisk.of(state, len(text), journal_bytes)
        return state

    def _replay(self, state: ExchangeState) -> int:
        """Apply the journal of ``state``'s generation; return its length in bytes."""
        journal = self.journal_path(state.generation)
        try:
            content = journal.read_bytes()
        except FileNotFoundError:
            return 0
        whole = content.rfind(b"\n") + 1
        if whole < len(content):  # a line torn by a crash: drop it before appending again
            with journal.open("r+b") as handle:
                handle.truncate(whole)
        adapter = _change_adapter()
        for number, line in enumerate(content[:whole].splitlines(), start=1):
            try:
                adapter.validate_json(line).apply(state)
            except ValidationError as exc:
                raise ConfigurationError(f"{journal} line {number} is not valid: {exc}") from exc
        return whole

    def save(self, state: ExchangeState) -> None:
        """Append what changed to the journal, or write a new snapshot when one is due."""
        on_disk = self._on_disk
        if (
            on_disk is None
            or on_disk.generation != state.generation
            or on_disk.journal_bytes > max(JOURNAL_LIMIT_BYTES, on_disk.snapshot_bytes)
        ):
            self._compact(state)
            return
        change = on_disk.change(state)
        line = _change_adapter().dump_json(change) + b"\n"
        # Private to the user, as the snapshot is (mkstemp makes it 0600).
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT
        descriptor = os.open(self.journal_path(state.generation), flags, 0o600)
        with os.fdopen(descriptor, "ab") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())
        on_disk.wrote(change, len(line))

    def _compact(self, state: ExchangeState) -> None:
        """Write ``state`` as the snapshot of the next generation; drop older journals."""
        state.generation += 1
        payload = _snapshot_adapter().dump_json(state)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(
            prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent
        )
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            state.generation -= 1
            raise
        for journal in self.path.parent.glob(f"{self.path.name}.journal-*"):
            if journal != self.journal_path(state.generation):
                journal.unlink(missing_ok=True)
        self._on_disk = _OnDisk.of(state, len(payload), 0)

    def modified_marker(self) -> tuple[int, int, int] | None:
        """Return (mtime_ns, size) of the snapshot and the size of the journal this process
        knows of, to notice writes by another process."""
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return None
        generation = self._on_disk.generation if self._on_disk is not None else 0
        try:
            journal_size = self.journal_path(generation).stat().st_size
        except FileNotFoundError:
            journal_size = 0
        return stat.st_mtime_ns, stat.st_size, journal_size
