"""E*TRADE wire models to core models, and core order requests to E*TRADE bodies.

Enum maps run both ways as module constants; a lossy entry says so. Signs are fixed here:
E*TRADE reports a short position with ``positionType`` SHORT, so quantity is signed from it;
transaction ``amount`` is already the cash effect (credits positive).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from brokerhub.brokers.etrade import schemas as w
from brokerhub.core.instruments import AssetClass, Instrument, OptionContract, OptionRight
from brokerhub.core.marketdata import OptionChain, OptionQuote, Quote
from brokerhub.core.orders import (
    Order,
    OrderAction,
    OrderLeg,
    OrderPreview,
    OrderRequest,
    OrderStatus,
    OrderType,
    TimeInForce,
)
from brokerhub.core.portfolio import (
    Account,
    AccountType,
    Balance,
    Greeks,
    Position,
    Transaction,
    TransactionType,
    unrealized_pnl_percent,
)
from brokerhub.errors import InvalidOrder

BROKER = "etrade"

ETRADE_TO_CORE_ORDER_STATUS = {
    "OPEN": OrderStatus.OPEN,  # OPEN with filledQuantity > 0 is read as PARTIALLY_FILLED
    "EXECUTED": OrderStatus.FILLED,
    "CANCELLED": OrderStatus.CANCELLED,
    "CANCEL_REQUESTED": OrderStatus.OPEN,  # lossy: still working until E*TRADE confirms
    "EXPIRED": OrderStatus.EXPIRED,
    "REJECTED": OrderStatus.REJECTED,
    "PARTIAL": OrderStatus.PARTIALLY_FILLED,
    "INDIVIDUAL_FILLS": OrderStatus.PARTIALLY_FILLED,  # lossy: one fill of a working order
}
CORE_TO_ETRADE_LIST_STATUS = {
    OrderStatus.OPEN: "OPEN",
    OrderStatus.PENDING: "OPEN",
    OrderStatus.PARTIALLY_FILLED: "OPEN",
    OrderStatus.FILLED: "EXECUTED",
    OrderStatus.CANCELLED: "CANCELLED",
    OrderStatus.EXPIRED: "EXPIRED",
    OrderStatus.REJECTED: "REJECTED",
}
CORE_TO_ETRADE_ACTION = {
    OrderAction.BUY: "BUY",
    OrderAction.SELL: "SELL",
    OrderAction.BUY_TO_COVER: "BUY_TO_COVER",
    OrderAction.SELL_SHORT: "SELL_SHORT",
    OrderAction.BUY_TO_OPEN: "BUY_OPEN",
    OrderAction.BUY_TO_CLOSE: "BUY_CLOSE",
    OrderAction.SELL_TO_OPEN: "SELL_OPEN",
    OrderAction.SELL_TO_CLOSE: "SELL_CLOSE",
}
ETRADE_TO_CORE_ACTION = {wire: core for core, wire in CORE_TO_ETRADE_ACTION.items()}
CORE_TO_ETRADE_TERM = {
    TimeInForce.DAY: "GOOD_FOR_DAY",
    TimeInForce.GTC: "GOOD_UNTIL_CANCEL",
    TimeInForce.IOC: "IMMEDIATE_OR_CANCEL",
    TimeInForce.FOK: "FILL_OR_KILL",
}
ETRADE_TO_CORE_TERM = {wire: core for core, wire in CORE_TO_ETRADE_TERM.items()}
ETRADE_TO_CORE_PRICE_TYPE = {
    "MARKET": OrderType.MARKET,
    "LIMIT": OrderType.LIMIT,
    "STOP": OrderType.STOP,
    "STOP_LIMIT": OrderType.STOP_LIMIT,
    "NET_DEBIT": OrderType.LIMIT,  # a spread's net limit, paid
    "NET_CREDIT": OrderType.LIMIT,  # a spread's net limit, received (negative in core)
    "NET_EVEN": OrderType.LIMIT,  # a spread at zero net
}
ETRADE_TO_CORE_TRANSACTION_TYPE = {
    "Bought": TransactionType.BUY,
    "Sold": TransactionType.SELL,
    "Dividend": TransactionType.DIVIDEND,
    "Fee": TransactionType.FEE,
    "Interest Income": TransactionType.INTEREST,
    "Transfer": TransactionType.TRANSFER,  # split into DEPOSIT / WITHDRAWAL by sign
}
ETRADE_TO_CORE_ACCOUNT_MODE = {
    "CASH": AccountType.CASH,
    "MARGIN": AccountType.MARGIN,
    "IRA": AccountType.IRA,
}


def from_millis(value: int) -> datetime:
    """Return an aware UTC datetime from epoch milliseconds."""
    return datetime.fromtimestamp(value / 1000, tz=UTC)


def from_seconds(value: int) -> datetime:
    """Return an aware UTC datetime from epoch seconds."""
    return datetime.fromtimestamp(value, tz=UTC)


def instrument(product: w.Product, description: str | None = None) -> Instrument:
    """Return the instrument of a ``Product`` node."""
    if product.securityType != "OPTN":
        return Instrument(symbol=product.symbol, description=description)
    if None in (product.expiryYear, product.expiryMonth, product.expiryDay, product.strikePrice):
        key = product.productId.symbol if product.productId else None
        if key:
            return Instrument.from_occ(key.replace("-", " "))
        raise ValueError(f"option product {product.symbol} has no expiry or strike")
    contract = OptionContract(
        underlying=product.symbol,
        expiration=date(product.expiryYear or 0, product.expiryMonth or 0, product.expiryDay or 0),
        right=OptionRight.CALL if (product.callPut or "").upper() == "CALL" else OptionRight.PUT,
        strike=product.strikePrice or Decimal(0),
    )
    return Instrument.from_option(contract)


def product(target: Instrument) -> dict[str, Any]:
    """Return the ``Product`` node of an instrument."""
    contract = target.option
    if contract is None:
        return {"securityType": "EQ", "symbol": target.symbol}
    return {
        "securityType": "OPTN",
        "symbol": contract.underlying,
        "callPut": "CALL" if contract.right is OptionRight.CALL else "PUT",
        "expiryYear": contract.expiration.year,
        "expiryMonth": contract.expiration.month,
        "expiryDay": contract.expiration.day,
        "strikePrice": contract.strike,
    }


def account(wire: w.Account, *, sandbox: bool) -> Account:
    """Return the core account; its id is the ``accountIdKey`` every URL uses."""
    return Account(
        account_id=wire.accountIdKey,
        name=wire.accountDesc or wire.accountName or wire.accountId,
        account_type=ETRADE_TO_CORE_ACCOUNT_MODE.get(wire.accountMode or "", AccountType.OTHER),
        is_paper=sandbox,
        raw=wire.model_dump(),
    )


def balance(account_id: str, wire: w.BalanceBody, now: datetime) -> Balance:
    """Return the core balance of a BalanceResponse."""
    computed = wire.Computed
    values = computed.RealTimeValues or w.RealTimeValues()
    cash = computed.cashBalance if computed.cashBalance is not None else computed.netCash
    if values.totalAccountValue is not None and values.netMv is not None:
        # A margin account can report cashBalance 0 while it owes a debit; the real-time NAV
        # is cash plus net market value, so the cash is what is left of it.
        cash = values.totalAccountValue - values.netMv
    buying_power = computed.cashBuyingPower or computed.marginBuyingPower or Decimal(0)
    return Balance(
        account_id=account_id,
        cash=cash or Decimal(0),
        buying_power=buying_power,
        total_value=values.totalAccountValue or computed.accountBalance or Decimal(0),
        long_market_value=values.netMvLong or Decimal(0),
        short_market_value=values.netMvShort or Decimal(0),
        margin_buying_power=computed.marginBuyingPower,
        day_trading_buying_power=computed.dtMarginBuyingPower,
        as_of=now,
        raw=wire.model_dump(mode="json"),
    )


def position(wire: w.Position, now: datetime) -> Position:
    """Return the core position; quantity is negative for positionType SHORT."""
    held = instrument(wire.Product, wire.symbolDescription)
    size = abs(wire.quantity) * (-1 if wire.positionType == "SHORT" else 1)
    cost = wire.totalCost if wire.totalCost is not None else (wire.pricePaid or 0) * size
    value = wire.marketValue or Decimal(0)
    pnl = wire.totalGain if wire.totalGain is not None else value - cost
    last = wire.Quick.lastTrade if wire.Quick and wire.Quick.lastTrade is not None else None
    return Position(
        instrument=held,
        quantity=size,
        average_price=wire.costPerShare or wire.pricePaid or Decimal(0),
        current_price=last if last is not None else Decimal(0),
        market_value=value,
        cost_basis=cost,
        unrealized_pnl=pnl,
        unrealized_pnl_percent=unrealized_pnl_percent(pnl, cost),
        as_of=now,
        raw=wire.model_dump(mode="json"),
    )


def transaction(account_id: str, wire: w.Transaction) -> Transaction:
    """Return the core transaction; a Transfer is a deposit or withdrawal by its sign."""
    kind = ETRADE_TO_CORE_TRANSACTION_TYPE.get(wire.transactionType, TransactionType.OTHER)
    if kind is TransactionType.TRANSFER:
        kind = TransactionType.DEPOSIT if wire.amount >= 0 else TransactionType.WITHDRAWAL
    trade = wire.brokerage or w.Brokerage()
    symbol = trade.product.symbol if trade.product and trade.product.symbol else None
    return Transaction(
        transaction_id=wire.transactionId,
        account_id=account_id,
        transaction_type=kind,
        symbol=symbol,
        quantity=abs(trade.quantity) if trade.quantity else None,
        price=trade.price or None,
        amount=wire.amount,
        fees=abs(trade.fee or Decimal(0)),
        description=wire.description,
        transaction_date=from_millis(wire.transactionDate),
        raw=wire.model_dump(mode="json"),
    )


def order(account_id: str, wire: w.Order, client_order_id: str | None = None) -> Order:
    """Return the core order of an ``Order`` node (its first OrderDetail)."""
    detail = wire.OrderDetail[0]
    legs = [
        OrderLeg(
            instrument=instrument(i.Product, i.symbolDescription),
            action=ETRADE_TO_CORE_ACTION[i.orderAction],
            quantity=i.orderedQuantity or i.quantity or Decimal(0),
        )
        for i in detail.Instrument
    ]
    first = detail.Instrument[0]
    filled = first.filledQuantity or Decimal(0)
    status = ETRADE_TO_CORE_ORDER_STATUS.get(detail.status or "OPEN", OrderStatus.OPEN)
    if status is OrderStatus.OPEN and filled > 0:
        status = OrderStatus.PARTIALLY_FILLED
    limit = detail.limitPrice
    if limit is not None and detail.priceType == "NET_CREDIT":
        limit = -limit
    order_type = ETRADE_TO_CORE_PRICE_TYPE[detail.priceType]
    placed = from_millis(detail.placedTime) if detail.placedTime else from_millis(0)
    executed = from_millis(detail.executedTime) if detail.executedTime else placed
    # A cancelled order can carry a meaningless executedTime (January 1970): never go back.
    updated = max(executed, placed)
    return Order(
        order_id=str(wire.orderId),
        client_order_id=client_order_id,
        account_id=account_id,
        status=status,
        legs=legs,
        order_type=order_type,
        time_in_force=ETRADE_TO_CORE_TERM[detail.orderTerm],
        limit_price=limit if order_type in {OrderType.LIMIT, OrderType.STOP_LIMIT} else None,
        stop_price=detail.stopPrice
        if order_type in {OrderType.STOP, OrderType.STOP_LIMIT}
        else None,
        filled_quantity=filled,
        average_fill_price=first.averageExecutionPrice,
        created_at=placed,
        updated_at=updated,
        raw=wire.model_dump(mode="json"),
    )


def preview(request: OrderRequest, wire: w.PreviewOrderBody) -> OrderPreview:
    """Return the core preview; ``preview_id`` carries E*TRADE's previewId."""
    detail = wire.Order[0] if wire.Order else None
    commission = (detail.estimatedCommission if detail else None) or Decimal(0)
    total = (detail.estimatedTotalAmount if detail else None) or wire.totalOrderValue or Decimal(0)
    buying = request.legs[0].action.is_buy
    cash_total = -abs(total) if buying else abs(total)
    cost = cash_total + commission
    units = sum((leg.quantity * leg.instrument.multiplier for leg in request.legs), Decimal(0))
    messages = detail.messages.Message if detail and detail.messages else []
    return OrderPreview(
        request=request,
        estimated_price=abs(cost) / units if units else Decimal(0),
        estimated_cost=cost,
        commission=commission,
        estimated_total=cash_total,
        warnings=[m.description for m in messages if m.description],
        preview_id=str(wire.PreviewIds[0].previewId) if wire.PreviewIds else None,
    )


