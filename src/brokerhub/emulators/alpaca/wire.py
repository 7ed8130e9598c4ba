"""Alpaca's JSON shapes built from the simulator's core objects (emulator side).

Field names, enums and formats follow Alpaca's Trading API v2 and Market Data v2 as
alpaca-py reads them (alpaca/trading/models.py, alpaca/data/mappings.py) and as Alpaca's docs
show them: trading numbers are decimal strings, market-data numbers are JSON numbers, ids are
UUIDs, timestamps RFC 3339 in UTC. Simulator ids (``PA000001``, ``PO00000001``) become stable
UUIDs with :func:`wire_uuid`; the account number stays the simulator's id (Alpaca's paper
account numbers also start with ``PA``).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from brokerhub.core.instruments import AssetClass, Instrument
from brokerhub.core.marketdata import Bar, Quote
from brokerhub.core.orders import Order, OrderAction, OrderStatus
from brokerhub.core.portfolio import Balance, Position, Transaction, TransactionType

NAMESPACE = uuid.UUID("5f0c2a52-3c1e-4d8a-9a57-0a1f3c9e7b21")

CORE_TO_WIRE_STATUS = {
    OrderStatus.PENDING: "accepted",  # waiting for the session to open
    OrderStatus.OPEN: "new",
    OrderStatus.PARTIALLY_FILLED: "partially_filled",
    OrderStatus.FILLED: "filled",
    OrderStatus.CANCELLED: "canceled",
    OrderStatus.REJECTED: "rejected",
    OrderStatus.EXPIRED: "expired",
    OrderStatus.REPLACED: "replaced",
    OrderStatus.UNKNOWN: "pending_new",  # never produced by the simulator
}
CORE_TO_WIRE_EVENT = {
    OrderStatus.PENDING: "accepted",
    OrderStatus.OPEN: "new",
    OrderStatus.PARTIALLY_FILLED: "partial_fill",
    OrderStatus.FILLED: "fill",
    OrderStatus.CANCELLED: "canceled",
    OrderStatus.REJECTED: "rejected",
    OrderStatus.EXPIRED: "expired",
    OrderStatus.REPLACED: "replaced",
    OrderStatus.UNKNOWN: "pending_new",
}
CORE_TO_WIRE_INTENT = {
    OrderAction.BUY: "buy_to_open",
    OrderAction.SELL: "sell_to_close",
    OrderAction.SELL_SHORT: "sell_to_open",
    OrderAction.BUY_TO_COVER: "buy_to_close",
}
NON_TRADE_ACTIVITY = {
    TransactionType.DEPOSIT: "CSD",
    TransactionType.WITHDRAWAL: "CSW",
    TransactionType.DIVIDEND: "DIV",
    TransactionType.FEE: "FEE",
    TransactionType.INTEREST: "INT",
    TransactionType.TRANSFER: "JNLC",
    TransactionType.OTHER: "MISC",
}
OPEN_STATUSES = frozenset({OrderStatus.PENDING, OrderStatus.OPEN, OrderStatus.PARTIALLY_FILLED})


def wire_uuid(kind: str, local_id: str) -> str:
    """Return the stable UUID the emulator shows for a simulator id of ``kind``."""
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{local_id}"))


def timestamp(at: datetime | None) -> str | None:
    """Return ``at`` as RFC 3339 UTC with a ``Z`` suffix (None stays None)."""
    if at is None:
        return None
    return at.isoformat().replace("+00:00", "Z")


def text(value: Decimal | None) -> str | None:
    """Return a decimal as Alpaca's decimal string (None stays None)."""
    return None if value is None else format(value.normalize(), "f")


def wire_symbol(instrument: Instrument) -> str:
    """Return Alpaca's symbol: the ticker, or the OCC symbol without padding for options."""
    return instrument.symbol.replace(" ", "")


def asset_class(instrument: Instrument) -> str:
    """Return Alpaca's asset class of ``instrument``."""
    return "us_option" if instrument.asset_class is AssetClass.OPTION else "us_equity"


def exchange_of(instrument: Instrument) -> str:
    """Return a listing exchange; the simulator has none, so ETFs say ARCA and stocks NASDAQ."""
    return "ARCA" if instrument.asset_class is AssetClass.ETF else "NASDAQ"


