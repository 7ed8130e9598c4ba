"""The ledger: average cost, realized P&L, and conservation of value (property test)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from brokerhub.core.instruments import Instrument, OptionContract, OptionRight
from brokerhub.core.orders import OrderAction
from brokerhub.core.portfolio import TransactionType
from brokerhub.sim.ledger import Ledger, Trade

AT = datetime(2025, 1, 6, 15, 0, tzinfo=UTC)
STOCK = Instrument.equity("AAPL")
OPTION = Instrument.from_option(
    OptionContract(
        underlying="AAPL", expiration=date(2025, 3, 21), right=OptionRight.CALL, strike=Decimal(200)
    )
)
INSTRUMENTS = (STOCK, Instrument.equity("SPY"), OPTION)


def _trade(instrument: Instrument, quantity: int, price: str, fee: str = "0") -> Trade:
    action = OrderAction.BUY if quantity > 0 else OrderAction.SELL
    if instrument.option is not None:
        action = OrderAction.BUY_TO_OPEN if quantity > 0 else OrderAction.SELL_TO_OPEN
    return Trade(instrument, action, Decimal(quantity), Decimal(price), Decimal(fee))


def test_average_cost_and_realized_pnl_through_a_flip() -> None:
    ledger = Ledger(account_id="A")
    ledger.deposit(Decimal(10_000), AT)
    ledger.post(_trade(STOCK, 10, "100.00", "1.00"), AT, "o1")
    ledger.post(_trade(STOCK, 20, "103.00", "1.00"), AT, "o2")
    holding = ledger.holdings["AAPL"]
    assert holding.cost_basis == Decimal("3060.00")
    assert holding.average_price == Decimal(102)
    ledger.post(_trade(STOCK, -40, "105.00", "2.00"), AT, "o3")
    assert ledger.realized_pnl == Decimal("90.00")
    short = ledger.holdings["AAPL"]
    assert (short.quantity, short.cost_basis) == (Decimal(-10), Decimal("-1050.00"))
    assert ledger.cash == Decimal(10_000) - Decimal("1001.00") - Decimal("2061.00") + Decimal(
        "4198.00"
    )
    assert ledger.fees_paid == Decimal("4.00")
    kinds = [t.transaction_type for t in ledger.transactions]
    assert kinds == [
        TransactionType.DEPOSIT,
        TransactionType.BUY,
        TransactionType.BUY,
        TransactionType.SELL,
    ]
    assert [t.amount for t in ledger.transactions[1:]] == [
        Decimal("-1001.00"),
        Decimal("-2061.00"),
        Decimal("4198.00"),
    ]


def test_partial_close_removes_basis_to_the_cent() -> None:
    ledger = Ledger(account_id="A")
    for price in ("10.00", "10.01", "10.01"):
        ledger.post(_trade(STOCK, 1, price), AT, "o")
    ledger.post(_trade(STOCK, -1, "11.00"), AT, "o")
    # basis 30.02; one third of it is 10.0066.. -> 10.01 removed
    assert ledger.realized_pnl == Decimal("0.99")
    assert ledger.holdings["AAPL"].cost_basis == Decimal("20.01")


def test_options_carry_the_multiplier_and_dividends_follow_the_sign() -> None:
    ledger = Ledger(account_id="A")
    ledger.post(_trade(OPTION, 2, "3.15", "1.30"), AT, "o")
    assert ledger.cash == Decimal("-631.30")
    assert ledger.holdings[OPTION.symbol].average_price == Decimal("3.15")
    ledger.post(_trade(STOCK, -10, "100.00"), AT, "o")
    paid = ledger.pay_dividend("AAPL", Decimal("0.25"), AT)
    assert paid is not None
    assert paid.amount == Decimal("-2.50")
    fee = ledger.charge_fee(Decimal("1.25"), AT, "Regulatory fee")
    assert (fee.transaction_type, fee.amount, fee.fees) == (
        TransactionType.FEE,
        Decimal("-1.25"),
        Decimal("1.25"),
    )
    assert ledger.fees_paid == Decimal("2.55")


operations = st.lists(
    st.tuples(
        st.sampled_from(range(len(INSTRUMENTS))),
        st.integers(min_value=-50, max_value=50).filter(bool),
        st.integers(min_value=1, max_value=50_000),
        st.integers(min_value=0, max_value=500),
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(ops=operations)
def test_fills_at_mid_never_create_or_destroy_value(
    ops: list[tuple[int, int, int, int]],
) -> None:
    ledger = Ledger(account_id="P")
    deposit = Decimal("1000000")
    ledger.deposit(deposit, AT)
    mids = dict.fromkeys((i.symbol for i in INSTRUMENTS), Decimal("1.00"))

    def value() -> Decimal:
        held = sum(
            (h.quantity * mids[s] * h.instrument.multiplier for s, h in ledger.holdings.items()),
            start=Decimal(0),
        )
        return ledger.cash + held + ledger.fees_paid

    for index, quantity, price_cents, fee_cents in ops:
        instrument = INSTRUMENTS[index]
        mids[instrument.symbol] = Decimal(price_cents) / 100
        before = value()
        fee = str(Decimal(fee_cents) / 100)
        ledger.post(_trade(instrument, quantity, str(mids[instrument.symbol]), fee), AT, "o")
        assert value() == before
        unrealized = sum(
            (
                h.quantity * mids[s] * h.instrument.multiplier - h.cost_basis
                for s, h in ledger.holdings.items()
            ),
            start=Decimal(0),
        )
        assert ledger.realized_pnl + unrealized == value() - deposit
        assert sum((t.amount for t in ledger.transactions), start=Decimal(0)) == ledger.cash
        assert sum((t.fees for t in ledger.transactions), start=Decimal(0)) == ledger.fees_paid