def price_type(request: OrderRequest) -> str:
    """Return ``priceType``; a LIMIT spread is NET_DEBIT, NET_CREDIT or NET_EVEN."""
    if request.order_type is OrderType.TRAILING_STOP:
        raise InvalidOrder("E*TRADE trailing stops are not supported by brokerhub", broker=BROKER)
    if request.is_multi_leg and request.order_type is OrderType.LIMIT:
        limit = request.limit_price or Decimal(0)
        return "NET_DEBIT" if limit > 0 else "NET_CREDIT" if limit < 0 else "NET_EVEN"
    return request.order_type.value


def order_type(request: OrderRequest) -> str:
    """Return ``orderType``: EQ, OPTN or SPREADS."""
    if request.is_multi_leg:
        return "SPREADS"
    return "OPTN" if request.legs[0].instrument.asset_class is AssetClass.OPTION else "EQ"


def order_body(
    root: str, request: OrderRequest, client_order_id: str, preview_id: int | None = None
) -> dict[str, Any]:
    """Return a ``PreviewOrderRequest`` or ``PlaceOrderRequest`` body."""
    detail: dict[str, Any] = {
        "allOrNone": False,
        "priceType": price_type(request),
        "orderTerm": CORE_TO_ETRADE_TERM[request.time_in_force],
        "marketSession": "REGULAR",
        "Instrument": [
            {
                "Product": product(leg.instrument),
                "orderAction": CORE_TO_ETRADE_ACTION[leg.action],
                "quantityType": "QUANTITY",
                "quantity": leg.quantity,
            }
            for leg in request.legs
        ],
    }
    if request.limit_price is not None:
        detail["limitPrice"] = abs(request.limit_price)
    if request.stop_price is not None:
        detail["stopPrice"] = request.stop_price
    body: dict[str, Any] = {
        "orderType": order_type(request),
        "clientOrderId": client_order_id,
        "Order": [detail],
    }
    if preview_id is not None:
        body["PreviewIds"] = [{"previewId": preview_id}]
    return {root: body}