def account_json(account_id: str, balance: Balance, created_at: datetime) -> dict[str, Any]:
    """Return the ``/v2/account`` object of a paper account."""
    equity = text(balance.total_value)
    return {
        "id": wire_uuid("account", account_id),
        "account_number": account_id,
        "status": "ACTIVE",
        "crypto_status": "INACTIVE",
        "currency": balance.currency,
        "buying_power": text(balance.buying_power),
        "regt_buying_power": text(balance.buying_power),
        "daytrading_buying_power": "0",
        "non_marginable_buying_power": text(balance.buying_power),
        "cash": text(balance.cash),
        "accrued_fees": "0",
        "pending_transfer_in": "0",
        "pending_transfer_out": "0",
        "portfolio_value": equity,
        "pattern_day_trader": False,
        "trading_blocked": False,
        "transfers_blocked": False,
        "account_blocked": False,
        "created_at": timestamp(created_at),
        "trade_suspended_by_user": False,
        "multiplier": "1",
        "shorting_enabled": True,
        "equity": equity,
        "last_equity": equity,
        "long_market_value": text(balance.long_market_value),
        "short_market_value": text(balance.short_market_value),
        "initial_margin": text(balance.maintenance_requirement or Decimal(0)),
        "maintenance_margin": text(balance.maintenance_requirement or Decimal(0)),
        "last_maintenance_margin": text(balance.maintenance_requirement or Decimal(0)),
        "sma": "0",
        "daytrade_count": 0,
    }


def position_json(position: Position) -> dict[str, Any]:
    """Return one ``/v2/positions`` entry (``unrealized_plpc`` is a fraction, not percent)."""
    instrument = position.instrument
    plpc = position.unrealized_pnl / abs(position.cost_basis) if position.cost_basis else 0
    return {
        "asset_id": wire_uuid("asset", wire_symbol(instrument)),
        "symbol": wire_symbol(instrument),
        "exchange": exchange_of(instrument),
        "asset_class": asset_class(instrument),
        "asset_marginable": True,
        "avg_entry_price": text(position.average_price),
        "qty": text(position.quantity),
        "qty_available": text(position.quantity),
        "side": "long" if position.quantity > 0 else "short",
        "market_value": text(position.market_value),
        "cost_basis": text(position.cost_basis),
        "unrealized_pl": text(position.unrealized_pnl),
        "unrealized_plpc": text(Decimal(plpc).quantize(Decimal("0.0000001"))),
        "unrealized_intraday_pl": text(position.unrealized_pnl),
        "unrealized_intraday_plpc": text(Decimal(plpc).quantize(Decimal("0.0000001"))),
        "current_price": text(position.current_price),
        "lastday_price": text(position.current_price),
        "change_today": "0",
    }


def order_json(order: Order, replaced_by: str | None = None) -> dict[str, Any]:
    """Return one Alpaca order object of a single-leg simulator order."""
    leg = order.legs[0]
    instrument = leg.instrument
    status = order.status
    last_fill = order.fills[-1].filled_at if order.fills else None
    return {
        "id": wire_uuid("order", order.order_id),
        "client_order_id": order.client_order_id,
        "created_at": timestamp(order.created_at),
        "updated_at": timestamp(order.updated_at),
        "submitted_at": timestamp(order.created_at),
        "filled_at": timestamp(last_fill) if status is OrderStatus.FILLED else None,
        "expired_at": timestamp(order.updated_at) if status is OrderStatus.EXPIRED else None,
        "expires_at": None,
        "canceled_at": timestamp(order.updated_at) if status is OrderStatus.CANCELLED else None,
        "failed_at": timestamp(order.updated_at) if status is OrderStatus.REJECTED else None,
        "replaced_at": timestamp(order.updated_at) if status is OrderStatus.REPLACED else None,
        "replaced_by": replaced_by,
        "replaces": wire_uuid("order", order.replaces_order_id)
        if order.replaces_order_id
        else None,
        "asset_id": wire_uuid("asset", wire_symbol(instrument)),
        "symbol": wire_symbol(instrument),
        "asset_class": asset_class(instrument),
        "notional": None,
        "qty": text(leg.quantity),
        "filled_qty": text(order.filled_quantity),
        "filled_avg_price": text(order.average_fill_price),
        "order_class": "simple",
        "order_type": order.order_type.value.lower(),
        "type": order.order_type.value.lower(),
        "side": "buy" if leg.action.is_buy else "sell",
        "position_intent": CORE_TO_WIRE_INTENT.get(leg.action),
        "time_in_force": order.time_in_force.value.lower(),
        "limit_price": text(order.limit_price),
        "stop_price": text(order.stop_price),
        "status": CORE_TO_WIRE_STATUS[status],
        "extended_hours": False,
        "legs": None,
        "trail_percent": text(order.trail_percent),
        "trail_price": text(order.trail_amount),
        "hwm": None,
    }


