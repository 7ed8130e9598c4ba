"""Simulator objects written in E*TRADE's shapes (JSON form; :mod:`.wire` writes XML too).

Field names and wrappers follow the E*TRADE v1 docs and recorded payloads (see
tests/fixtures/etrade/README.md). The emulator keeps its own enum tables rather than import
the adapter's: an emulator that shared the adapter's maps could not catch their mistakes.
Times: epoch milliseconds in orders, previews and transactions; epoch seconds in quotes.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from brokerhub.core.clock import market_time
from brokerhub.core.instruments import Instrument, OptionContract, OptionRight
from brokerhub.core.marketdata import OptionChain, OptionQuote, Quote
from brokerhub.core.orders import Order, OrderLeg, OrderStatus, OrderType, TimeInForce
from brokerhub.core.portfolio import Balance, Position, Transaction, TransactionType

STATUS = {
    OrderStatus.PENDING: "OPEN",
    OrderStatus.OPEN: "OPEN",
    OrderStatus.PARTIALLY_FILLED: "OPEN",  # lossy: E*TRADE shows OPEN with filledQuantity > 0
    OrderStatus.FILLED: "EXECUTED",
    OrderStatus.CANCELLED: "CANCELLED",
    OrderStatus.REJECTED: "REJECTED",
    OrderStatus.EXPIRED: "EXPIRED",
    OrderStatus.REPLACED: "CANCELLED",  # a changed order is cancelled and a new one made
    OrderStatus.UNKNOWN: "OPEN",
}
ACTION = {
    "BUY": "BUY",
    "SELL": "SELL",
    "BUY_TO_COVER": "BUY_TO_COVER",
    "SELL_SHORT": "SELL_SHORT",
    "BUY_TO_OPEN": "BUY_OPEN",
    "BUY_TO_CLOSE": "BUY_CLOSE",
    "SELL_TO_OPEN": "SELL_OPEN",
    "SELL_TO_CLOSE": "SELL_CLOSE",
}
TERM = {
    TimeInForce.DAY: "GOOD_FOR_DAY",
    TimeInForce.GTC: "GOOD_UNTIL_CANCEL",
    TimeInForce.IOC: "IMMEDIATE_OR_CANCEL",
    TimeInForce.FOK: "FILL_OR_KILL",
}
TRANSACTION_TYPE = {
    TransactionType.BUY: "Bought",
    TransactionType.SELL: "Sold",
    TransactionType.DIVIDEND: "Dividend",
    TransactionType.DEPOSIT: "Transfer",
    TransactionType.WITHDRAWAL: "Transfer",
    TransactionType.TRANSFER: "Transfer",
    TransactionType.FEE: "Fee",
    TransactionType.INTEREST: "Interest Income",
    TransactionType.OTHER: "Adjustment",
}


def millis(instant: datetime) -> int:
    """Return epoch milliseconds."""
    return int(instant.timestamp() * 1000)


def osi_key(contract: OptionContract) -> str:
    """Return E*TRADE's OSI key: the root padded with dashes to 6 (``IBM---180817C00200000``)."""
    return contract.occ_symbol.replace(" ", "-")


def product(instrument: Instrument) -> dict[str, Any]:
    """Return the ``Product`` node of an instrument."""
    contract = instrument.option
    if contract is None:
        return {"symbol": instrument.symbol, "securityType": "EQ"}
    return {
        "symbol": contract.underlying,
        "securityType": "OPTN",
        "callPut": "CALL" if contract.right is OptionRight.CALL else "PUT",
        "expiryYear": contract.expiration.year,
        "expiryMonth": contract.expiration.month,
        "expiryDay": contract.expiration.day,
        "strikePrice": contract.strike,
        "productId": {"symbol": osi_key(contract)},
    }


def price_type(order_type: OrderType, legs: list[OrderLeg], limit: Decimal | None) -> str:
    """Return ``priceType``: spreads are priced NET_DEBIT / NET_CREDIT / NET_EVEN."""
    if len(legs) > 1 and order_type is OrderType.LIMIT and limit is not None:
        if limit > 0:
            return "NET_DEBIT"
        return "NET_CREDIT" if limit < 0 else "NET_EVEN"
    return order_type.value


