"""E*TRADE payloads from published docs and public clients (tests/fixtures/etrade) to core.

JSON fixtures load as the HTTP layer loads them (fractions as Decimal); XML fixtures go
through xmltodict (pyetrade's parser), so every value arrives as a string and single
elements as objects, as E*TRADE's XML answers do.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import xmltodict

from brokerhub.brokers.etrade import parse
from brokerhub.brokers.etrade import schemas as w
from brokerhub.brokers.etrade.errors import map_error
from brokerhub.brokers.http import HttpResponse
from brokerhub.core.instruments import Instrument
from brokerhub.core.orders import (
    OrderAction,
    OrderLeg,
    OrderRequest,
    OrderStatus,
    OrderType,
    TimeInForce,
)
from brokerhub.core.portfolio import AccountType, TransactionType
from brokerhub.errors import BrokerUnavailable, InsufficientFunds, InvalidOrder

FIXTURES = Path(__file__).parents[2] / "fixtures" / "etrade"
NOW = datetime(2024, 1, 2, 15, 0, tzinfo=UTC)


def load(name: str) -> Any:
    """Return a JSON fixture as brokers/http parses it, or an XML one as xmltodict does."""
    text = (FIXTURES / name).read_text()
    if name.endswith(".xml"):
        return xmltodict.parse(text)
    return json.loads(text, parse_float=Decimal)


def test_account_list_from_xml() -> None:
    wire = w.AccountListResponse.model_validate(load("accounts_list.xml"))
    accounts = [parse.account(a, sandbox=True) for a in wire.AccountListResponse.Accounts.Account]
    assert [(a.account_id, a.name, a.account_type, a.is_paper) for a in accounts] == [
        ("dBZOKt9xDrtRSAOl4MSiiA", "Brokerage", AccountType.IRA, True),
        ("vQMsebA1H5WltUfDkJP48g", "Complete Savings", AccountType.CASH, True),
    ]
    assert accounts[0].raw is not None
    assert accounts[0].raw["accountId"] == "82314598"


def test_margin_balance_with_real_time_nav() -> None:
    wire = w.BalanceResponse.model_validate(load("balance.json")).BalanceResponse
    balance = parse.balance("vQMsebA1H5WltUfDkJP48g", wire, NOW)
    assert balance.total_value == Decimal("10201.5284")
    assert balance.long_market_value == Decimal("13178.6684")
    assert balance.short_market_value == Decimal("-2913.88")
    # E*TRADE reports cashBalance 0 for this margin account; its cash is the debit left when
    # the market value is taken from the real-time NAV (marginBalance + shortAdjustBalance).
    assert balance.cash == Decimal("-63.26")
    assert balance.cash + balance.long_market_value + balance.short_market_value == (
        balance.total_value
    )
    assert balance.buying_power == Decimal(2155)
    assert balance.margin_buying_power == Decimal(4310)
    assert balance.day_trading_buying_power == Decimal(0)
    assert balance.as_of == NOW


def test_portfolio_position() -> None:
    body = w.PortfolioResponse.model_validate(load("portfolio.json")).PortfolioResponse
    assert body.Totals is None
    [portfolio] = body.AccountPortfolio
    assert portfolio.totalPages == 1
    [position] = [parse.position(p, NOW) for p in portfolio.Position]
    assert position.instrument == Instrument(symbol="COCP", description="COCP")
    assert position.quantity == Decimal(53)
    assert position.average_price == Decimal("1.405")
    assert position.current_price == Decimal("1.3984")
    assert position.market_value == Decimal("74.1152")
    assert position.cost_basis == Decimal("74.465")
    assert position.unrealized_pnl == Decimal("-0.3497")
    assert position.unrealized_pnl_percent == Decimal("-0.47")
    assert position.as_of == NOW


def test_transactions_signed_as_cash() -> None:
    body = w.TransactionListResponse.model_validate(load("transactions.json"))
    listed = body.TransactionListResponse
    assert listed.marker == "20059101214828_1582876800"
    assert listed.moreTransactions is False
    sold, bought = (parse.transaction("KEY", t) for t in listed.Transaction)
    assert sold.transaction_id == "20062200761797"
    assert sold.transaction_type is TransactionType.SELL
    assert (sold.symbol, sold.quantity, sold.price) == ("MITO", Decimal(53), Decimal(4))
    assert sold.amount == Decimal("211.98")
    assert sold.fees == Decimal(0)
    assert sold.transaction_date == datetime(2020, 3, 3, 18, 10, 6, tzinfo=UTC)
    assert bought.transaction_type is TransactionType.BUY
    assert (bought.quantity, bought.price) == (Decimal(53), Decimal("4.1575"))
    assert bought.amount == Decimal("-220.35")
    assert bought.transaction_date == datetime(2020, 3, 3, 17, 58, 37, tzinfo=UTC)


def test_orders_open_cancelled_executed() -> None:
    body = w.OrdersResponse.model_validate(load("orders.json")).OrdersResponse
    working, cancelled, executed = (parse.order("KEY", o) for o in body.Order)

    assert working.order_id == "676"
    assert working.status is OrderStatus.OPEN
    assert working.order_type is OrderType.STOP_LIMIT
    assert (working.limit_price, working.stop_price) == (Decimal("1.34"), Decimal("1.36"))
    assert working.time_in_force is TimeInForce.DAY
    assert [(leg.instrument.symbol, leg.action, leg.quantity) for leg in working.legs] == [
        ("COCP", OrderAction.SELL, Decimal(53))
    ]
    assert working.filled_quantity == Decimal(0)
    assert working.created_at == datetime(2020, 2, 24, 19, 7, 51, 171000, tzinfo=UTC)
    assert working.updated_at == working.created_at

    assert cancelled.status is OrderStatus.CANCELLED
    # E*TRADE sends executedTime 2023137072 (January 1970) on this cancelled order.
    assert cancelled.updated_at == cancelled.created_at

    assert executed.status is OrderStatus.FILLED
    assert executed.order_type is OrderType.LIMIT
    assert (executed.limit_price, executed.stop_price) == (Decimal("1.41"), None)
    assert executed.legs[0].action is OrderAction.BUY
    assert executed.filled_quantity == Decimal(53)
    assert executed.average_fill_price == Decimal("1.405")
    assert executed.updated_at == datetime(2020, 2, 24, 19, 4, 26, 944000, tzinfo=UTC)


def stop_limit_sell() -> OrderRequest:
    """Return the order the recorded preview and place answer."""
    return OrderRequest(
        legs=[
            OrderLeg(
                instrument=Instrument(symbol="TBLT"),
                action=OrderAction.SELL,
                quantity=Decimal(1454),
            )
        ],
        order_type=OrderType.STOP_LIMIT,
        limit_price=Decimal("0.202"),
        stop_price=Decimal("0.204"),
    )


def test_preview_of_a_sell() -> None:
    body = w.PreviewOrderResponse.model_validate(load("preview_order.json"))
    preview = parse.preview(stop_limit_sell(), body.PreviewOrderResponse)
    assert preview.preview_id == "266606056106"
    assert preview.commission == Decimal(0)
    assert preview.estimated_total == Decimal("293.5349")
    assert preview.estimated_cost == Decimal("293.5349")
    assert preview.estimated_price == Decimal("293.5349") / Decimal(1454)
    assert preview.warnings == []


def test_place_answer_carries_order_id_and_messages() -> None:
    body = w.PlaceOrderResponse.model_validate(load("place_order.json")).PlaceOrderResponse
    assert [i.orderId for i in body.OrderIds] == [673]
    assert parse.from_millis(body.placedTime or 0) == datetime(
        2020, 2, 24, 14, 39, 1, 165000, tzinfo=UTC
    )
    [detail] = body.Order
    assert detail.messages is not None
    assert [(m.code, m.type) for m in detail.messages.Message] == [(1026, "WARNING")]
    assert detail.Instrument[0].quantity == Decimal(1454)


def test_quote() -> None:
    body = w.QuoteResponse.model_validate(load("quote.json")).QuoteResponse
    [quote] = [parse.quote(q) for q in body.QuoteData]
    assert quote.symbol == "INO"
    assert (quote.bid, quote.ask, quote.last) == (
        Decimal("10.32"),
        Decimal("10.35"),
        Decimal("8.37"),
    )
    assert (quote.bid_size, quote.ask_size) == (Decimal(1400), Decimal(3000))
    assert quote.volume == Decimal(5613715)
    # dateTime reads "09:06:38 EDT 03-12-2020"
    assert quote.as_of == datetime(2020, 3, 12, 13, 6, 38, tzinfo=UTC)


def test_option_expirations_from_xml() -> None:
    body = w.OptionExpireDateResponse.model_validate(load("option_expire_dates.xml"))
    dates = body.OptionExpireDateResponse.ExpirationDate
    assert [(date(d.year, d.month, d.day), d.expiryType) for d in dates] == [
        (date(2018, 6, 22), "WEEKLY"),
        (date(2018, 7, 20), "MONTHLY"),
        (date(2020, 1, 17), "MONTHLY"),
    ]


def test_option_chain_from_xml() -> None:
    body = w.OptionChainResponse.model_validate(load("option_chains.xml"))
    chain = parse.chain("IBM", date(2018, 8, 17), body.OptionChainResponse, NOW)
    assert chain.underlying_price == Decimal("200.0")
    assert chain.as_of == datetime(2018, 6, 19, 17, 47, tzinfo=UTC)
    assert [q.contract.strike for q in chain.calls] == [Decimal(200), Decimal(205)]
    call = chain.calls[0]
    assert call.symbol == "IBM   180817C00200000"
    assert call.contract.expiration == date(2018, 8, 17)
    assert (call.bid, call.ask, call.last) == (Decimal(0), Decimal("0.05"), Decimal(0))
    assert call.greeks is not None
    assert call.greeks.delta == Decimal("0.004900")
    assert call.greeks.implied_volatility == Decimal("0.314500")
    put = chain.puts[1]
    assert put.symbol == "IBM   180817P00205000"
    assert put.greeks is not None
    assert put.greeks.delta == Decimal("-0.974900")
    assert put.greeks.rho == Decimal("-0.282200")


def test_error_payloads() -> None:
    errors = load("errors.json")

    def answer(name: str) -> HttpResponse:
        return HttpResponse(400, {}, json.dumps(errors[name]).encode())

    funds = map_error(answer("insufficient_funds"))
    assert isinstance(funds, InsufficientFunds)
    assert funds.broker_code == "1021"
    for name in ("preview_timed_out", "invalid_preview_id"):
        expired = map_error(answer(name))
        assert type(expired) is InvalidOrder
        assert expired.broker_code == "101"
    down = map_error(answer("service_unavailable"))
    assert isinstance(down, BrokerUnavailable)
    assert down.broker_code == "100"
