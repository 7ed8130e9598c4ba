"""``brokerhub``: serve the hub, manage users and keys, and use accounts from a terminal.

Account commands act as ``--user`` (default: the demo user) on ``--account`` (default: the
user's first connection), in-process on the configured database.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import typer
from rich.progress import Progress

from brokerhub.cli import render
from brokerhub.cli.runner import console, resolve_account, run_with_hub
from brokerhub.cli.users import keys_app, users_app
from brokerhub.config import get_settings
from brokerhub.core.instruments import OCC_PATTERN, Instrument
from brokerhub.core.orders import OrderAction, OrderLeg, OrderRequest, OrderType, TimeInForce
from brokerhub.core.portfolio import TransactionType
from brokerhub.demo import DEMO_USER, DemoAccess
from brokerhub.hub import Hub

app = typer.Typer(help="brokerhub: every brokerage account in one place.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(keys_app, name="keys")

UserOption = Annotated[str, typer.Option("--user", help="Act as this user")]
AccountOption = Annotated[
    str | None, typer.Option("--account", help="Connection id (default: the first)")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table")]


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on")] = None,
) -> None:
    """Start the hub: REST API, demo user and paper account on first start."""
    import uvicorn

    from brokerhub.api.app import create_app

    settings = get_settings()
    host = host or settings.host
    port = port or settings.port

    def announce(demo: DemoAccess) -> None:
        console.print(f"[bold]brokerhub[/bold] is running at http://{host}:{port}")
        console.print(f"API docs: http://{host}:{port}/docs")
        console.print(f"Demo API key (user {DEMO_USER!r}): [bold]{demo.api_key}[/bold]")
        console.print(f"Data folder: {settings.home}")

    uvicorn.run(create_app(settings, on_demo_ready=announce), host=host, port=port)


@app.command()
def accounts(user: UserOption = DEMO_USER, as_json: JsonOption = False) -> None:
    """List connected accounts with their last synced balances."""

    async def use(hub: Hub) -> None:
        found = await hub.users.get_user(name=user)
        rows = await hub.connections.list(user_id=found.id)
        if as_json:
            render.print_json([render.account_dict(row) for row in rows])
        else:
            console.print(render.accounts_table(rows))

    run_with_hub(use)


@app.command()
def positions(
    user: UserOption = DEMO_USER, account: AccountOption = None, as_json: JsonOption = False
) -> None:
    """Show positions as of the last sync."""

    async def use(hub: Hub) -> None:
        user_id, connection_id = await resolve_account(hub, user, account)
        held = await hub.portfolio.positions(user_id=user_id, connection_id=connection_id)
        if as_json:
            render.print_json([p.model_dump(exclude={"raw"}) for p in held])
        else:
            console.print(render.positions_table(held))

    run_with_hub(use)


@app.command()
def balance(
    user: UserOption = DEMO_USER, account: AccountOption = None, as_json: JsonOption = False
) -> None:
    """Show the balance live from the broker."""

    async def use(hub: Hub) -> None:
        user_id, connection_id = await resolve_account(hub, user, account)
        live = await hub.connections.live_balance(user_id=user_id, connection_id=connection_id)
        if as_json:
            render.print_json(live.model_dump(exclude={"raw"}))
        else:
            console.print(
                f"cash {render.money(live.cash)}  buying power {render.money(live.buying_power)}"
                f"  total {render.money(live.total_value)}  (as of {live.as_of:%Y-%m-%d %H:%M} UTC)"
            )

    run_with_hub(use)


@app.command()
def transactions(
    user: UserOption = DEMO_USER,
    account: AccountOption = None,
    transaction_type: Annotated[TransactionType | None, typer.Option("--type")] = None,
    limit: int = 50,
    as_json: JsonOption = False,
) -> None:
    """Show stored transactions, newest first."""

    async def use(hub: Hub) -> None:
        user_id, connection_id = await resolve_account(hub, user, account)
        stored = await hub.portfolio.transactions(
            user_id=user_id,
            connection_id=connection_id,
            types=frozenset({transaction_type}) if transaction_type else None,
            limit=limit,
        )
        if as_json:
            render.print_json([s.transaction.model_dump(exclude={"raw"}) for s in stored])
        else:
            console.print(render.transactions_table([s.transaction for s in stored]))

    run_with_hub(use)


@app.command()
def sync(
    user: UserOption = DEMO_USER,
    force: Annotated[bool, typer.Option(help="Ignore the one-sync-per-hour limit")] = False,
) -> None:
    """Sync every account of the user, with a progress bar."""

    async def use(hub: Hub) -> None:
        found = await hub.users.get_user(name=user)
        rows = await hub.connections.list(user_id=found.id)
        with Progress(console=console) as progress:
            task = progress.add_task("Syncing accounts", total=len(rows))
            for row in rows:
                progress.update(task, description=f"Syncing {row.brokerage_name} {row.account_id}")
                result = await hub.sync.sync_account(
                    user_id=found.id, connection_id=str(row.id), force=force
                )
                progress.console.print(
                    f"{row.brokerage_name} {row.account_id}: {result.portfolio_count} positions, "
                    f"{result.new_transactions_count} new transactions"
                )
                progress.advance(task)

    run_with_hub(use)


@app.command()
def orders(
    user: UserOption = DEMO_USER, account: AccountOption = None, as_json: JsonOption = False
) -> None:
    """List orders live from the broker."""

    async def use(hub: Hub) -> None:
        user_id, connection_id = await resolve_account(hub, user, account)
        found = await hub.orders.list(user_id=user_id, connection_id=connection_id)
        if as_json:
            render.print_json([o.model_dump(exclude={"raw"}) for o in found])
        else:
            console.print(render.orders_table(found))

    run_with_hub(use)


def _order(
    action: OrderAction,
    symbol: str,
    quantity: Decimal,
    limit: Decimal | None,
    stop: Decimal | None,
    term: TimeInForce,
) -> OrderRequest:
    if OCC_PATTERN.match(symbol.upper()):
        instrument = Instrument.from_occ(symbol)
        action = OrderAction.BUY_TO_OPEN if action is OrderAction.BUY else OrderAction.SELL_TO_CLOSE
    else:
        instrument = Instrument.equity(symbol)
    kinds = {
        (False, False): OrderType.MARKET,
        (True, False): OrderType.LIMIT,
        (False, True): OrderType.STOP,
        (True, True): OrderType.STOP_LIMIT,
    }
    return OrderRequest(
        legs=[OrderLeg(instrument=instrument, action=action, quantity=quantity)],
        order_type=kinds[(limit is not None, stop is not None)],
        time_in_force=term,
        limit_price=limit,
        stop_price=stop,
    )


def _trade(
    action: OrderAction,
    symbol: str,
    quantity: Decimal,
    limit: Decimal | None,
    stop: Decimal | None,
    term: TimeInForce,
    preview: bool,
    user: str,
    account: str | None,
) -> None:
    request = _order(action, symbol, quantity, limit, stop, term)

    async def use(hub: Hub) -> None:
        user_id, connection_id = await resolve_account(hub, user, account)
        if preview:
            result = await hub.orders.preview(
                user_id=user_id, connection_id=connection_id, request=request
            )
            console.print(render.preview_panel(result))
            if not typer.confirm("Place this order?"):
                console.print("Not placed.")
                return
        order = await hub.orders.place(
            user_id=user_id, connection_id=connection_id, request=request
        )
        console.print(render.orders_table([order]))

    run_with_hub(use)


LimitOption = Annotated[Decimal | None, typer.Option("--limit", help="Limit price")]
StopOption = Annotated[Decimal | None, typer.Option("--stop", help="Stop price")]
TermOption = Annotated[TimeInForce, typer.Option("--term", help="DAY, GTC, IOC or FOK")]
PreviewOption = Annotated[bool, typer.Option("--preview", help="Show the preview and confirm")]


@app.command()
def buy(
    symbol: str,
    quantity: Decimal,
    limit: LimitOption = None,
    stop: StopOption = None,
    term: TermOption = TimeInForce.DAY,
    preview: PreviewOption = False,
    user: UserOption = DEMO_USER,
    account: AccountOption = None,
) -> None:
    """Buy a stock (or open an option given by its OCC symbol)."""
    _trade(OrderAction.BUY, symbol, quantity, limit, stop, term, preview, user, account)


@app.command()
def sell(
    symbol: str,
    quantity: Decimal,
    limit: LimitOption = None,
    stop: StopOption = None,
    term: TermOption = TimeInForce.DAY,
    preview: PreviewOption = False,
    user: UserOption = DEMO_USER,
    account: AccountOption = None,
) -> None:
    """Sell a stock (or close an option given by its OCC symbol)."""
    _trade(OrderAction.SELL, symbol, quantity, limit, stop, term, preview, user, account)


@app.command()
def cancel(order_id: str, user: UserOption = DEMO_USER, account: AccountOption = None) -> None:
    """Cancel a working order."""

    async def use(hub: Hub) -> None:
        user_id, connection_id = await resolve_account(hub, user, account)
        order = await hub.orders.cancel(
            user_id=user_id, connection_id=connection_id, order_id=order_id
        )
        console.print(render.orders_table([order]))

    run_with_hub(use)


@app.command()
def quote(
    symbols: list[str],
    user: UserOption = DEMO_USER,
    account: AccountOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show the latest quotes."""

    async def use(hub: Hub) -> None:
        user_id, connection_id = await resolve_account(hub, user, account)
        found = await hub.marketdata.quotes(
            user_id=user_id, connection_id=connection_id, symbols=symbols
        )
        if as_json:
            render.print_json([q.model_dump() for q in found])
        else:
            console.print(render.quotes_table(found))

    run_with_hub(use)


@app.command()
def connect(
    brokerage: str,
    credential: Annotated[
        list[str] | None, typer.Option("--credential", "-c", help="name=value, repeatable")
    ] = None,
    user: UserOption = DEMO_USER,
) -> None:
    """Connect a brokerage account, e.g. `brokerhub connect paper`."""
    pairs = dict(item.split("=", 1) for item in credential or [] if "=" in item)

    async def use(hub: Hub) -> None:
        found = await hub.users.get_user(name=user)
        rows = await hub.connections.connect(
            user_id=found.id, brokerage_name=brokerage, credentials=pairs
        )
        for row in rows:
            console.print(f"Connected {brokerage} account {row.account_id}: {row.id}")

    run_with_hub(use)
