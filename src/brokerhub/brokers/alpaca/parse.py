"""Alpaca wire models to core models, and the enum maps both ways.

Lossy entries carry a comment. Choices where the core model is narrower than Alpaca's:

* Order classes: the core order is one order with legs of *different instruments*; Alpaca's
  bracket/OTO/OCO classes attach take-profit and stop-loss child orders on the *same*
  instrument. The adapter lists orders un-nested, so each child is its own core order; the
  parent's ``raw`` keeps ``order_class``. The hub does not place bracket/OTO/OCO orders.
* Time in force ``opg``/``cls`` (auction orders) read as DAY; the core cannot request them.
* Without ``position_intent``, a ``sell`` reads as SELL even when it opened a short.
"""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from functools import lru_cache
from typing import Any

from brokerhub.brokers.alpaca.schemas import (
    AlpacaAccount,
    AlpacaActivity,
    AlpacaAsset,
    AlpacaBar,
    AlpacaOrder,
    AlpacaPosition,
    AlpacaQuote,
    AlpacaTrade,
)
from brokerhub.core.clock import MARKET_TZ, ensure_utc
from brokerhub.core.instruments import AssetClass, Instrument
from brokerhub.core.marketdata import Bar, Quote, SymbolMatch, Timeframe
from brokerhub.core.money import CENT
from brokerhub.core.orders import Order, OrderAction, OrderLeg, OrderStatus, OrderType, TimeInForce
from brokerhub.core.portfolio import (
    Account,
    AccountType,
    Balance,
    Position,
    Transaction,
    TransactionType,
)

ALPACA_TO_CORE_ORDER_STATUS = {
    "new": OrderStatus.OPEN,
    "partially_filled": OrderStatus.PARTIALLY_FILLED,
    "filled": OrderStatus.FILLED,
    "done_for_day": OrderStatus.OPEN,  # lossy: stops for the day, may work again tomorrow
    "canceled": OrderStatus.CANCELLED,
    "expired": OrderStatus.EXPIRED,
    "replaced": OrderStatus.REPLACED,
    "pending_cancel": OrderStatus.OPEN,  # lossy: cancel requested, may still fill
    "pending_replace": OrderStatus.OPEN,  # lossy: replace requested, may still fill
    "pending_review": OrderStatus.PENDING,
    "accepted": OrderStatus.PENDING,
    "pending_new": OrderStatus.PENDING,
    "accepted_for_bidding": OrderStatus.PENDING,
    "stopped": OrderStatus.OPEN,  # lossy: a price is guaranteed, the fill is still to come
    "rejected": OrderStatus.REJECTED,
    "suspended": OrderStatus.PENDING,  # lossy: not eligible for trading now
    "calculated": OrderStatus.FILLED,  # lossy: done for the day, settlement still computing
    "held": OrderStatus.PENDING,  # a bracket/OTO child waiting for its parent to fill
}
CORE_TO_ALPACA_ORDER_TYPE = {
    OrderType.MARKET: "market",
    OrderType.LIMIT: "limit",
    OrderType.STOP: "stop",
    OrderType.STOP_LIMIT: "stop_limit",
    OrderType.TRAILING_STOP: "trailing_stop",
}
ALPACA_TO_CORE_ORDER_TYPE = {wire: core for core, wire in CORE_TO_ALPACA_ORDER_TYPE.items()}
CORE_TO_ALPACA_TIME_IN_FORCE = {
    TimeInForce.DAY: "day",
    TimeInForce.GTC: "gtc",
    TimeInForce.IOC: "ioc",
    TimeInForce.FOK: "fok",
}
ALPACA_TO_CORE_TIME_IN_FORCE = {
    **{wire: core for core, wire in CORE_TO_ALPACA_TIME_IN_FORCE.items()},
    "opg": TimeInForce.DAY,  # lossy: opening auction only
    "cls": TimeInForce.DAY,  # lossy: closing auction only
}
CORE_TO_ALPACA_SIDE = {
    OrderAction.BUY: ("buy", "buy_to_open"),
    OrderAction.SELL: ("sell", "sell_to_close"),
    OrderAction.SELL_SHORT: ("sell", "sell_to_open"),
    OrderAction.BUY_TO_COVER: ("buy", "buy_to_close"),
    OrderAction.BUY_TO_OPEN: ("buy", "buy_to_open"),
    OrderAction.BUY_TO_CLOSE: ("buy", "buy_to_close"),
    OrderAction.SELL_TO_OPEN: ("sell", "sell_to_open"),
    OrderAction.SELL_TO_CLOSE: ("sell", "sell_to_close"),
}
ALPACA_INTENT_TO_EQUITY_ACTION = {
    "buy_to_open": OrderAction.BUY,
    "buy_to_close": OrderAction.BUY_TO_COVER,
    "sell_to_open": OrderAction.SELL_SHORT,
    "sell_to_close": OrderAction.SELL,
}
ALPACA_INTENT_TO_OPTION_ACTION = {
    "buy_to_open": OrderAction.BUY_TO_OPEN,
    "buy_to_close": OrderAction.BUY_TO_CLOSE,
    "sell_to_open": OrderAction.SELL_TO_OPEN,
    "sell_to_close": OrderAction.SELL_TO_CLOSE,
}
ALPACA_TO_CORE_ACTIVITY = {
    "CSD": TransactionType.DEPOSIT,
    "CSW": TransactionType.WITHDRAWAL,
    "DIV": TransactionType.DIVIDEND,
    "DIVCGL": TransactionType.DIVIDEND,  # capital gain distributions count as dividends
    "DIVCGS": TransactionType.DIVIDEND,
    "DIVNRA": TransactionType.DIVIDEND,  # lossy: withholding adjustment of a dividend
    "DIVROC": TransactionType.DIVIDEND,  # lossy: return of capital
    "DIVTXEX": TransactionType.DIVIDEND,
    "DIVWH": TransactionType.DIVIDEND,  # lossy: withholding on a dividend
    "FEE": TransactionType.FEE,
    "CFEE": TransactionType.FEE,
    "INT": TransactionType.INTEREST,
    "JNLC": TransactionType.TRANSFER,
    "JNLS": TransactionType.TRANSFER,
    "ACATC": TransactionType.TRANSFER,
    "ACATS": TransactionType.TRANSFER,
}
CORE_TO_ALPACA_ACTIVITY = {
    TransactionType.BUY: ("FILL",),
    TransactionType.SELL: ("FILL",),
    TransactionType.DEPOSIT: ("CSD",),
    TransactionType.WITHDRAWAL: ("CSW",),
    TransactionType.DIVIDEND: ("DIV", "DIVCGL", "DIVCGS", "DIVNRA", "DIVROC", "DIVTXEX", "DIVWH"),
    TransactionType.FEE: ("FEE", "CFEE"),
    TransactionType.INTEREST: ("INT",),
    TransactionType.TRANSFER: ("JNLC", "JNLS", "ACATC", "ACATS"),
}
ALPACA_TIMEFRAMES = {t: t.value for t in Timeframe}


