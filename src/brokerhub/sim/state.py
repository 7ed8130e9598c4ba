"""The paper exchange's whole state, and its JSON snapshot on disk.

The snapshot is one JSON document (Decimals as strings, datetimes as ISO 8601 UTC) written
atomically - to a temporary file in the same folder, flushed, then ``os.replace`` - so a crash
leaves either the old or the new snapshot, never a torn one.

The state is made of plain slotted dataclasses (the engine changes them on every order, and
pydantic's attribute and construction checks cost more than the matching itself); a pydantic
``TypeAdapter`` validates and serialises the whole tree only at load and save.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from brokerhub.errors import ConfigurationError
from brokerhub.sim.ledger import Ledger
from brokerhub.sim.orders import SimOrder

SNAPSHOT_VERSION = 1


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
    """

    version: int = SNAPSHOT_VERSION
    seed: int
    anchor: datetime
    processed_until: datetime
    seq: int = 0
    next_account: int = 1
    next_order: int = 1
    accounts: dict[str, PaperAccount] = field(default_factory=dict)
    orders: dict[str, SimOrder] = field(default_factory=dict)


@cache
def _snapshot_adapter() -> TypeAdapter[ExchangeState]:
    return TypeAdapter(ExchangeState)


class SnapshotStore:
    """Load and save the exchange state as a JSON file.

    Args:
        path: the snapshot file, e.g. ``Settings.home / "paper" / "exchange.json"``.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> ExchangeState | None:
        """Return the saved state, or None when there is no snapshot yet.

        Raises:
            ConfigurationError: when the file exists but is not a valid snapshot.
        """
        try:
            text = self.path.read_text(encoding="utf-8")
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
        return state

    def save(self, state: ExchangeState) -> None:
        """Write ``state`` atomically (temporary file, flush, fsync, os.replace)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = _snapshot_adapter().dump_json(state, indent=1).decode()
        descriptor, temporary = tempfile.mkstemp(
            prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent
        )
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def modified_marker(self) -> tuple[int, int] | None:
        """Return the file's (mtime_ns, size), to notice writes by another process."""
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return None
        return stat.st_mtime_ns, stat.st_size
