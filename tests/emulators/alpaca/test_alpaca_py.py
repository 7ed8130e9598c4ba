"""alpaca-py, Alpaca's own SDK, drives the emulator: if it cannot, the emulator is wrong."""

from __future__ import annotations

import warnings
from datetime import timedelta
from decimal import Decimal

import pytest

from brokerhub.emulators.serve import LoopbackServer
from brokerhub.sim.clock import ManualClock
from tests.emulators.alpaca.conftest import KEY_ID, SECRET, START

with warnings.catch_warnings():
    # alpaca-py 0.44 imports websockets.legacy (its trading stream), which websockets 14+
    # deprecates on import; the warning is alpaca-py's, raised once at import time.
    warnings.filterwarnings("ignore", "websockets.legacy is deprecated", DeprecationWarning)
    from alpaca.common.exceptions import APIError
    from alpaca.data.historical import StockHistoricalDataClient
    from alpaca.data.requests import (
        StockBarsRequest,
        StockLatestQuoteRequest,
        StockLatestTradeRequest,
    )
    from alpaca.data.timeframe import TimeFrame
    from alpaca.trading.client import TradingClient
    from alpaca.trading.enums import OrderSide, OrderStatus, QueryOrderStatus, TimeInForce
    from alpaca.trading.requests import (
        GetAssetsRequest,
        GetOrdersRequest,
        LimitOrderRequest,
        MarketOrderRequest,
        ReplaceOrderRequest,
    )


@pytest.fixture
def trading(server: LoopbackServer) -> TradingClient:
    """Return alpaca-py's trading client pointed at the emulator."""
    return TradingClient(KEY_ID, SECRET, paper=True, url_override=server.url)


@pytest.fixture
def data(server: LoopbackServer) -> StockHistoricalDataClient:
    """Return alpaca-py's historical stock data client pointed at the emulator."""
    return StockHistoricalDataClient(KEY_ID, SECRET, url_override=server.url)


def test_account_and_empty_positions(trading: TradingClient) -> None:
    account = trading.get_account()
    assert account.cash == "100000"
    assert account.account_number.startswith("PA")
    assert trading.get_all_positions() == []


def test_market_order_fills_and_shows_as_a_position(
    trading: TradingClient, clock: ManualClock
) -> None:
    order = trading.submit_order(
        MarketOrderRequest(
            symbol="AAPL",
            qty=10,
            side=OrderSide.BUY,
            time_in_force=TimeInForce.DAY,
            client_order_id="sdk-market-1",
        )
    )
    assert order.status is OrderStatus.FILLED
    assert order.filled_qty == "10"
    clock.advance(timedelta(seconds=5))
    by_client = trading.get_order_by_client_id("sdk-market-1")
    assert by_client.id == order.id
    (position,) = trading.get_all_positions()
    assert position.symbol == "AAPL"
    assert position.qty == "10"
    assert trading.get_open_position("AAPL").qty == "10"
    account = trading.get_account()
    assert account.cash is not None
    assert Decimal(account.cash) < 100_000


def test_limit_order_is_replaced_then_cancelled(trading: TradingClient) -> None:
    order = trading.submit_order(
        LimitOrderRequest(
            symbol="MSFT",
            qty=3,
            side=OrderSide.BUY,
            time_in_force=TimeInForce.GTC,
            limit_price=100,
        )
    )
    assert order.status is OrderStatus.NEW
    replaced = trading.replace_order_by_id(order.id, ReplaceOrderRequest(limit_price=101, qty=4))
    assert replaced.replaces == order.id
    assert replaced.limit_price == "101"
    assert replaced.qty == "4"
    assert trading.get_order_by_id(order.id).status is OrderStatus.REPLACED
    open_orders = trading.get_orders(GetOrdersRequest(status=QueryOrderStatus.OPEN))
    assert [o.id for o in open_orders] == [replaced.id]
    trading.cancel_order_by_id(replaced.id)
    assert trading.get_order_by_id(replaced.id).status is OrderStatus.CANCELED
    closed = trading.get_orders(GetOrdersRequest(status=QueryOrderStatus.CLOSED))
    assert {o.id for o in closed} == {order.id, replaced.id}


def test_cancel_all_answers_multi_status(trading: TradingClient) -> None:
    for price in (50, 60):
        trading.submit_order(
            LimitOrderRequest(
                symbol="KO",
                qty=1,
                side=OrderSide.BUY,
                time_in_force=TimeInForce.DAY,
                limit_price=price,
            )
        )
    cancelled = trading.cancel_orders()
    assert sorted(c.status for c in cancelled) == [200, 200]


def test_errors_carry_alpaca_codes(trading: TradingClient) -> None:
    with pytest.raises(APIError) as too_big:
        trading.submit_order(
            MarketOrderRequest(
                symbol="AAPL", qty=100_000, side=OrderSide.BUY, time_in_force=TimeInForce.DAY
            )
        )
    assert too_big.value.status_code == 403
    assert too_big.value.code == 40310000
    with pytest.raises(APIError) as missing:
        trading.get_order_by_client_id("nope")
    assert missing.value.status_code == 404
    assert missing.value.code == 40410000


def test_assets(trading: TradingClient) -> None:
    assets = trading.get_all_assets(GetAssetsRequest())
    assert "AAPL" in {a.symbol for a in assets}
    assert trading.get_asset("SPY").symbol == "SPY"


def test_bars_latest_quote_and_trade(data: StockHistoricalDataClient, clock: ManualClock) -> None:
    clock.advance(timedelta(hours=3))
    bars = data.get_stock_bars(
        StockBarsRequest(
            symbol_or_symbols=["AAPL", "SPY"],
            timeframe=TimeFrame.Hour,
            start=START,
            end=START + timedelta(hours=3),
        )
    )
    # start and end are both inclusive: 15:00, 16:00, 17:00 and 18:00
    assert len(bars.data["AAPL"]) == 4
    assert len(bars.data["SPY"]) == 4
    quote = data.get_stock_latest_quote(StockLatestQuoteRequest(symbol_or_symbols="AAPL"))
    assert quote["AAPL"].ask_price > quote["AAPL"].bid_price > 0
    trade = data.get_stock_latest_trade(StockLatestTradeRequest(symbol_or_symbols="AAPL"))
    assert trade["AAPL"].price > 0
