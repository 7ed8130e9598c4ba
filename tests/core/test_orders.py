from decimal import Decimal

import pytest
from pydantic import ValidationError

from brokerhub.core.instruments import Instrument
from brokerhub.core.orders import OrderAction, OrderLeg, OrderRequest, OrderStatus, OrderType

AAPL = Instrument.equity("AAPL")
CALL_150 = Instrument.from_occ("AAPL  250117C00150000")
CALL_160 = Instrument.from_occ("AAPL  250117C00160000")
MSFT_CALL = Instrument.from_occ("MSFT  250117C00400000")


def leg(instrument: Instrument, action: str, quantity: object = 1) -> OrderLeg:
    return OrderLeg.model_validate(
        {"instrument": instrument, "action": action, "quantity": quantity}
    )


def test_limit_order_keeps_exact_decimal_price() -> None:
    order = OrderRequest(
        legs=[leg(AAPL, "BUY", "10")], order_type=OrderType.LIMIT, limit_price="150.10"
    )
    assert order.limit_price == Decimal("150.10")
    assert order.legs[0].action.sign == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"order_type": "LIMIT"}, "limit_price is required"),
        ({"order_type": "STOP"}, "stop_price is required"),
        ({"order_type": "STOP_LIMIT", "limit_price": "1"}, "stop_price is required"),
        ({"order_type": "MARKET", "limit_price": "1"}, "limit_price is not allowed"),
        ({"order_type": "TRAILING_STOP"}, "trail_amount, trail_percent"),
        (
            {"order_type": "TRAILING_STOP", "trail_amount": "1", "trail_percent": "2"},
            "exactly one of trail_amount",
        ),
        ({"order_type": "LIMIT", "limit_price": "0"}, "limit_price must be greater than zero"),
        ({"order_type": "STOP", "stop_price": "-1"}, "stop_price"),
        ({"order_type": "WHATEVER"}, "order_type"),
    ],
)
def test_prices_must_fit_order_type(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        OrderRequest.model_validate({"legs": [leg(AAPL, "BUY")], **fields})


@pytest.mark.parametrize("quantity", ["0", "-5"])
def test_non_positive_quantity_names_the_field(quantity: str) -> None:
    with pytest.raises(ValidationError) as info:
        leg(AAPL, "BUY", quantity)
    assert info.value.errors()[0]["loc"] == ("quantity",)


def test_unknown_action_names_the_field() -> None:
    with pytest.raises(ValidationError) as info:
        leg(AAPL, "HODL")
    assert info.value.errors()[0]["loc"] == ("action",)


def test_option_leg_needs_open_close_action() -> None:
    with pytest.raises(ValidationError, match="BUY_TO_OPEN"):
        leg(CALL_150, "BUY")
    with pytest.raises(ValidationError, match="is for options"):
        leg(AAPL, "BUY_TO_OPEN")


def test_vertical_spread_is_valid_with_net_credit() -> None:
    spread = OrderRequest(
        legs=[leg(CALL_150, "SELL_TO_OPEN"), leg(CALL_160, "BUY_TO_OPEN")],
        order_type=OrderType.LIMIT,
        limit_price="-2.35",
    )
    assert spread.is_multi_leg
    assert spread.limit_price == Decimal("-2.35")


@pytest.mark.parametrize(
    ("legs", "message"),
    [
        ([("c150", "BUY_TO_OPEN"), ("c150", "SELL_TO_OPEN")], "same instrument"),
        ([("c150", "BUY_TO_OPEN"), ("msft", "SELL_TO_OPEN")], "one underlying"),
        ([("aapl", "BUY"), ("aapl2", "SELL")], "option leg"),
        ([("c150", "BUY_TO_OPEN")] * 5, "at most 4"),
    ],
)
def test_legs_that_make_no_sense_are_refused(legs: list[tuple[str, str]], message: str) -> None:
    instruments = {
        "c150": CALL_150,
        "msft": MSFT_CALL,
        "aapl": AAPL,
        "aapl2": Instrument.equity("MSFT"),
    }
    with pytest.raises(ValidationError, match=message):
        OrderRequest(legs=[leg(instruments[name], action) for name, action in legs])


def test_multi_leg_stop_orders_are_refused() -> None:
    with pytest.raises(ValidationError, match="MARKET or LIMIT"):
        OrderRequest(
            legs=[leg(CALL_150, "BUY_TO_OPEN"), leg(CALL_160, "SELL_TO_OPEN")],
            order_type=OrderType.STOP,
            stop_price="1",
        )


def test_empty_legs_are_refused() -> None:
    with pytest.raises(ValidationError) as info:
        OrderRequest(legs=[])
    assert info.value.errors()[0]["loc"] == ("legs",)


def test_status_lifecycle_flags() -> None:
    assert OrderStatus.FILLED.is_terminal
    assert not OrderStatus.UNKNOWN.is_terminal
    assert OrderStatus.PARTIALLY_FILLED.is_working
    assert OrderAction.SELL_SHORT.sign == -1