def order_type(legs: list[OrderLeg]) -> str:
    """Return ``orderType``: EQ, OPTN or SPREADS."""
    if len(legs) > 1:
        return "SPREADS"
    return "OPTN" if legs[0].instrument.option else "EQ"


def account(account_id: str, key: str, name: str) -> dict[str, Any]:
    """Return one ``Account`` of AccountListResponse."""
    return {
        "accountId": account_id,
        "accountIdKey": key,
        "accountMode": "MARGIN",
        "accountDesc": name,
        "accountName": name,
        "accountType": "INDIVIDUAL",
        "institutionType": "BROKERAGE",
        "accountStatus": "ACTIVE",
        "closedDate": 0,
    }


def balance(account_id: str, name: str, value: Balance) -> dict[str, Any]:
    """Return BalanceResponse."""
    return {
        "BalanceResponse": {
            "accountId": account_id,
            "accountType": "INDIVIDUAL",
            "optionLevel": "LEVEL_4",
            "accountDescription": name,
            "accountMode": "MARGIN",
            "Cash": {"fundsForOpenOrdersCash": Decimal(0), "moneyMktBalance": Decimal(0)},
            "Computed": {
                "cashAvailableForInvestment": value.cash,
                "cashAvailableForWithdrawal": value.cash,
                "netCash": value.cash,
                "cashBalance": value.cash,
                "cashBuyingPower": value.buying_power,
                "marginBuyingPower": value.margin_buying_power or value.buying_power,
                "accountBalance": value.total_value,
                "RealTimeValues": {
                    "totalAccountValue": value.total_value,
                    "netMv": value.long_market_value + value.short_market_value,
                    "netMvLong": value.long_market_value,
                    "netMvShort": value.short_market_value,
                },
            },
        }
    }


def position(index: int, held: Position, key: str) -> dict[str, Any]:
    """Return one ``Position`` of PortfolioResponse."""
    short = held.quantity < 0
    return {
        "positionId": index,
        "symbolDescription": held.instrument.description or held.symbol,
        "dateAcquired": millis(held.as_of),
        "pricePaid": held.average_price,
        "quantity": held.quantity,
        "positionType": "SHORT" if short else "LONG",
        "marketValue": held.market_value,
        "totalCost": held.cost_basis,
        "totalGain": held.unrealized_pnl,
        "totalGainPct": held.unrealized_pnl_percent,
        "costPerShare": held.average_price,
        "lotsDetails": f"https://api.etrade.com/v1/accounts/{key}/portfolio/{index}",
        "Product": product(held.instrument),
        "Quick": {
            "lastTrade": held.current_price,
            "lastTradeTime": int(held.as_of.timestamp()),
            "quoteStatus": "REALTIME",
        },
    }


def order(order_id: int, core: Order, key: str) -> dict[str, Any]:
    """Return one ``Order`` of OrdersResponse."""
    filled_at = core.fills[-1].filled_at if core.fills else None
    per_leg_fill = {f.symbol: f for f in core.fills}
    ratio = core.filled_quantity / core.legs[0].quantity if core.legs[0].quantity else 0
    detail: dict[str, Any] = {
        "placedTime": millis(core.created_at),
        "executedTime": millis(filled_at) if filled_at else None,
        "status": STATUS[core.status],
        "orderTerm": TERM[core.time_in_force],
        "priceType": price_type(core.order_type, core.legs, core.limit_price),
        "limitPrice": abs(core.limit_price) if core.limit_price is not None else None,
        "stopPrice": core.stop_price,
        "marketSession": "REGULAR",
        "allOrNone": False,
        "Instrument": [
            {
                "symbolDescription": leg.instrument.description or leg.instrument.symbol,
                "orderAction": ACTION[leg.action.value],
                "quantityType": "QUANTITY",
                "orderedQuantity": leg.quantity,
                "filledQuantity": leg.quantity * ratio,
                "averageExecutionPrice": (
                    per_leg_fill[leg.instrument.symbol].price
                    if leg.instrument.symbol in per_leg_fill
                    else None
                ),
                "Product": product(leg.instrument),
            }
            for leg in core.legs
        ],
    }
    return {
        "orderId": order_id,
        "details": f"https://api.etrade.com/v1/accounts/{key}/orders/{order_id}",
        "orderType": order_type(core.legs),
        "OrderDetail": [detail],
    }