def quote(wire: w.QuoteData) -> Quote:
    """Return the core quote of a ``QuoteData`` (the ``All`` detail)."""
    detail = wire.All or w.AllQuote()
    target = instrument(wire.Product)
    return Quote(
        symbol=target.symbol,
        bid=detail.bid,
        ask=detail.ask,
        last=detail.lastTrade,
        bid_size=detail.bidSize,
        ask_size=detail.askSize,
        volume=detail.totalVolume,
        as_of=from_seconds(wire.dateTimeUTC),
    )


def _option(wire: w.OptionDetails) -> OptionQuote:
    target = Instrument.from_occ(wire.osiKey.replace("-", " "))
    greeks = wire.OptionGreeks
    return OptionQuote(
        contract=target.option or parse_error(wire.osiKey),
        symbol=target.symbol,
        bid=wire.bid,
        ask=wire.ask,
        last=wire.lastPrice,
        open_interest=wire.openInterest,
        volume=wire.volume,
        greeks=None
        if greeks is None or greeks.delta is None
        else Greeks(
            delta=greeks.delta,
            gamma=greeks.gamma or Decimal(0),
            theta=greeks.theta or Decimal(0),
            vega=greeks.vega or Decimal(0),
            rho=greeks.rho,
            implied_volatility=greeks.iv,
        ),
    )


def parse_error(text: str) -> OptionContract:
    """Raise for an option key that names no contract."""
    raise ValueError(f"{text!r} is not an option key")


def chain(symbol: str, expiration: date, wire: w.OptionChainBody, now: datetime) -> OptionChain:
    """Return the core chain of an OptionChainResponse."""
    calls = [_option(p.Call) for p in wire.OptionPair if p.Call is not None]
    puts = [_option(p.Put) for p in wire.OptionPair if p.Put is not None]
    return OptionChain(
        underlying=symbol,
        expiration=expiration,
        underlying_price=wire.nearPrice,
        calls=sorted(calls, key=lambda q: q.contract.strike),
        puts=sorted(puts, key=lambda q: q.contract.strike),
        as_of=from_seconds(wire.timeStamp) if wire.timeStamp else now,
    )