def activity_id(at: datetime, local_id: str) -> str:
    """Return an activity id in Alpaca's ``<yyyymmddhhmmssfff>::<uuid>`` form."""
    stamp = at.strftime("%Y%m%d%H%M%S") + f"{at.microsecond // 1000:03d}"
    return f"{stamp}::{wire_uuid('activity', local_id)}"


def activity_json(
    transaction: Transaction, order: Order | None, cum_qty: Decimal | None
) -> dict[str, Any]:
    """Return one ``/v2/account/activities`` entry: a FILL or a non-trade activity."""
    at = transaction.transaction_date
    identifier = activity_id(at, transaction.transaction_id)
    if transaction.transaction_type in {TransactionType.BUY, TransactionType.SELL}:
        quantity = transaction.quantity or Decimal(0)
        total = order.legs[0].quantity if order else quantity
        cumulative = cum_qty if cum_qty is not None else quantity
        return {
            "activity_type": "FILL",
            "id": identifier,
            "cum_qty": text(cumulative),
            "leaves_qty": text(total - cumulative),
            "price": text(transaction.price),
            "qty": text(quantity),
            "side": "buy" if transaction.transaction_type is TransactionType.BUY else "sell",
            "symbol": (transaction.symbol or "").replace(" ", ""),
            "transaction_time": timestamp(at),
            "order_id": wire_uuid("order", transaction.order_id or ""),
            "type": "fill" if cumulative >= total else "partial_fill",
            "order_status": CORE_TO_WIRE_STATUS[order.status] if order else "filled",
        }
    entry: dict[str, Any] = {
        "activity_type": NON_TRADE_ACTIVITY[transaction.transaction_type],
        "id": identifier,
        "date": at.date().isoformat(),
        "net_amount": text(transaction.amount),
        "description": transaction.description or "",
        "status": "executed",
    }
    if transaction.symbol is not None:
        entry["symbol"] = transaction.symbol
    if transaction.quantity is not None:
        entry["qty"] = text(transaction.quantity)
    if transaction.transaction_type is TransactionType.DIVIDEND and transaction.price is not None:
        entry["per_share_amount"] = text(transaction.price)
    return entry


def quote_json(quote: Quote) -> dict[str, Any]:
    """Return a market-data v2 quote (``ap``/``bp`` prices, ``as``/``bs`` sizes)."""
    return {
        "t": timestamp(quote.as_of),
        "ax": "Q",
        "ap": quote.ask,
        "as": int(quote.ask_size or 0),
        "bx": "Q",
        "bp": quote.bid,
        "bs": int(quote.bid_size or 0),
        "c": ["R"],
        "z": "C",
    }


def trade_json(quote: Quote, sequence: int) -> dict[str, Any]:
    """Return a market-data v2 trade at the quote's last price."""
    return {
        "t": timestamp(quote.as_of),
        "x": "Q",
        "p": quote.last,
        "s": 100,
        "c": ["@"],
        "i": sequence,
        "z": "C",
    }


def bar_json(bar: Bar) -> dict[str, Any]:
    """Return a market-data v2 bar (``t`` is the bar's opening instant)."""
    return {
        "t": timestamp(bar.start),
        "o": bar.open,
        "h": bar.high,
        "l": bar.low,
        "c": bar.close,
        "v": int(bar.volume),
        "n": max(1, int(bar.volume) // 100),
        "vw": ((bar.open + bar.high + bar.low + bar.close) / 4).quantize(Decimal("0.0001")),
    }


def asset_json(symbol: str, name: str, instrument: Instrument) -> dict[str, Any]:
    """Return one ``/v2/assets`` entry (``class`` is the asset class, as Alpaca names it)."""
    return {
        "id": wire_uuid("asset", symbol),
        "class": asset_class(instrument),
        "exchange": exchange_of(instrument),
        "symbol": symbol,
        "name": name,
        "status": "active",
        "tradable": True,
        "marginable": True,
        "shortable": True,
        "easy_to_borrow": True,
        "fractionable": False,
        "maintenance_margin_requirement": 30,
        "attributes": [],
    }
