"""ETradeAdapter: the Broker protocol over E*TRADE's v1 API.

Account ids in the hub are E*TRADE's ``accountIdKey``. Orders are previewed then placed with
the preview's ``PreviewIds`` and a ``clientOrderId`` (at most 20 alphanumerics, unique per
account; E*TRADE refuses a second order with the same one). The hub's client order id is
turned into E*TRADE's by :func:`etrade_client_order_id`. A placement whose answer is lost is
reconciled: the adapter looks for a matching order among the account's orders it does not
already know and, if absent, previews and sends it again with the same clientOrderId, which
E*TRADE's duplicate check makes safe; the order is never placed twice. A change is a
preview plus a place of the changed order (E*TRADE cancels the old order id, makes a new one).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, ClassVar

from brokerhub.brokers.base import BaseBroker
from brokerhub.brokers.etrade import parse
from brokerhub.brokers.etrade import schemas as w
from brokerhub.brokers.etrade.client import ETradeClient
from brokerhub.core.capabilities import Capability
from brokerhub.core.clock import utcnow
from brokerhub.core.marketdata import OptionChain, Quote
from brokerhub.core.orders import Order, OrderPreview, OrderRequest, OrderStatus
from brokerhub.core.portfolio import Account, Balance, Position, Transaction, TransactionType
from brokerhub.errors import BrokerTimeout, Conflict, NetworkError, NotFound, OrderStateUnknown

ETRADE_CAPABILITIES = frozenset(
    {
        Capability.ACCOUNTS,
        Capability.BALANCE,
        Capability.POSITIONS,
        Capability.TRANSACTIONS,
        Capability.ORDERS,
        Capability.GET_ORDER,
        Capability.PREVIEW_ORDER,
        Capability.PLACE_ORDER,
        Capability.CANCEL_ORDER,
        Capability.REPLACE_ORDER,
        Capability.OPTION_ORDERS,
        Capability.MULTI_LEG_ORDERS,
        Capability.QUOTES,
        Capability.OPTION_EXPIRATIONS,
        Capability.OPTION_CHAIN,
    }
)
QUOTE_BATCH = 25
ORDER_PAGE = 100
_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]")


def etrade_client_order_id(hub_id: str) -> str:
    """Return E*TRADE's clientOrderId for a hub id: its last 20 alphanumerics."""
    return _NOT_ALNUM.sub("", hub_id)[-20:]


def _same_order(order: Order, request: OrderRequest) -> bool:
    legs = {(leg.instrument.symbol, leg.action, leg.quantity) for leg in order.legs}
    wanted = {(leg.instrument.symbol, leg.action, leg.quantity) for leg in request.legs}
    return legs == wanted and order.order_type is request.order_type


