"""The operations of the broker contract, and the map each adapter declares (ccxt's ``has``)."""

from __future__ import annotations

from enum import StrEnum


class Capability(StrEnum):
    """One operation of the Broker protocol (DESIGN section 2)."""

    ACCOUNTS = "accounts"
    BALANCE = "balance"
    POSITIONS = "positions"
    TRANSACTIONS = "transactions"
    ORDERS = "orders"
    GET_ORDER = "get_order"
    PREVIEW_ORDER = "preview_order"
    PLACE_ORDER = "place_order"
    CANCEL_ORDER = "cancel_order"
    REPLACE_ORDER = "replace_order"
    OPTION_ORDERS = "option_orders"
    MULTI_LEG_ORDERS = "multi_leg_orders"
    QUOTES = "quotes"
    BARS = "bars"
    OPTION_EXPIRATIONS = "option_expirations"
    OPTION_CHAIN = "option_chain"
    SYMBOL_SEARCH = "symbol_search"
    STREAM_QUOTES = "stream_quotes"
    STREAM_ORDER_UPDATES = "stream_order_updates"


def capability_map(supported: frozenset[Capability]) -> dict[str, bool]:
    """Return every capability with whether it is in ``supported``, in declaration order."""
    return {capability.value: capability in supported for capability in Capability}
