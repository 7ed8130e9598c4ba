"""One scenario suite every adapter runs against its emulator (paper runs it in-process).

Each test gets a fresh exchange and clock; the ``broker`` fixture is parametrised over
:data:`tests.contract.targets.CONTRACT_TARGETS`.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from brokerhub.brokers.base import BaseBroker, Broker
from brokerhub.core.capabilities import Capability
from brokerhub.core.orders import OrderAction, OrderStatus, OrderType
from brokerhub.core.portfolio import TransactionType
from brokerhub.errors import InsufficientFunds, UnsupportedOperation
from brokerhub.sim.clock import ManualClock
from tests.contract.scenario import SYMBOL, equity_order, unsupported_call, wait_for
from tests.contract.targets import STARTING_CASH

CENT = Decimal("0.01")
DONE = {OrderStatus.FILLED}


async def test_connect_lists_accounts(broker: Broker) -> None:
    accounts = await broker.accounts()
    assert accounts
    assert all(a.account_id for a in accounts)
    assert isinstance(broker.capabilities, frozenset)


async def test_balance_of_a_new_account(broker: Broker, account_id: str) -> None:
    balance = await broker.balance(account_id)
    assert balance.cash == STARTING_CASH
    assert balance.total_value == STARTING_CASH
    assert balance.buying_power >= STARTING_CASH
    assert await broker.positions(account_id) == []


async def test_buy_market_moves_cash_and_position(
    broker: Broker, account_id: str, clock: ManualClock
) -> None:
    placed = await broker.place_order(account_id, equity_order(OrderAction.BUY, 10))
    order = await wait_for(broker, account_id, placed.order_id, DONE, clock)
    assert order.filled_quantity == 10
    assert order.average_fill_price is not None
    (position,) = await broker.positions(account_id)
    assert position.symbol == SYMBOL
    assert position.quantity == 10
    cash = (await broker.balance(account_id)).cash
    assert abs(cash - (STARTING_CASH - 10 * order.average_fill_price)) <= CENT


async def test_buy_limit_then_cancel(broker: Broker, account_id: str, clock: ManualClock) -> None:
    request = equity_order(OrderAction.BUY, 5, OrderType.LIMIT, limit_price=Decimal("1.00"))
    placed = await broker.place_order(account_id, request)
    assert placed.status in {OrderStatus.PENDING, OrderStatus.OPEN}
    open_orders = await broker.orders(account_id, status=frozenset({OrderStatus.OPEN}))
    assert placed.order_id in {o.order_id for o in open_orders}
    await broker.cancel_order(account_id, placed.order_id)
    cancelled = await wait_for(broker, account_id, placed.order_id, {OrderStatus.CANCELLED}, clock)
    assert cancelled.filled_quantity == 0
    assert (await broker.balance(account_id)).cash == STARTING_CASH


async def test_sell_reduces_the_position_and_records_transactions(
    broker: Broker, account_id: str, clock: ManualClock
) -> None:
    bought = await broker.place_order(account_id, equity_order(OrderAction.BUY, 10))
    await wait_for(broker, account_id, bought.order_id, DONE, clock)
    cash_before = (await broker.balance(account_id)).cash
    sold = await broker.place_order(account_id, equity_order(OrderAction.SELL, 4))
    sale = await wait_for(broker, account_id, sold.order_id, DONE, clock)
    assert sale.average_fill_price is not None
    (position,) = await broker.positions(account_id)
    assert position.quantity == 6
    cash = (await broker.balance(account_id)).cash
    assert abs(cash - (cash_before + 4 * sale.average_fill_price)) <= CENT
    transactions = await broker.transactions(account_id)
    kinds = {(t.transaction_type, t.symbol, t.quantity) for t in transactions}
    assert any(k == TransactionType.BUY and s == SYMBOL and q == 10 for k, s, q in kinds)
    assert any(k == TransactionType.SELL and s == SYMBOL and q in {4, -4} for k, s, q in kinds)
    buys = await broker.transactions(account_id, types=frozenset({TransactionType.BUY}))
    assert buys
    assert {t.transaction_type for t in buys} == {TransactionType.BUY}


async def test_an_order_too_big_fails_with_insufficient_funds(
    broker: Broker, account_id: str
) -> None:
    with pytest.raises(InsufficientFunds):
        await broker.place_order(account_id, equity_order(OrderAction.BUY, 1_000_000))
    assert (await broker.balance(account_id)).cash == STARTING_CASH


async def test_unsupported_operations_raise_and_the_map_says_so(
    broker: Broker, account_id: str
) -> None:
    missing = sorted(set(Capability) - broker.capabilities)
    assert isinstance(broker, BaseBroker)
    # The map is the truth both ways: what it lacks raises, what it has is declared supported
    # (a broker with nothing missing, like paper, checks only the second half).
    assert all(broker.supports(capability) for capability in broker.capabilities)
    for capability in missing:
        assert not broker.supports(capability)
        with pytest.raises(UnsupportedOperation):
            await unsupported_call(broker, account_id, capability)()
