"""Rich tables and JSON output of hub objects."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import simplejson
from rich.panel import Panel
from rich.table import Table

from brokerhub.api.responses import to_jsonable
from brokerhub.cli.backend import AccountView
from brokerhub.core.marketdata import Quote
from brokerhub.core.orders import Order, OrderPreview
from brokerhub.core.portfolio import Balance, Position, Transaction


def print_json(value: Any) -> None:
    """Print ``value`` as JSON; Decimals are written as exact number literals."""
    print(simplejson.dumps(to_jsonable(value), use_decimal=True, indent=2))


def money(value: Decimal | None) -> str:
    """Return a money figure with thousands separators, or a dash."""
    return "-" if value is None else f"{value:,.2f}"


def signed(value: Decimal) -> str:
    """Return a coloured P&L figure."""
    colour = "green" if value >= 0 else "red"
    return f"[{colour}]{value:+,.2f}[/{colour}]"


def accounts_table(rows: Sequence[AccountView]) -> Table:
    """Return connected accounts as a table."""
    table = Table(title="Accounts")
    for column in ("id", "brokerage", "account", "status", "cash", "buying power", "total"):
        table.add_column(column, justify="right" if column in {"cash", "total"} else "left")
    for row in rows:
        table.add_row(
            str(row.id),
            row.brokerage_name,
            row.account_name or row.account_id or "-",
            row.status,
            money(row.cash_balance),
            money(row.buying_power),
            money(row.total_value),
        )
    return table


def positions_table(positions: Sequence[Position]) -> Table:
    """Return positions as a table."""
    table = Table(title="Positions")
    table.add_column("symbol")
    for column in ("quantity", "avg price", "price", "market value", "unrealized P&L", "%"):
        table.add_column(column, justify="right")
    for position in positions:
        table.add_row(
            position.symbol,
            f"{position.quantity:,}",
            money(position.average_price),
            money(position.current_price),
            money(position.market_value),
            signed(position.unrealized_pnl),
            f"{position.unrealized_pnl_percent:+.2f}%",
        )
    return table


def orders_table(orders: Sequence[Order]) -> Table:
    """Return orders as a table."""
    table = Table(title="Orders")
    for column in ("order id", "status", "legs", "type", "term", "limit", "stop", "filled"):
        table.add_column(column)
    for order in orders:
        legs = ", ".join(
            f"{leg.action.value} {leg.quantity} {leg.instrument.symbol}" for leg in order.legs
        )
        table.add_row(
            order.order_id,
            order.status.value,
            legs,
            order.order_type.value,
            order.time_in_force.value,
            money(order.limit_price),
            money(order.stop_price),
            f"{order.filled_quantity}",
        )
    return table


def transactions_table(transactions: Sequence[Transaction]) -> Table:
    """Return transactions as a table."""
    table = Table(title="Transactions")
    for column in ("date", "type", "symbol", "quantity", "price", "amount", "fees"):
        table.add_column(column)
    for item in transactions:
        table.add_row(
            f"{item.transaction_date:%Y-%m-%d %H:%M}",
            item.transaction_type.value,
            item.symbol or "",
            "" if item.quantity is None else f"{item.quantity}",
            money(item.price),
            signed(item.amount),
            money(item.fees),
        )
    return table


def quotes_table(quotes: Sequence[Quote]) -> Table:
    """Return quotes as a table."""
    table = Table(title="Quotes")
    for column in ("symbol", "bid", "ask", "last", "as of (UTC)"):
        table.add_column(column)
    for item in quotes:
        table.add_row(
            item.symbol,
            money(item.bid),
            money(item.ask),
            money(item.last),
            f"{item.as_of:%H:%M:%S}",
        )
    return table


def preview_panel(preview: OrderPreview) -> Panel:
    """Return an order preview as a panel: price, cost, commission and warnings."""
    lines = [
        f"estimated price: {money(preview.estimated_price)}",
        f"estimated cost:  {signed(preview.estimated_cost)}",
        f"commission:      {money(preview.commission)}",
        f"total:           {signed(preview.estimated_total)}",
        *(f"[yellow]warning:[/yellow] {warning}" for warning in preview.warnings),
    ]
    return Panel("\n".join(lines), title="Order preview")


def balance_line(balance: Balance) -> str:
    """Return a balance on one line with its freshness."""
    return (
        f"cash {money(balance.cash)}  buying power {money(balance.buying_power)}"
        f"  total {money(balance.total_value)}  (as of {balance.as_of:%Y-%m-%d %H:%M} UTC)"
    )