@lru_cache(maxsize=4096)
def instrument_of(symbol: str, asset_class: str | None) -> Instrument:
    """Return the instrument of an Alpaca symbol (``us_option`` symbols are compact OCC).

    Instruments are immutable, so each symbol's is built once and shared (a positions read
    builds one per position on every call).
    """
    if asset_class == "us_option":
        return Instrument.from_occ(symbol)
    return Instrument.equity(symbol)


def account(wire: AlpacaAccount, raw: dict[str, Any], *, is_paper: bool) -> Account:
    """Return the core account; its id is Alpaca's account number."""
    margin = wire.multiplier is not None and wire.multiplier > 1
    return Account(
        account_id=wire.account_number,
        name=f"Alpaca {'paper ' if is_paper else ''}{wire.account_number}",
        account_type=AccountType.MARGIN if margin else AccountType.CASH,
        currency=wire.currency,
        is_paper=is_paper,
        raw=raw,
    )


def balance(wire: AlpacaAccount, raw: dict[str, Any], as_of: datetime) -> Balance:
    """Return the core balance (``total_value`` is Alpaca's equity)."""
    return Balance(
        account_id=wire.account_number,
        currency=wire.currency,
        cash=wire.cash,
        buying_power=wire.buying_power,
        total_value=wire.equity,
        long_market_value=wire.long_market_value,
        short_market_value=wire.short_market_value,
        margin_buying_power=wire.regt_buying_power,
        maintenance_requirement=wire.maintenance_margin,
        day_trading_buying_power=wire.daytrading_buying_power,
        as_of=as_of,
        raw=raw,
    )


def position(wire: AlpacaPosition, raw: dict[str, Any], as_of: datetime) -> Position:
    """Return the core position (short quantities are negative, as Alpaca sends them).

    Built without a second validation pass: the wire model has already validated every
    number as a finite Decimal, the instrument is a validated core model and ``as_of`` must
    be an aware UTC instant (the adapter passes ``utcnow()``). Validating again cost more
    than the HTTP call itself on a 10-position read (bench/g1_adapter_calls.py).
    """
    quantity = wire.qty if wire.side == "long" else -abs(wire.qty)
    price = wire.current_price or wire.avg_entry_price
    value = wire.market_value if wire.market_value is not None else quantity * price
    pnl = wire.unrealized_pl if wire.unrealized_pl is not None else value - wire.cost_basis
    percent = (wire.unrealized_plpc or Decimal(0)) * 100
    return Position.model_construct(
        instrument=instrument_of(wire.symbol, wire.asset_class),
        quantity=quantity,
        average_price=wire.avg_entry_price,
        current_price=price,
        market_value=value,
        cost_basis=wire.cost_basis,
        unrealized_pnl=pnl,
        unrealized_pnl_percent=percent.quantize(CENT),
        greeks=None,
        as_of=ensure_utc(as_of),
        raw=raw,
    )


