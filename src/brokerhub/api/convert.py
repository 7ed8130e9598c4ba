"""Translate between API bodies and core models (the one place the two families meet)."""

from __future__ import annotations

from decimal import Decimal

from brokerhub.api.schemas.common import DataSource
from brokerhub.api.schemas.marketdata import (
    BarPublic,
    OptionQuotePublic,
    QuotePublic,
    SymbolMatchPublic,
)
from brokerhub.api.schemas.orders import (
    FillPublic,
    OrderBody,
    OrderLegPublic,
    OrderPublic,
    PreviewPublic,
)
from brokerhub.api.schemas.portfolio import (
    BalanceResponse,
    GreeksPublic,
    PositionPublic,
    TransactionPublic,
)
from brokerhub.core.instruments import OCC_PATTERN, Instrument
from brokerhub.core.marketdata import Bar, OptionQuote, Quote, SymbolMatch
from brokerhub.core.orders import (
    Order,
    OrderAction,
    OrderLeg,
    OrderPreview,
    OrderRequest,
    OrderType,
    TimeInForce,
)
from brokerhub.core.portfolio import Balance, Greeks, Position, Transaction

ORDER_TERM_TO_CORE = {
    "GOOD_FOR_DAY": TimeInForce.DAY,
    "DAY": TimeInForce.DAY,
    "GOOD_UNTIL_CANCEL": TimeInForce.GTC,
    "GTC": TimeInForce.GTC,
    "IMMEDIATE_OR_CANCEL": TimeInForce.IOC,
    "IOC": TimeInForce.IOC,
    "FILL_OR_KILL": TimeInForce.FOK,
    "FOK": TimeInForce.FOK,
}
# Core terms are written back in the E*TRADE seed's spelling.
CORE_TO_ORDER_TERM = {
    TimeInForce.DAY: "GOOD_FOR_DAY",
    TimeInForce.GTC: "GOOD_UNTIL_CANCEL",
    TimeInForce.IOC: "IMMEDIATE_OR_CANCEL",
    TimeInForce.FOK: "FILL_OR_KILL",
}


def instrument_for(symbol: str) -> Instrument:
    """Return an option instrument for an OCC symbol, else a stock."""
    cleaned = symbol.strip().upper()
    if OCC_PATTERN.match(cleaned):
        return Instrument.from_occ(cleaned)
    return Instrument.equity(cleaned)


def order_request(body: OrderBody, client_order_id: str | None = None) -> OrderRequest:
    """Return the core request of an order body (core validation errors become 400s)."""
    return OrderRequest(
        legs=[
            OrderLeg(
                instrument=instrument_for(leg.symbol),
                action=OrderAction(leg.order_action),
                quantity=leg.quantity,
            )
            for leg in body.leg_bodies()
        ],
        order_type=OrderType(body.price_type),
        time_in_force=ORDER_TERM_TO_CORE[body.order_term],
        limit_price=body.limit_price,
        stop_price=body.stop_price,
        trail_amount=body.trail_amount,
        trail_percent=body.trail_percent,
        client_order_id=client_order_id or body.client_order_id,
    )


def order_public(order: Order, source: DataSource) -> OrderPublic:
    """Return the API view of an order."""
    return OrderPublic(
        order_id=order.order_id,
        client_order_id=order.client_order_id,
        status=order.status.value,
        price_type=order.order_type.value,
        order_term=CORE_TO_ORDER_TERM[order.time_in_force],
        legs=[
            OrderLegPublic(
                symbol=leg.instrument.symbol,
                asset_class=leg.instrument.asset_class.value,
                order_action=leg.action.value,
                quantity=leg.quantity,
            )
            for leg in order.legs
        ],
        limit_price=order.limit_price,
        stop_price=order.stop_price,
        trail_amount=order.trail_amount,
        trail_percent=order.trail_percent,
        filled_quantity=order.filled_quantity,
        average_fill_price=order.average_fill_price,
        fills=[
            FillPublic(
                fill_id=fill.fill_id,
                symbol=fill.symbol,
                order_action=fill.action.value,
                quantity=fill.quantity,
                price=fill.price,
                commission=fill.commission,
                filled_at=fill.filled_at,
            )
            for fill in order.fills
        ],
        reject_reason=order.reject_reason,
        replaces_order_id=order.replaces_order_id,
        created_at=order.created_at,
        updated_at=order.updated_at,
        as_of=order.updated_at,
        source=source,
    )


