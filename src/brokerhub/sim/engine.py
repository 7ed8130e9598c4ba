"""The matching engine: walks the path step by step and moves orders through their life.

Order life: PENDING (waiting for the session to open) -> OPEN -> PARTIALLY_FILLED -> FILLED,
or CANCELLED (by the user, or the unfilled rest of an IOC/FOK), EXPIRED (a DAY order at the
session's close), REJECTED (a fill that no longer fits the position or buying power) or
REPLACED. Working orders are matched at every path step inside a session after the instant
they were last matched, in the order they were placed; a jump longer than
``max_catchup_steps`` steps is matched at that many evenly spaced steps instead.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime

from brokerhub.core.instruments import Instrument
from brokerhub.core.orders import OrderRequest, OrderStatus, OrderType, TimeInForce
from brokerhub.errors import Conflict, InvalidOrder, MarketClosed, NotFound
from brokerhub.sim.calendar import MarketCalendar
from brokerhub.sim.checks import commission, funds_problem, position_problem, request_problem
from brokerhub.sim.config import SimConfig
from brokerhub.sim.ledger import Mark, Trade
from brokerhub.sim.market import Market, Touch
from brokerhub.sim.matching import Execution, execution_price, match, observe
from brokerhub.sim.orders import SimFill, SimOrder
from brokerhub.sim.state import ExchangeState, PaperAccount

IMMEDIATE = frozenset({TimeInForce.IOC, TimeInForce.FOK})


class OrderEngine:
    """Places, matches, cancels and replaces orders over the exchange state.

    Args:
        state: the exchange state, changed in place.
        market: prices of every instrument.
        calendar: when the market is open.
        config: commission, slippage, liquidity and step.
    """

    def __init__(
        self, state: ExchangeState, market: Market, calendar: MarketCalendar, config: SimConfig
    ) -> None:
        self.state = state
        self.market = market
        self.calendar = calendar
        self.config = config

    @property
    def state(self) -> ExchangeState:
        """Return the state being run."""
        return self._state

    @state.setter
    def state(self, state: ExchangeState) -> None:
        self._state = state
        # Indexes over the state so that no call walks every order ever placed and the cost
        # per call does not grow with the history:
        # orders that may still be working, in placement order (what matching walks);
        self._working = {o.order_id: o for o in state.orders.values() if o.status.is_working}
        # each account's orders in placement order, and in the order they last changed;
        self._by_account: dict[str, dict[str, SimOrder]] = {}
        self._changed: dict[str, dict[str, SimOrder]] = {}
        for order in state.orders.values():
            self._by_account.setdefault(order.account_id, {})[order.order_id] = order
        for order in sorted(state.orders.values(), key=lambda o: o.seq):
            self._changed.setdefault(order.account_id, {})[order.order_id] = order
        # the orders that used each (account, client order id).
        self._client_ids: dict[tuple[str, str], list[SimOrder]] = {}
        for order in state.orders.values():
            if order.request.client_order_id is not None:
                key = (order.account_id, order.request.client_order_id)
                self._client_ids.setdefault(key, []).append(order)
        # Touches of the last instant asked for: one order's checks, estimate and match all
        # read the same touch, and prices are pure functions of the instant.
        self._touch_instant: datetime | None = None
        self._touch_memo: dict[str, Touch] = {}

    def touch(self, instrument: Instrument, at: datetime) -> Touch:
        """Return the bid and ask of ``instrument`` at ``at`` (memoised for the last instant)."""
        if at != self._touch_instant:
            self._touch_instant = at
            self._touch_memo = {}
        touch = self._touch_memo.get(instrument.symbol)
        if touch is None:
            touch = self.market.touches(instrument, [at])[0]
            self._touch_memo[instrument.symbol] = touch
        return touch

    def mark_at(self, at: datetime) -> Mark:
        """Return a function giving each instrument's mid at ``at``."""
        return lambda instrument: self.touch(instrument, at).mid

    def account_orders(self, account_id: str) -> list[SimOrder]:
        """Return the account's orders, oldest first."""
        return list(self._by_account.get(account_id, {}).values())

    def changed_after(self, account_id: str, after: int) -> list[SimOrder]:
        """Return the account's orders whose last change is after ``after``, oldest change first.

        Walks back from the latest change, so the cost is the number of changes returned.
        """
        changed: list[SimOrder] = []
        for order in reversed(self._changed.get(account_id, {}).values()):
            if order.seq <= after:
                break
            changed.append(order)
        changed.reverse()
        return changed

    def estimate(self, request: OrderRequest, at: datetime) -> list[Trade]:
        """Return the trades ``request`` would make if it filled in full at today's touch.

        Limit orders are estimated at no better than their limit and stop orders at no better
        than their stop; commission is included.
        """
        trades = []
        for leg in request.legs:
            touch = self.touch(self.market.instrument(leg.instrument.symbol), at)
            is_buy = leg.action.is_buy
            price = execution_price(touch, is_buy, self.config.slippage_bps)
            stop, limit = request.stop_price, request.limit_price
            if stop is not None and request.order_type is OrderType.STOP:
                price = max(price, stop) if is_buy else min(price, stop)
            if limit is not None and request.order_type is OrderType.STOP_LIMIT:
                price = limit
            elif limit is not None and not request.is_multi_leg:
                price = min(price, limit) if is_buy else max(price, limit)
            trades.append(
                Trade(
                    leg.instrument,
                    leg.action,
                    leg.action.sign * leg.quantity,
                    price,
                    commission(self.config, leg.instrument, leg.quantity),
                )
            )
        return trades

    def place(
        self,
        account: PaperAccount,
        request: OrderRequest,
        at: datetime,
        replacing: SimOrder | None = None,
    ) -> SimOrder:
        """Check and accept an order, fill what it can now, and return it.

        Raises:
            NotFound: a leg names an unknown symbol.
            InvalidOrder: the request does not fit the simulator or the held positions.
            InsufficientFunds: not enough buying power or shares.
            MarketClosed: an IOC or FOK order outside the session.
            Conflict: the client order id was used before in this account.
        """
        self.advance(at)
        for leg in request.legs:
            self.market.instrument(leg.instrument.symbol)
        problem = request_problem(request, at)
        if problem is not None:
            raise problem
        client_key = (account.account_id, request.client_order_id or "")
        if request.client_order_id is not None and any(
            o is not replacing for o in self._client_ids.get(client_key, ())
        ):
            raise Conflict(
                f"client order id {request.client_order_id!r} was already used", broker="paper"
            )
        for leg in request.legs:
            position = position_problem(account.ledger, leg, leg.quantity)
            if position is not None:
                raise position
        estimated = self.estimate(request, at)
        _, funds = funds_problem(account.ledger, estimated, self.mark_at(at))
        if funds is not None:
            raise funds
        session_open, session_close = self.calendar.session_at_or_after(at)
        is_open = session_open <= at
        if request.time_in_force in IMMEDIATE and not is_open:
            raise MarketClosed(
                f"{request.time_in_force.value} orders need an open market; "
                f"it opens {session_open.isoformat()}",
                broker="paper",
            )
        order = SimOrder(
            order_id=f"PO{self._state.next_order:08d}",
            account_id=account.account_id,
            request=request,
            status=OrderStatus.OPEN if is_open else OrderStatus.PENDING,
            created_at=at,
            updated_at=at,
            works_from=max(at, session_open),
            expires_at=session_close if request.time_in_force is TimeInForce.DAY else None,
            replaces_order_id=replacing.order_id if replacing else None,
        )
        self._state.next_order += 1
        if replacing is not None:
            self._finish(replacing, OrderStatus.REPLACED, at)
        self._state.orders[order.order_id] = order
        self._working[order.order_id] = order
        self._by_account.setdefault(order.account_id, {})[order.order_id] = order
        if request.client_order_id is not None:
            self._client_ids.setdefault(client_key, []).append(order)
        touched = is_open and self._work(order, at, self._touches_at(order, at), checked=estimated)
        if request.time_in_force in IMMEDIATE and order.status.is_working:
            reason = f"{request.time_in_force.value}: the unfilled quantity was cancelled"
            self._finish(order, OrderStatus.CANCELLED, at, reason)
        elif not touched:
            self._touch(order, at)
        return order

    def cancel(self, order: SimOrder, at: datetime) -> None:
        """Cancel a working order.

        Raises:
            Conflict: the order is no longer working.
        """
        self.advance(at)
        if not order.status.is_working:
            raise Conflict(f"order {order.order_id} is {order.status.value}", broker="paper")
        self._finish(order, OrderStatus.CANCELLED, at)

    def replace(
        self, account: PaperAccount, order: SimOrder, request: OrderRequest, at: datetime
    ) -> SimOrder:
        """Replace a working, unfilled order with ``request`` on the same legs.

        Raises:
            Conflict: the order is not working or has fills.
            InvalidOrder: ``request`` changes the instruments or actions.
        """
        self.advance(at)
        if not order.status.is_working or order.fills:
            state = "partially filled" if order.fills else order.status.value
            raise Conflict(
                f"order {order.order_id} is {state}; only an unfilled working order is replaced",
                broker="paper",
            )
        old = [(leg.instrument.symbol, leg.action) for leg in order.request.legs]
        new = [(leg.instrument.symbol, leg.action) for leg in request.legs]
        if old != new:
            raise InvalidOrder(
                "a replacement keeps the instruments and actions; cancel and place instead",
                broker="paper",
            )
        return self.place(account, request, at, replacing=order)

    def find(self, account_id: str, order_id: str) -> SimOrder:
        """Return one order of the account.

        Raises:
            NotFound: no such order in that account.
        """
        order = self._state.orders.get(order_id)
        if order is None or order.account_id != account_id:
            raise NotFound(f"order {order_id} not found in account {account_id}", broker="paper")
        return order

    def advance(self, until: datetime) -> bool:
        """Match working orders at every session step after the last one up to ``until``.

        Returns:
            Whether any order changed.
        """
        start = self._state.processed_until
        if until <= start:
            return False
        self._state.processed_until = until
        working = [o for o in self._working.values() if o.status.is_working]
        self._working = {o.order_id: o for o in working}
        if not working:
            return False
        instants = self._instants(start, until)
        table = self._touch_table(working, instants)
        changed = False
        for index, at in enumerate(instants):
            touches = {symbol: column[index] for symbol, column in table.items()}
            for order in working:
                if order.status.is_working:
                    changed |= self._work(order, at, touches)
        for order in working:
            if order.status.is_working and order.expires_at and until >= order.expires_at:
                self._finish(order, OrderStatus.EXPIRED, order.expires_at)
                changed = True
        return changed

    def _instants(self, start: datetime, until: datetime) -> list[datetime]:
        anchor, step = self._state.anchor, self.config.step
        first, last = (start - anchor) // step + 1, (until - anchor) // step
        segments: list[tuple[int, int]] = []
        index = first
        while index <= last:
            instant = anchor + index * step
            session_open, session_close = self.calendar.session_at_or_after(instant)
            if session_open > instant:
                index = math.ceil((session_open - anchor) / step)
                continue
            end = min(last, math.ceil((session_close - anchor) / step) - 1)
            segments.append((index, end))
            index = end + 1
        total = sum(end - begin + 1 for begin, end in segments)
        stride = max(1, math.ceil(total / self.config.max_catchup_steps))
        indices: list[int] = []
        for begin, end in segments:
            indices.extend(range(begin, end + 1, stride))
            if indices and indices[-1] != end:
                indices.append(end)
        return [anchor + i * step for i in indices]

    def _touch_table(
        self, orders: list[SimOrder], instants: list[datetime]
    ) -> dict[str, list[Touch]]:
        instruments = {
            leg.instrument.symbol: leg.instrument for order in orders for leg in order.request.legs
        }
        return {
            symbol: self.market.touches(instrument, instants)
            for symbol, instrument in instruments.items()
        }

    def _touches_at(self, order: SimOrder, at: datetime) -> dict[str, Touch]:
        return {leg.instrument.symbol: self.touch(leg.instrument, at) for leg in order.request.legs}

    def _work(
        self,
        order: SimOrder,
        at: datetime,
        touches: Mapping[str, Touch],
        checked: list[Trade] | None = None,
    ) -> bool:
        if at < order.works_from:
            return False
        if order.expires_at is not None and at >= order.expires_at:
            self._finish(order, OrderStatus.EXPIRED, order.expires_at)
            return True
        changed = False
        if order.status is OrderStatus.PENDING:
            order.status = OrderStatus.OPEN
            changed = True
        if not order.request.is_multi_leg:
            changed |= observe(order, touches[order.request.legs[0].instrument.symbol].mid)
        executions = match(order, touches, self.config)
        if executions:
            self._execute(order, executions, at, checked)
            changed = True
        if changed:
            self._touch(order, at)
        return changed

    def _execute(
        self,
        order: SimOrder,
        executions: list[Execution],
        at: datetime,
        checked: list[Trade] | None,
    ) -> None:
        """Post the executions, unless they no longer fit the position or buying power.

        ``checked`` are trades that were just checked against this ledger at this instant (the
        placement's estimate): when the executions are exactly those, the checks would give
        the same answer and are skipped.
        """
        ledger = self._state.accounts[order.account_id].ledger
        trades = [
            Trade(
                e.leg.instrument,
                e.leg.action,
                e.leg.action.sign * e.quantity,
                e.price,
                commission(self.config, e.leg.instrument, e.quantity),
            )
            for e in executions
        ]
        if trades != checked:
            for execution in executions:
                position = position_problem(ledger, execution.leg, execution.quantity)
                if position is not None:
                    self._finish(order, OrderStatus.REJECTED, at, position.message)
                    return
            _, funds = funds_problem(ledger, trades, self.mark_at(at))
            if funds is not None:
                self._finish(order, OrderStatus.REJECTED, at, funds.message)
                return
        for trade in trades:
            ledger.post(trade, at, order.order_id)
            order.fills.append(
                SimFill(
                    f"{order.order_id}-F{len(order.fills) + 1}",
                    trade.instrument.symbol,
                    trade.action,
                    abs(trade.quantity),
                    trade.price,
                    trade.commission,
                    at,
                )
            )
        done = all(order.remaining(leg) == 0 for leg in order.request.legs)
        order.status = OrderStatus.FILLED if done else OrderStatus.PARTIALLY_FILLED

    def _finish(
        self, order: SimOrder, status: OrderStatus, at: datetime, reason: str | None = None
    ) -> None:
        if status is OrderStatus.REJECTED and order.fills:
            status = OrderStatus.CANCELLED
        order.status = status
        order.reject_reason = reason
        self._touch(order, at)

    def _touch(self, order: SimOrder, at: datetime) -> None:
        self._state.seq += 1
        order.seq = self._state.seq
        order.updated_at = max(order.updated_at, at)
        changed = self._changed.setdefault(order.account_id, {})
        changed.pop(order.order_id, None)
        changed[order.order_id] = order
