"""AlpacaClient: one method per Alpaca endpoint on the shared HTTP stack.

Trading calls go to the trading host and market-data calls to the data host, each a
:class:`~brokerhub.brokers.http.HttpClient` with Alpaca's key headers, its 200/min budget
and its error table. Methods return the parsed wire model with the raw JSON next to it.
Paths and parameters follow alpaca-py (alpaca/trading/client.py,
alpaca/data/historical/stock.py) and Alpaca's API reference.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel

from brokerhub.brokers.alpaca.auth import AlpacaKeyAuth
from brokerhub.brokers.alpaca.config import (
    BROKER,
    DATA_FAMILY,
    RATE_LIMITS,
    TRADING_FAMILY,
    AlpacaConfig,
)
from brokerhub.brokers.alpaca.errors import map_error
from brokerhub.brokers.alpaca.schemas import (
    AlpacaAccount,
    AlpacaActivity,
    AlpacaAsset,
    AlpacaBarsPage,
    AlpacaOrder,
    AlpacaOrderRequest,
    AlpacaPosition,
    AlpacaQuote,
    AlpacaReplaceRequest,
    AlpacaTrade,
)
from brokerhub.brokers.http import HttpClient, Limit, RetryPolicy, Timeouts

M = TypeVar("M", bound=BaseModel)
Raw = dict[str, Any]


def _one(model: type[M], payload: Any) -> tuple[M, Raw]:
    return model.model_validate(payload), payload


def _many(model: type[M], payload: Any) -> list[tuple[M, Raw]]:
    return [(model.model_validate(item), item) for item in payload or []]


def _body(model: BaseModel) -> dict[str, Any]:
    return {
        key: str(value) if not isinstance(value, str | bool | int) else value
        for key, value in model.model_dump(exclude_none=True).items()
    }


class AlpacaClient:
    """Raw Alpaca endpoints.

    Args:
        config: hosts and keys.
        timeouts: per-attempt timeouts (tests shorten them).
        retry: the retry policy of idempotent requests.
        rate_limits: limits per family; Alpaca's published 200/min by default (an account
            with a higher plan, or a benchmark, passes its own).
    """

    def __init__(
        self,
        config: AlpacaConfig,
        *,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        rate_limits: Mapping[str, Sequence[Limit]] | None = None,
    ) -> None:
        auth = AlpacaKeyAuth(config.key_id, config.secret_key)
        common: dict[str, Any] = {
            "broker": BROKER,
            "rate_limits": RATE_LIMITS if rate_limits is None else rate_limits,
            "limit_scope": config.key_id,
            "auth": auth,
            "error_mapper": map_error,
            "timeouts": timeouts,
            "retry": retry,
        }
        self.auth = auth
        self.trading = HttpClient(base_url=config.trading_url, **common)
        self.data = HttpClient(base_url=config.data_url, **common)

    async def _get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        response = await self.trading.get(path, params=params, family=TRADING_FAMILY)
        return response.json()

    async def _data(self, path: str, params: Mapping[str, Any]) -> Any:
        response = await self.data.get(path, params=params, family=DATA_FAMILY)
        return response.json()

    # account and positions ----------------------------------------------------------

    async def get_account(self) -> tuple[AlpacaAccount, Raw]:
        """GET /v2/account."""
        return _one(AlpacaAccount, await self._get("/v2/account"))

    async def get_positions(self) -> list[tuple[AlpacaPosition, Raw]]:
        """GET /v2/positions."""
        return _many(AlpacaPosition, await self._get("/v2/positions"))

    async def get_account_activities(
        self, params: Mapping[str, Any]
    ) -> list[tuple[AlpacaActivity, Raw]]:
        """GET /v2/account/activities (activity_types, after, until, direction, page_*)."""
        return _many(AlpacaActivity, await self._get("/v2/account/activities", params))

    # orders -----------------------------------------------------------------------------

    async def get_orders(self, params: Mapping[str, Any]) -> list[tuple[AlpacaOrder, Raw]]:
        """GET /v2/orders (status open|closed|all, limit <= 500, after, until, direction)."""
        return _many(AlpacaOrder, await self._get("/v2/orders", params))

    async def get_order(self, order_id: str) -> tuple[AlpacaOrder, Raw]:
        """GET /v2/orders/{order_id}."""
        return _one(AlpacaOrder, await self._get(f"/v2/orders/{order_id}"))

    async def get_order_by_client_order_id(self, client_order_id: str) -> tuple[AlpacaOrder, Raw]:
        """GET /v2/orders:by_client_order_id?client_order_id=..."""
        params = {"client_order_id": client_order_id}
        return _one(AlpacaOrder, await self._get("/v2/orders:by_client_order_id", params))

    async def post_order(self, request: AlpacaOrderRequest) -> tuple[AlpacaOrder, Raw]:
        """POST /v2/orders (never retried: a lost answer is reconciled by client order id)."""
        response = await self.trading.post("/v2/orders", json=_body(request), family=TRADING_FAMILY)
        return _one(AlpacaOrder, response.json())

    async def patch_order(
        self, order_id: str, request: AlpacaReplaceRequest
    ) -> tuple[AlpacaOrder, Raw]:
        """PATCH /v2/orders/{order_id}: replace; the answer is the new order."""
        response = await self.trading.request(
            "PATCH", f"/v2/orders/{order_id}", json=_body(request), family=TRADING_FAMILY
        )
        return _one(AlpacaOrder, response.json())

    async def delete_order(self, order_id: str) -> None:
        """DELETE /v2/orders/{order_id} (204 on success)."""
        await self.trading.delete(f"/v2/orders/{order_id}", family=TRADING_FAMILY)

    async def delete_orders(self) -> list[dict[str, Any]]:
        """DELETE /v2/orders: cancel all; 207 with ``{"id", "status", "body"}`` per order."""
        response = await self.trading.delete("/v2/orders", family=TRADING_FAMILY)
        payload: list[dict[str, Any]] = response.json()
        return payload

    # assets -----------------------------------------------------------------------------

    async def get_assets(self, params: Mapping[str, Any]) -> list[tuple[AlpacaAsset, Raw]]:
        """GET /v2/assets (status, asset_class, exchange)."""
        return _many(AlpacaAsset, await self._get("/v2/assets", params))

    # market data ----------------------------------------------------------------------

    async def get_latest_quotes(self, symbols: list[str]) -> dict[str, AlpacaQuote]:
        """GET /v2/stocks/quotes/latest?symbols=A,B."""
        payload = await self._data("/v2/stocks/quotes/latest", {"symbols": ",".join(symbols)})
        quotes = payload.get("quotes") or {}
        return {s: AlpacaQuote.model_validate(q) for s, q in quotes.items()}

    async def get_latest_trades(self, symbols: list[str]) -> dict[str, AlpacaTrade]:
        """GET /v2/stocks/trades/latest?symbols=A,B."""
        payload = await self._data("/v2/stocks/trades/latest", {"symbols": ",".join(symbols)})
        trades = payload.get("trades") or {}
        return {s: AlpacaTrade.model_validate(t) for s, t in trades.items()}

    async def get_bars(self, params: Mapping[str, Any]) -> AlpacaBarsPage:
        """GET /v2/stocks/bars (symbols, timeframe, start, end, limit, page_token)."""
        return AlpacaBarsPage.model_validate(await self._data("/v2/stocks/bars", params))

    async def close(self) -> None:
        """Close both connection pools."""
        await self.trading.close()
        await self.data.close()