def _action(wire: AlpacaOrder, instrument: Instrument) -> OrderAction:
    option = instrument.asset_class is AssetClass.OPTION
    intents = ALPACA_INTENT_TO_OPTION_ACTION if option else ALPACA_INTENT_TO_EQUITY_ACTION
    if wire.position_intent in intents:
        return intents[wire.position_intent]
    if wire.side == "buy":
        return OrderAction.BUY_TO_OPEN if option else OrderAction.BUY
    return OrderAction.SELL_TO_CLOSE if option else OrderAction.SELL  # lossy, see docstring


def order(wire: AlpacaOrder, raw: dict[str, Any], account_id: str) -> Order:
    """Return the core order of a single-instrument Alpaca order."""
    instrument = instrument_of(wire.symbol or "", wire.asset_class)
    quantity = wire.qty if wire.qty is not None else wire.filled_qty
    kind = ALPACA_TO_CORE_ORDER_TYPE.get(wire.type or "market", OrderType.MARKET)
    return Order(
        order_id=wire.id,
        client_order_id=wire.client_order_id,
        account_id=account_id,
        status=ALPACA_TO_CORE_ORDER_STATUS.get(wire.status, OrderStatus.UNKNOWN),
        legs=[
            OrderLeg(
                instrument=instrument,
                action=_action(wire, instrument),
                quantity=quantity if quantity > 0 else Decimal(1),
            )
        ],
        order_type=kind,
        time_in_force=ALPACA_TO_CORE_TIME_IN_FORCE.get(wire.time_in_force, TimeInForce.DAY),
        limit_price=wire.limit_price,
        stop_price=wire.stop_price,
        trail_amount=wire.trail_price,
        trail_percent=wire.trail_percent,
        filled_quantity=wire.filled_qty,
        average_fill_price=wire.filled_avg_price,
        created_at=wire.created_at,
        updated_at=wire.updated_at or wire.created_at,
        replaces_order_id=wire.replaces,
        raw=raw,
    )


def _nta_instant(day: Any) -> datetime:
    """Return a non-trade activity's date as the start of that day in New York, in UTC."""
    return ensure_utc(datetime.combine(day, time(0), tzinfo=MARKET_TZ))


def transaction(wire: AlpacaActivity, raw: dict[str, Any], account_id: str) -> Transaction:
    """Return the core transaction of one activity (cash effect signed: credits positive)."""
    if wire.activity_type == "FILL":
        quantity = wire.qty or Decimal(0)
        price = wire.price or Decimal(0)
        buy = wire.side == "buy"
        return Transaction(
            transaction_id=wire.id,
            account_id=account_id,
            transaction_type=TransactionType.BUY if buy else TransactionType.SELL,
            symbol=wire.symbol,
            quantity=quantity,
            price=price,
            amount=-(quantity * price) if buy else quantity * price,
            description=f"{wire.type or 'fill'} {wire.side} {quantity} {wire.symbol}",
            transaction_date=wire.transaction_time or _nta_instant(wire.date),
            order_id=wire.order_id,
            raw=raw,
        )
    kind = ALPACA_TO_CORE_ACTIVITY.get(wire.activity_type, TransactionType.OTHER)
    amount = wire.net_amount or Decimal(0)
    return Transaction(
        transaction_id=wire.id,
        account_id=account_id,
        transaction_type=kind,
        symbol=wire.symbol,
        quantity=wire.qty,
        price=wire.per_share_amount,
        amount=amount,
        fees=-amount if kind is TransactionType.FEE and amount < 0 else Decimal(0),
        description=wire.description or wire.activity_type,
        transaction_date=wire.transaction_time or _nta_instant(wire.date),
        raw=raw,
    )


def quote(symbol: str, wire: AlpacaQuote, last: AlpacaTrade | None) -> Quote:
    """Return the core quote of a latest quote and, when known, the latest trade."""
    return Quote(
        symbol=symbol,
        bid=wire.bp,
        ask=wire.ap,
        bid_size=wire.bs,
        ask_size=wire.as_,
        last=last.p if last is not None else None,
        as_of=max(wire.t, last.t) if last is not None else wire.t,
    )


def bar(symbol: str, timeframe: Timeframe, wire: AlpacaBar) -> Bar:
    """Return the core bar."""
    return Bar(
        symbol=symbol,
        timeframe=timeframe,
        start=wire.t,
        open=wire.o,
        high=wire.h,
        low=wire.l,
        close=wire.c,
        volume=wire.v,
    )


def symbol_match(wire: AlpacaAsset) -> SymbolMatch:
    """Return the search hit of an asset."""
    kind = "option" if wire.asset_class == "us_option" else "equity"
    return SymbolMatch(symbol=wire.symbol, description=wire.name or wire.symbol, asset_class=kind)