def transaction(account_id: str, core: Transaction) -> dict[str, Any]:
    """Return one ``Transaction`` of TransactionListResponse (note the lower-case nodes)."""
    return {
        "transactionId": core.transaction_id,
        "accountId": account_id,
        "transactionDate": millis(core.transaction_date),
        "postDate": millis(core.transaction_date),
        "amount": core.amount,
        "description": core.description or TRANSACTION_TYPE[core.transaction_type],
        "transactionType": TRANSACTION_TYPE[core.transaction_type],
        "instType": "BROKERAGE",
        "brokerage": {
            "product": {"symbol": core.symbol or "", "securityType": "EQ"},
            "quantity": core.quantity or Decimal(0),
            "price": core.price or Decimal(0),
            "fee": core.fees,
            "displaySymbol": core.symbol or "",
        },
    }


def quote(core: Quote, instrument: Instrument) -> dict[str, Any]:
    """Return one ``QuoteData`` with the ``All`` detail node."""
    local = market_time(core.as_of)
    return {
        "dateTime": local.strftime("%H:%M:%S ") + local.strftime("%Z %m-%d-%Y"),
        "dateTimeUTC": int(core.as_of.timestamp()),
        "quoteStatus": "REALTIME",
        "ahFlag": "false",
        "All": {
            "ask": core.ask,
            "askSize": core.ask_size,
            "bid": core.bid,
            "bidSize": core.bid_size,
            "lastTrade": core.last,
            "totalVolume": core.volume,
            "symbolDescription": instrument.description or instrument.symbol,
        },
        "Product": product(instrument),
    }


def _option(row: OptionQuote, stamp: int, underlying_price: Decimal | None) -> dict[str, Any]:
    contract = row.contract
    call = contract.right is OptionRight.CALL
    itm = underlying_price is not None and (
        underlying_price > contract.strike if call else underlying_price < contract.strike
    )
    greeks = row.greeks
    return {
        "optionCategory": "STANDARD",
        "optionRootSymbol": contract.underlying,
        "timeStamp": stamp,
        "adjustedFlag": False,
        "displaySymbol": f"{contract.underlying} {contract.expiration:%b %d '%y} "
        f"${contract.strike} {'Call' if call else 'Put'}",
        "optionType": "CALL" if call else "PUT",
        "strikePrice": contract.strike,
        "symbol": contract.underlying,
        "bid": row.bid,
        "ask": row.ask,
        "inTheMoney": "y" if itm else "n",
        "volume": row.volume or 0,
        "openInterest": row.open_interest or 0,
        "lastPrice": row.last,
        "osiKey": osi_key(contract),
        "OptionGreeks": None
        if greeks is None
        else {
            "rho": greeks.rho,
            "vega": greeks.vega,
            "theta": greeks.theta,
            "delta": greeks.delta,
            "gamma": greeks.gamma,
            "iv": greeks.implied_volatility,
            "currentValue": True,
        },
    }


def chain(core: OptionChain) -> dict[str, Any]:
    """Return OptionChainResponse: one OptionPair per strike with its Call and Put."""
    stamp = int(core.as_of.timestamp())
    puts = {p.contract.strike: p for p in core.puts}
    pairs = []
    for call in core.calls:
        pair: dict[str, Any] = {"Call": _option(call, stamp, core.underlying_price)}
        put = puts.get(call.contract.strike)
        if put is not None:
            pair["Put"] = _option(put, stamp, core.underlying_price)
        pairs.append(pair)
    expiry = core.expiration
    return {
        "OptionChainResponse": {
            "OptionPair": pairs,
            "timeStamp": stamp,
            "quoteType": "REALTIME",
            "nearPrice": core.underlying_price,
            "SelectedED": {"day": expiry.day, "month": expiry.month, "year": expiry.year},
        }
    }


def expirations(dates: list[date]) -> dict[str, Any]:
    """Return OptionExpireDateResponse (third Fridays are MONTHLY, the rest WEEKLY)."""
    return {
        "OptionExpireDateResponse": {
            "ExpirationDate": [
                {
                    "year": d.year,
                    "month": d.month,
                    "day": d.day,
                    "expiryType": "MONTHLY" if d.weekday() == 4 and 15 <= d.day <= 21 else "WEEKLY",
                }
                for d in dates
            ]
        }
    }
