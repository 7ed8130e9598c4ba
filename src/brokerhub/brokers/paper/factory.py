"""Build paper brokers from a connection's credentials, over one exchange per snapshot file.

Credentials (all optional)::

    {"account_id": "...", "profile_id": "...", "starting_cash": "100000"}

* ``account_id`` given: the broker acts for the profile owning that account. An unknown id is
  opened on the spot (under ``profile_id``, or a profile named after the account) with
  ``starting_cash``, so a stored connection survives a lost snapshot and a demo can name its
  account up front.
* no ``account_id``: the broker acts for ``profile_id``; its first ``accounts()`` call opens
  an account when the profile has none. With neither given, the broker gets a new profile of
  its own, so every such connect opens a fresh paper account (two users never share one).
* ``starting_cash`` defaults to ``Settings.paper_starting_cash`` (100,000 USD).

State lives in ``Settings.home / "paper" / "exchange.json"`` and its journal of changes
(``exchange.json.journal-<generation>``, see :mod:`brokerhub.sim.state`). Every factory call
in a process shares one :class:`SimExchange` per snapshot file (two copies would overwrite
each other), and the exchange reloads the files when another process has written them.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from brokerhub.brokers.paper.adapter import PaperBroker
from brokerhub.config import Settings, get_settings
from brokerhub.core.money import to_decimal
from brokerhub.errors import CredentialError, NotFound
from brokerhub.sim.clock import WallClock
from brokerhub.sim.config import SimConfig
from brokerhub.sim.exchange import SimExchange

SNAPSHOT_FILE = Path("paper") / "exchange.json"

_exchanges: dict[Path, SimExchange] = {}
_exchanges_lock = threading.Lock()


def snapshot_path(settings: Settings) -> Path:
    """Return where the paper exchange of ``settings`` keeps its snapshot."""
    return (settings.home / SNAPSHOT_FILE).resolve()


def shared_exchange(settings: Settings) -> SimExchange:
    """Return this process's exchange for the settings' snapshot file, loading it once."""
    path = snapshot_path(settings)
    with _exchanges_lock:
        exchange = _exchanges.get(path)
        if exchange is None:
            exchange = SimExchange.open(path, SimConfig.from_settings(settings), WallClock())
            _exchanges[path] = exchange
        return exchange


def _starting_cash(credentials: Mapping[str, Any], settings: Settings) -> Decimal:
    raw = credentials.get("starting_cash")
    if raw is None or raw == "":
        return settings.paper_starting_cash
    try:
        cash = to_decimal(raw)
    except ValueError:
        raise CredentialError(f"starting_cash {raw!r} is not a number") from None
    if cash < 0:
        raise CredentialError("starting_cash must not be negative")
    return cash


def _text(credentials: Mapping[str, Any], key: str) -> str | None:
    value = credentials.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise CredentialError(f"{key} must be a string")
    return value.strip()


def create_paper_broker(
    credentials: Mapping[str, Any], settings: Settings | None = None
) -> PaperBroker:
    """Return a PaperBroker for the credentials (see the module docstring).

    Raises:
        CredentialError: a malformed field.
    """
    settings = settings or get_settings()
    exchange = shared_exchange(settings)
    cash = _starting_cash(credentials, settings)
    account_id = _text(credentials, "account_id")
    profile_id = _text(credentials, "profile_id")
    if account_id is not None:
        try:
            profile_id = exchange.profile_of(account_id)
        except NotFound:
            profile_id = profile_id or account_id
            exchange.open_account(profile_id, cash, account_id=account_id)
    return PaperBroker(exchange, profile_id or uuid.uuid4().hex, cash)