class ETradeAdapter(BaseBroker):
    """The hub's E*TRADE connection.

    Args:
        client: the raw E*TRADE client.
    """

    name: ClassVar[str] = "etrade"
    capabilities: ClassVar[frozenset[Capability]] = ETRADE_CAPABILITIES

    def __init__(self, client: ETradeClient) -> None:
        self.client = client
        self._client_ids: dict[str, str] = {}

    async def accounts(self) -> list[Account]:
        """Return the login's active accounts."""
        listed = await self.client.get_accounts_list()
        if listed is None:
            return []
        return [
            parse.account(a, sandbox=self.client.config.sandbox)
            for a in listed.AccountListResponse.Accounts.Account
            if a.accountStatus != "CLOSED"
        ]

    async def balance(self, account_id: str) -> Balance:
        """Return the account's balance (real-time NAV)."""
        answer = await self.client.get_balance(account_id)
        if answer is None:
            raise NotFound(f"no balance for account {account_id}", broker="etrade")
        return parse.balance(account_id, answer.BalanceResponse, utcnow())

    async def positions(self, account_id: str) -> list[Position]:
        """Return every position, page by page."""
        now, page = utcnow(), 1
        held: list[Position] = []
        while True:
            answer = await self.client.get_portfolio(account_id, page)
            if answer is None:
                return held
            pages = 1
            for portfolio in answer.PortfolioResponse.AccountPortfolio:
                held += [parse.position(p, now) for p in portfolio.Position]
                pages = max(pages, portfolio.totalPages)
            if page >= pages:
                return held
            page += 1

    async def transactions(
        self,
        account_id: str,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        types: frozenset[TransactionType] | None = None,
    ) -> list[Transaction]:
        """Return the account's transactions in [start, end], following the marker."""
        params: dict[str, Any] = {"count": 50}
        if start is not None and end is not None:
            params |= {"startDate": f"{start:%m%d%Y}", "endDate": f"{end:%m%d%Y}"}
        found: list[Transaction] = []
        while True:
            answer = await self.client.get_transactions(account_id, params)
            if answer is None:
                break
            body = answer.TransactionListResponse
            found += [parse.transaction(account_id, t) for t in body.Transaction]
            if not body.moreTransactions or not body.marker:
                break
            params["marker"] = body.marker
        return [
            t
            for t in found
            if (start is None or t.transaction_date >= start)
            and (end is None or t.transaction_date <= end)
            and (types is None or t.transaction_type in types)
        ]

    async def orders(
        self, account_id: str, *, status: frozenset[OrderStatus] | None = None
    ) -> list[Order]:
        """Return the account's orders (E*TRADE's status filter when it maps exactly)."""
        params: dict[str, Any] = {"count": ORDER_PAGE}
        wire_statuses = {parse.CORE_TO_ETRADE_LIST_STATUS.get(s) for s in status or ()}
        if status and len(wire_statuses) == 1 and None not in wire_statuses:
            params["status"] = wire_statuses.pop()
        found: list[Order] = []
        while True:
            answer = await self.client.get_orders(account_id, params)
            if answer is None:
                break
            body = answer.OrdersResponse
            found += [self._order(account_id, o) for o in body.Order]
            if not body.marker:
                break
            params["marker"] = body.marker
        return [o for o in found if status is None or o.status in status]

    def _order(self, account_id: str, wire: w.Order) -> Order:
        return parse.order(account_id, wire, self._client_ids.get(str(wire.orderId)))

    async def get_order(self, account_id: str, order_id: str) -> Order:
        """Return one order."""
        answer = await self.client.get_order(account_id, order_id)
        if answer is None or not answer.OrdersResponse.Order:
            raise NotFound(f"order {order_id} not found", broker="etrade")
        return self._order(account_id, answer.OrdersResponse.Order[0])

    async def _preview(
        self, account_id: str, request: OrderRequest, replacing: str | None = None
    ) -> w.PreviewOrderBody:
        client_id = etrade_client_order_id(request.client_order_id or utcnow().strftime("%H%M%S%f"))
        body = parse.order_body("PreviewOrderRequest", request, client_id)
        if replacing is None:
            answer = await self.client.post_order_preview(account_id, body)
        else:
            answer = await self.client.put_change_preview(account_id, replacing, body)
        return answer.PreviewOrderResponse

    async def preview_order(self, account_id: str, request: OrderRequest) -> OrderPreview:
        """Return E*TRADE's preview (estimated cost, commission, previewId)."""
        return parse.preview(request, await self._preview(account_id, request))

    async def place_order(self, account_id: str, request: OrderRequest) -> Order:
        """Preview, then place carrying PreviewIds and the clientOrderId."""
        return await self._submit(account_id, request)

    async def replace_order(self, account_id: str, order_id: str, request: OrderRequest) -> Order:
        """Preview and place the changed order; return the new order."""
        order = await self._submit(account_id, request, replacing=order_id)
        return order.model_copy(update={"replaces_order_id": order_id})

    async def _submit(
        self, account_id: str, request: OrderRequest, replacing: str | None = None
    ) -> Order:
        hub_id = request.client_order_id or utcnow().strftime("bh%Y%m%d%H%M%S%f")
        request = request.model_copy(update={"client_order_id": hub_id})
        previewed = await self._preview(account_id, request, replacing)
        preview_id = previewed.PreviewIds[0].previewId
        body = parse.order_body(
            "PlaceOrderRequest", request, etrade_client_order_id(hub_id), preview_id
        )
        try:
            placed = await self._place(account_id, body, replacing)
        except (BrokerTimeout, NetworkError):
            return await self._reconcile(account_id, request, replacing)
        order_id = str(placed.OrderIds[0].orderId)
        self._client_ids[order_id] = hub_id
        return await self.get_order(account_id, order_id)

    async def _place(
        self, account_id: str, body: dict[str, Any], replacing: str | None
    ) -> w.PlaceOrderBody:
        if replacing is None:
            return (await self.client.post_order_place(account_id, body)).PlaceOrderResponse
        answer = await self.client.put_change_place(account_id, replacing, body)
        return answer.PlaceOrderResponse

    async def _reconcile(
        self, account_id: str, request: OrderRequest, replacing: str | None
    ) -> Order:
        hub_id = request.client_order_id or ""
        for attempt in range(2):
            known = set(self._client_ids)
            for order in await self.orders(account_id):
                if order.order_id not in known and _same_order(order, request):
                    self._client_ids[order.order_id] = hub_id
                    return order.model_copy(update={"client_order_id": hub_id})
            if attempt == 0:
                previewed = await self._preview(account_id, request, replacing)
                body = parse.order_body(
                    "PlaceOrderRequest",
                    request,
                    etrade_client_order_id(hub_id),
                    previewed.PreviewIds[0].previewId,
                )
                try:
                    placed = await self._place(account_id, body, replacing)
                except Conflict:
                    continue  # E*TRADE already has this clientOrderId: look again
                order_id = str(placed.OrderIds[0].orderId)
                self._client_ids[order_id] = hub_id
                return await self.get_order(account_id, order_id)
        raise OrderStateUnknown(
            f"E*TRADE's answer to order {hub_id} was lost and the order is not listed yet",
            broker="etrade",
        )

    async def cancel_order(self, account_id: str, order_id: str) -> Order:
        """Cancel a working order and return it as E*TRADE now shows it."""
        await self.client.put_order_cancel(account_id, order_id)
        return await self.get_order(account_id, order_id)

    async def quotes(self, symbols: list[str]) -> list[Quote]:
        """Return quotes, 25 symbols a call."""
        found: list[Quote] = []
        for start in range(0, len(symbols), QUOTE_BATCH):
            answer = await self.client.get_quotes(symbols[start : start + QUOTE_BATCH])
            if answer is not None:
                found += [parse.quote(q) for q in answer.QuoteResponse.QuoteData]
        return found

    async def option_expirations(self, symbol: str) -> list[date]:
        """Return the listed expirations of ``symbol``."""
        answer = await self.client.get_option_expire_dates(symbol)
        if answer is None:
            return []
        dates = answer.OptionExpireDateResponse.ExpirationDate
        return sorted(date(d.year, d.month, d.day) for d in dates)

    async def option_chain(self, symbol: str, expiration: date) -> OptionChain:
        """Return calls and puts of one expiration."""
        params = {
            "symbol": symbol,
            "expiryYear": expiration.year,
            "expiryMonth": expiration.month,
            "expiryDay": expiration.day,
            "chainType": "CALLPUT",
        }
        answer = await self.client.get_option_chains(params)
        body = answer.OptionChainResponse if answer else w.OptionChainBody()
        return parse.chain(symbol, expiration, body, utcnow())

    async def close(self) -> None:
        """Close the HTTP clients."""
        await self.client.close()
