"""AlpacaAdapter: the Broker protocol over Alpaca's Trading API v2 and Market Data v2.

One API key pair sees one account; its id in the hub is Alpaca's account number. Orders are
single-instrument equity orders (market, limit, stop, stop_limit, trailing_stop; day, gtc,
ioc, fok) sent with the hub's client order id. A placement whose answer is lost (timeout,
reset) is looked up by that id and never sent twice; if Alpaca has no such order the call
raises OrderStateUnknown. Alpaca has no order preview, and options, multi-leg orders and
quote streaming are not offered by this adapter: those raise UnsupportedOperation.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar

from brokerhub.brokers.alpaca import parse
from brokerhub.brokers.alpaca.client import AlpacaClient
from brokerhub.brokers.alpaca.config import BROKER, AlpacaConfig
from brokerhub.brokers.alpaca.schemas import AlpacaOrderRequest, AlpacaReplaceRequest
from brokerhub.brokers.alpaca.stream import trade_updates
from brokerhub.brokers.base import BaseBroker
from brokerhub.brokers.http import Limit, RetryPolicy, Timeouts
from brokerhub.core.capabilities import Capability
from brokerhub.core.clock import utcnow
from brokerhub.core.instruments import AssetClass
from brokerhub.core.marketdata import Bar, Quote, SymbolMatch, Timeframe
from brokerhub.core.orders import Order, OrderRequest, OrderStatus
from brokerhub.core.portfolio import Account, Balance, Position, Transaction, TransactionType
from brokerhub.errors import (
    BrokerTimeout,
    NetworkError,
    NotFound,
    OrderStateUnknown,
    UnsupportedOperation,
)

ALPACA_CAPABILITIES = frozenset(
    {
        Capability.ACCOUNTS,
        Capability.BALANCE,
        Capability.POSITIONS,
        Capability.TRANSACTIONS,
        Capability.ORDERS,
        Capability.GET_ORDER,
        Capability.PLACE_ORDER,
        Capability.CANCEL_ORDER,
        Capability.REPLACE_ORDER,
        Capability.QUOTES,
        Capability.BARS,
        Capability.SYMBOL_SEARCH,
        Capability.STREAM_ORDER_UPDATES,
    }
)
ACTIVITY_PAGE_SIZE = 100
ORDER_PAGE_LIMIT = 500
BAR_PAGE_LIMIT = 10_000
SEARCH_LIMIT = 20


class AlpacaAdapter(BaseBroker):
    """One Alpaca API key pair as a hub broker.

    Args:
        config: hosts and keys.
        timeouts: per-attempt HTTP timeouts.
        retry: the retry policy of idempotent requests.
        rate_limits: limits per endpoint family; Alpaca's published ones by default.
    """

    name: ClassVar[str] = BROKER
    capabilities: ClassVar[frozenset[Capability]] = ALPACA_CAPABILITIES

    def __init__(
        self,
        config: AlpacaConfig,
        *,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        rate_limits: Mapping[str, Sequence[Limit]] | None = None,
    ) -> None:
        self.config = config
        self.client = AlpacaClient(config, timeouts=timeouts, retry=retry, rate_limits=rate_limits)
        self._account_number: str | None = None

    async def _own(self, account_id: str) -> None:
        if self._account_number is None:
            await self.accounts()
        if account_id != self._account_number:
            raise NotFound(f"alpaca account {account_id} not found", broker=BROKER)

    async def accounts(self) -> list[Account]:
        """Return the key pair's one account."""
        wire, raw = await self.client.get_account()
        self._account_number = wire.account_number
        return [parse.account(wire, raw, is_paper=not self.config.is_live)]

    async def balance(self, account_id: str) -> Balance:
        """Return cash, buying power and equity."""
        wire, raw = await self.client.get_account()
        self._account_number = wire.account_number
        await self._own(account_id)
        return parse.balance(wire, raw, utcnow())

    async def positions(self, account_id: str) -> list[Position]:
        """Return the open positions."""
        await self._own(account_id)
        now = utcnow()
        return [parse.position(w, raw, now) for w, raw in await self.client.get_positions()]

    async def transactions(
        self,
        account_id: str,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        types: frozenset[TransactionType] | None = None,
    ) -> list[Transaction]:
        """Return account activities as transactions, oldest first, every page."""
        await self._own(account_id)
        params: dict[str, Any] = {"direction": "asc", "page_size": ACTIVITY_PAGE_SIZE}
        if start is not None:
            params["after"] = start.isoformat()
        if end is not None:
            params["until"] = end.isoformat()
        if types is not None and TransactionType.OTHER not in types:
            codes = {c for t in types for c in parse.CORE_TO_ALPACA_ACTIVITY.get(t, ())}
            params["activity_types"] = ",".join(sorted(codes))
        found: list[Transaction] = []
        while True:
            page = await self.client.get_account_activities(params)
            found += [parse.transaction(w, raw, account_id) for w, raw in page]
            if len(page) < ACTIVITY_PAGE_SIZE:
                break
            params["page_token"] = page[-1][0].id
        if types is not None:
            found = [t for t in found if t.transaction_type in types]
        return found

    async def orders(
        self, account_id: str, *, status: frozenset[OrderStatus] | None = None
    ) -> list[Order]:
        """Return up to 500 of the account's most recent orders, oldest first."""
        await self._own(account_id)
        query = "all"
        if status is not None and all(s.is_working for s in status):
            query = "open"
        elif status is not None and not any(s.is_working for s in status):
            query = "closed"
        page = await self.client.get_orders(
            {"status": query, "limit": ORDER_PAGE_LIMIT, "direction": "asc"}
        )
        found = [parse.order(w, raw, account_id) for w, raw in page]
        return [o for o in found if status is None or o.status in status]

    async def get_order(self, account_id: str, order_id: str) -> Order:
        """Return one order by Alpaca's order id."""
        await self._own(account_id)
        wire, raw = await self.client.get_order(order_id)
        return parse.order(wire, raw, account_id)

    def _wire_request(self, request: OrderRequest, client_order_id: str) -> AlpacaOrderRequest:
        if request.is_multi_leg:
            raise UnsupportedOperation("alpaca: multi-leg orders are not offered", broker=BROKER)
        leg = request.legs[0]
        if leg.instrument.asset_class is AssetClass.OPTION:
            raise UnsupportedOperation("alpaca: option orders are not offered", broker=BROKER)
        side, intent = parse.CORE_TO_ALPACA_SIDE[leg.action]
        return AlpacaOrderRequest(
            symbol=leg.instrument.symbol,
            qty=leg.quantity,
            side=side,
            type=parse.CORE_TO_ALPACA_ORDER_TYPE[request.order_type],
            time_in_force=parse.CORE_TO_ALPACA_TIME_IN_FORCE[request.time_in_force],
            limit_price=request.limit_price,
            stop_price=request.stop_price,
            trail_price=request.trail_amount,
            trail_percent=request.trail_percent,
            client_order_id=client_order_id,
            position_intent=intent,
        )

    async def place_order(self, account_id: str, request: OrderRequest) -> Order:
        """Place the order; a lost answer is reconciled by client order id, never resent.

        Raises:
            OrderStateUnknown: the answer was lost and Alpaca has no order with that id.
        """
        await self._own(account_id)
        client_order_id = request.client_order_id or uuid.uuid4().hex
        wire_request = self._wire_request(request, client_order_id)
        try:
            wire, raw = await self.client.post_order(wire_request)
        except (BrokerTimeout, NetworkError) as lost:
            try:
                wire, raw = await self.client.get_order_by_client_order_id(client_order_id)
            except NotFound:
                raise OrderStateUnknown(
                    f"alpaca: order {client_order_id} was sent but not found afterwards",
                    broker=BROKER,
                ) from lost
        return parse.order(wire, raw, account_id)

    async def cancel_order(self, account_id: str, order_id: str) -> Order:
        """Ask Alpaca to cancel and return the order as it now stands."""
        await self._own(account_id)
        await self.client.delete_order(order_id)
        return await self.get_order(account_id, order_id)

    async def replace_order(self, account_id: str, order_id: str, request: OrderRequest) -> Order:
        """Replace quantity, time in force or prices; return the new order."""
        await self._own(account_id)
        self._wire_request(request, request.client_order_id or order_id)
        trail = request.trail_amount or request.trail_percent
        wire, raw = await self.client.patch_order(
            order_id,
            AlpacaReplaceRequest(
                qty=request.legs[0].quantity,
                time_in_force=parse.CORE_TO_ALPACA_TIME_IN_FORCE[request.time_in_force],
                limit_price=request.limit_price,
                stop_price=request.stop_price,
                trail=trail,
                client_order_id=request.client_order_id,
            ),
        )
        return parse.order(wire, raw, account_id)

    async def quotes(self, symbols: list[str]) -> list[Quote]:
        """Return the latest quote (and last trade price) of each known symbol."""
        wanted = [s.upper() for s in symbols]
        quotes = await self.client.get_latest_quotes(wanted)
        trades = await self.client.get_latest_trades(wanted)
        return [parse.quote(s, quotes[s], trades.get(s)) for s in wanted if s in quotes]

    async def bars(
        self, symbol: str, timeframe: Timeframe, start: datetime, end: datetime
    ) -> list[Bar]:
        """Return bars starting in ``[start, end]``, following ``next_page_token``."""
        ticker = symbol.upper()
        params: dict[str, Any] = {
            "symbols": ticker,
            "timeframe": parse.ALPACA_TIMEFRAMES[timeframe],
            "start": start.isoformat(),
            "end": end.isoformat(),
            "limit": BAR_PAGE_LIMIT,
        }
        found: list[Bar] = []
        while True:
            page = await self.client.get_bars(params)
            found += [parse.bar(ticker, timeframe, b) for b in (page.bars or {}).get(ticker, [])]
            if not page.next_page_token:
                return found
            params["page_token"] = page.next_page_token

    async def search_symbols(self, query: str) -> list[SymbolMatch]:
        """Return active US equities whose symbol or name matches (symbol hits first)."""
        needle = query.strip().upper()
        if not needle:
            return []
        assets = await self.client.get_assets({"status": "active", "asset_class": "us_equity"})
        ranked = []
        for asset, _ in assets:
            name = (asset.name or "").upper()
            if asset.symbol == needle:
                rank = 0
            elif asset.symbol.startswith(needle):
                rank = 1
            elif needle in name:
                rank = 2
            else:
                continue
            ranked.append((rank, asset.symbol, asset))
        ranked.sort(key=lambda item: (item[0], item[1]))
        return [parse.symbol_match(asset) for _, _, asset in ranked[:SEARCH_LIMIT]]

    async def stream_order_updates(self, account_id: str) -> AsyncGenerator[Order, None]:
        """Yield the account's orders from the trade-updates stream as they change."""
        await self._own(account_id)
        async for update in trade_updates(self.config.stream_url, self.client.auth):
            yield parse.order(update.order, update.order.model_dump(mode="json"), account_id)

    async def close(self) -> None:
        """Close the HTTP connection pools."""
        await self.client.close()