def preview_public(preview: OrderPreview) -> PreviewPublic:
    """Return the API view of a preview."""
    return PreviewPublic(
        estimated_price=preview.estimated_price,
        estimated_cost=preview.estimated_cost,
        commission=preview.commission,
        fees=preview.fees,
        estimated_total=preview.estimated_total,
        buying_power_after=preview.buying_power_after,
        warnings=preview.warnings,
        preview_id=preview.preview_id,
    )


def balance_response(account_id: str, brokerage_name: str, balance: Balance) -> BalanceResponse:
    """Return the API view of a balance read live from the broker."""
    return BalanceResponse(
        account_id=account_id,
        brokerage_name=brokerage_name,
        currency=balance.currency,
        cash_balance=balance.cash,
        buying_power=balance.buying_power,
        total_value=balance.total_value,
        long_market_value=balance.long_market_value,
        short_market_value=balance.short_market_value,
        margin_buying_power=balance.margin_buying_power,
        maintenance_requirement=balance.maintenance_requirement,
        day_trading_buying_power=balance.day_trading_buying_power,
        as_of=balance.as_of,
        source=DataSource.LIVE,
    )


def greeks_public(greeks: Greeks | None) -> GreeksPublic | None:
    """Return the API view of option Greeks."""
    return None if greeks is None else GreeksPublic(**greeks.model_dump())


def position_public(position: Position, source: DataSource) -> PositionPublic:
    """Return the seed's Portfolio Position of a core position."""
    return PositionPublic(
        symbol=position.symbol,
        asset_class=position.instrument.asset_class.value,
        quantity=position.quantity,
        average_price=position.average_price,
        current_price=position.current_price,
        market_value=position.market_value,
        cost_basis=position.cost_basis,
        unrealized_pnl=position.unrealized_pnl,
        unrealized_pnl_percent=position.unrealized_pnl_percent,
        greeks=greeks_public(position.greeks),
        last_updated=position.as_of,
        as_of=position.as_of,
        source=source,
    )


def trade_value(transaction: Transaction) -> Decimal:
    """Return the seed's ``amount``: quantity x price (x 100 for options), else |cash|."""
    if transaction.quantity is not None and transaction.price is not None:
        symbol = transaction.symbol or ""
        multiplier = Decimal(100) if OCC_PATTERN.match(symbol) else Decimal(1)
        return abs(transaction.quantity * transaction.price * multiplier)
    return abs(transaction.amount)


def transaction_public(transaction: Transaction, created_at: object) -> TransactionPublic:
    """Return the seed's Transaction of a core transaction stored at ``created_at``."""
    return TransactionPublic.model_validate(
        {
            "transaction_id": transaction.transaction_id,
            "transaction_type": transaction.transaction_type.value,
            "symbol": transaction.symbol,
            "quantity": transaction.quantity,
            "price": transaction.price,
            "amount": trade_value(transaction),
            "net_amount": transaction.amount,
            "fees": transaction.fees,
            "description": transaction.description,
            "transaction_date": transaction.transaction_date,
            "created_at": created_at,
        }
    )


def quote_public(quote: Quote) -> QuotePublic:
    """Return the API view of a live quote."""
    return QuotePublic(**quote.model_dump(), source=DataSource.LIVE)


def bar_public(bar: Bar) -> BarPublic:
    """Return the API view of a bar."""
    return BarPublic(**bar.model_dump(exclude={"symbol", "timeframe"}))


def option_quote_public(quote: OptionQuote) -> OptionQuotePublic:
    """Return the API view of one chain entry."""
    return OptionQuotePublic(
        symbol=quote.symbol,
        strike=quote.contract.strike,
        option_type=quote.contract.right.value,
        bid=quote.bid,
        ask=quote.ask,
        last=quote.last,
        open_interest=quote.open_interest,
        volume=quote.volume,
        greeks=greeks_public(quote.greeks),
    )


def symbol_match_public(match: SymbolMatch) -> SymbolMatchPublic:
    """Return the API view of a search hit."""
    return SymbolMatchPublic(**match.model_dump())
