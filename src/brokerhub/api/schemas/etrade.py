"""Bodies of the E*TRADE seed's routes under /api/etrade/ (a thin compatibility layer)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from brokerhub.api.schemas.common import Body, Envelope

ETradeOrderStatus = Literal[
    "OPEN", "EXECUTED", "CANCELLED", "CANCEL_REQUESTED", "EXPIRED", "REJECTED", "PARTIAL"
]


class ETradeAccountPublic(BaseModel):
    """An E*TRADE account connected to the hub."""

    account_id_key: str
    account_name: str | None
    connection_id: str
    status: str
    environment: str


class ETradeAccountsResponse(Envelope):
    """``GET /api/etrade/accounts``."""

    accounts: list[ETradeAccountPublic]


class CancelBody(Body):
    """``POST /api/etrade/accounts/{account_id_key}/orders/cancel``."""

    order_id: str
