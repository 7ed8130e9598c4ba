"""ETradeClient: one method per E*TRADE v1 endpoint, JSON in (``.json`` paths) and out.

Paths and parameters: https://apisb.etrade.com/docs/api/account/, /order/, /market/ and
/authorization/. Every call goes through the hub's one HTTP stack with E*TRADE's rate-limit
families (accounts, order, market); a 204 (no results) comes back as None.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel

from brokerhub.brokers.etrade import schemas as w
from brokerhub.brokers.etrade.auth import ETradeSigner
from brokerhub.brokers.etrade.config import ETRADE_RATE_LIMITS, ETradeConfig
from brokerhub.brokers.etrade.errors import map_error
from brokerhub.brokers.http import HttpClient, HttpResponse, Limit, Timeouts

M = TypeVar("M", bound=BaseModel)


def _model(response: HttpResponse, model: type[M]) -> M | None:
    if response.status == 204 or not response.body.strip():
        return None
    return model.model_validate(response.json())


class ETradeClient:
    """Raw E*TRADE calls for one access token.

    Args:
        config: hosts and credentials.
        rate_limits: limits per family; E*TRADE's published ones by default.
        timeouts: connect/read/total timeouts of one attempt.
    """

    def __init__(
        self,
        config: ETradeConfig,
        *,
        rate_limits: Mapping[str, Sequence[Limit]] | None = None,
        timeouts: Timeouts | None = None,
    ) -> None:
        self.config = config
        limits = ETRADE_RATE_LIMITS if rate_limits is None else rate_limits
        self._oauth_http = HttpClient(
            broker="etrade",
            base_url=config.oauth_url,
            error_mapper=map_error,
            auth=ETradeSigner(
                config.consumer_key,
                config.consumer_secret,
                config.oauth_token,
                config.oauth_token_secret,
            ),
        )
        self._http = HttpClient(
            broker="etrade",
            base_url=config.data_url,
            rate_limits=limits,
            limit_scope=config.consumer_key[:8],
            timeouts=timeouts,
            error_mapper=map_error,
            auth=ETradeSigner(
                config.consumer_key,
                config.consumer_secret,
                config.oauth_token,
                config.oauth_token_secret,
                renew=self.renew_access_token,
                expires_at=config.token_expires_at,
                store=config.token_store,
            ),
        )

    async def renew_access_token(self) -> None:
        """Reactivate an access token idle for two hours (GET /oauth/renew_access_token)."""
        await self._oauth_http.get("/oauth/renew_access_token")

    async def revoke_access_token(self) -> None:
        """Revoke the access token (GET /oauth/revoke_access_token)."""
        await self._oauth_http.get("/oauth/revoke_access_token")

    async def get_accounts_list(self) -> w.AccountListResponse | None:
        """GET /v1/accounts/list."""
        return _model(
            await self._http.get("/v1/accounts/list.json", family="accounts"), w.AccountListResponse
        )

    async def get_balance(self, key: str) -> w.BalanceResponse | None:
        """GET /v1/accounts/{key}/balance with instType=BROKERAGE and realTimeNAV=true."""
        params = {"instType": "BROKERAGE", "realTimeNAV": "true"}
        response = await self._http.get(
            f"/v1/accounts/{key}/balance.json", params=params, family="accounts"
        )
        return _model(response, w.BalanceResponse)

    async def get_portfolio(
        self, key: str, page: int = 1, count: int = 50
    ) -> w.PortfolioResponse | None:
        """GET /v1/accounts/{key}/portfolio, one page."""
        params = {"count": count, "pageNumber": page, "view": "QUICK"}
        response = await self._http.get(
            f"/v1/accounts/{key}/portfolio.json", params=params, family="accounts"
        )
        return _model(response, w.PortfolioResponse)

    async def get_transactions(
        self, key: str, params: dict[str, Any]
    ) -> w.TransactionListResponse | None:
        """GET /v1/accounts/{key}/transactions (startDate/endDate MMDDYYYY, marker, count)."""
        response = await self._http.get(
            f"/v1/accounts/{key}/transactions.json", params=params, family="accounts"
        )
        return _model(response, w.TransactionListResponse)

    async def get_orders(self, key: str, params: dict[str, Any]) -> w.OrdersResponse | None:
        """GET /v1/accounts/{key}/orders (status, marker, count up to 100)."""
        response = await self._http.get(
            f"/v1/accounts/{key}/orders.json", params=params, family="order"
        )
        return _model(response, w.OrdersResponse)

    async def get_order(self, key: str, order_id: str) -> w.OrdersResponse | None:
        """GET /v1/accounts/{key}/orders/{orderId}."""
        response = await self._http.get(
            f"/v1/accounts/{key}/orders/{order_id}.json", family="order"
        )
        return _model(response, w.OrdersResponse)

    async def post_order_preview(self, key: str, body: dict[str, Any]) -> w.PreviewOrderResponse:
        """POST /v1/accounts/{key}/orders/preview."""
        response = await self._http.post(
            f"/v1/accounts/{key}/orders/preview.json", json=body, family="order"
        )
        return w.PreviewOrderResponse.model_validate(response.json())

    async def post_order_place(self, key: str, body: dict[str, Any]) -> w.PlaceOrderResponse:
        """POST /v1/accounts/{key}/orders/place (never retried)."""
        response = await self._http.post(
            f"/v1/accounts/{key}/orders/place.json", json=body, family="order"
        )
        return w.PlaceOrderResponse.model_validate(response.json())

    async def put_order_cancel(self, key: str, order_id: str) -> w.CancelOrderResponse:
        """PUT /v1/accounts/{key}/orders/cancel."""
        body = {"CancelOrderRequest": {"orderId": int(order_id)}}
        response = await self._http.put(
            f"/v1/accounts/{key}/orders/cancel.json", json=body, family="order"
        )
        return w.CancelOrderResponse.model_validate(response.json())

    async def put_change_preview(
        self, key: str, order_id: str, body: dict[str, Any]
    ) -> w.PreviewOrderResponse:
        """PUT /v1/accounts/{key}/orders/{orderId}/change/preview."""
        response = await self._http.put(
            f"/v1/accounts/{key}/orders/{order_id}/change/preview.json", json=body, family="order"
        )
        return w.PreviewOrderResponse.model_validate(response.json())

    async def put_change_place(
        self, key: str, order_id: str, body: dict[str, Any]
    ) -> w.PlaceOrderResponse:
        """PUT /v1/accounts/{key}/orders/{orderId}/change/place."""
        response = await self._http.put(
            f"/v1/accounts/{key}/orders/{order_id}/change/place.json", json=body, family="order"
        )
        return w.PlaceOrderResponse.model_validate(response.json())

    async def get_quotes(self, symbols: list[str]) -> w.QuoteResponse | None:
        """GET /v1/market/quote/{symbols} (up to 25, comma-separated)."""
        response = await self._http.get(
            f"/v1/market/quote/{','.join(symbols)}.json",
            params={"detailFlag": "ALL"},
            family="market",
        )
        return _model(response, w.QuoteResponse)

    async def get_option_expire_dates(self, symbol: str) -> w.OptionExpireDateResponse | None:
        """GET /v1/market/optionexpiredate?symbol=."""
        response = await self._http.get(
            "/v1/market/optionexpiredate.json",
            params={"symbol": symbol, "expiryType": "ALL"},
            family="market",
        )
        return _model(response, w.OptionExpireDateResponse)

    async def get_option_chains(self, params: dict[str, Any]) -> w.OptionChainResponse | None:
        """GET /v1/market/optionchains."""
        response = await self._http.get(
            "/v1/market/optionchains.json", params=params, family="market"
        )
        return _model(response, w.OptionChainResponse)

    async def close(self) -> None:
        """Close both HTTP clients."""
        await self._http.close()
        await self._oauth_http.close()
