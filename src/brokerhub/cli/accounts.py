"""Account commands: accounts, connect, positions, balance, transactions, sync, orders, buy,
sell, cancel and quote. Each runs on a :class:`~brokerhub.cli.backend.Backend`."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Annotated, Any

import typer
from pydantic import BaseModel
from rich.progress import Progress
from rich.table import Table

from brokerhub.cli import render
from brokerhub.cli.backend import Backend
from brokerhub.cli.oauth_connect import OAUTH_METHODS, app_credentials, connect_with_oauth
from brokerhub.cli.runner import Target, console, run_with_backend
from brokerhub.core.instruments import OCC_PATTERN, Instrument
from brokerhub.core.orders import OrderAction, OrderLeg, OrderRequest, OrderType, TimeInForce
from brokerhub.core.portfolio import TransactionType
from brokerhub.demo import DEMO_USER

UserOption = Annotated[
    str, typer.Option("--user", help="Act as this user (in-process; a server uses the key's)")
]
AccountOption = Annotated[
    str | None, typer.Option("--account", help="Connection id (default: the first)")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table")]
LimitOption = Annotated[Decimal | None, typer.Option("--limit", help="Limit price")]
StopOption = Annotated[Decimal | None, typer.Option("--stop", help="Stop price")]
TermOption = Annotated[TimeInForce, typer.Option("--term", help="DAY, GTC, IOC or FOK")]
PreviewOption = Annotated[bool, typer.Option("--preview", help="Show the preview and confirm")]
# Price given on the command line -> order type.
ORDER_TYPE_BY_PRICES = {
    (False, False): OrderType.MARKET,
    (True, False): OrderType.LIMIT,
    (False, True): OrderType.STOP,
    (True, True): OrderType.STOP_LIMIT,
}


def show(
    items: Sequence[BaseModel], as_json: bool, table: Callable[[Sequence[Any]], Table]
) -> None:
    """Print ``items`` as JSON (without raw broker payloads) or as a table."""
    if as_json:
        render.print_json([item.model_dump(exclude={"raw"}) for item in items])
    else:
        console.print(table(items))


def _target(ctx: typer.Context, user: str) -> Target:
    base: Target = ctx.obj or Target(user=DEMO_USER)
    return dataclasses.replace(base, user=user)


def order_request(
    action: OrderAction,
    symbol: str,
    quantity: Decimal,
    limit: Decimal | None,
    stop: Decimal | None,
    term: TimeInForce,
) -> OrderRequest:
    """Return the order of a buy/sell command; an OCC symbol buys to open or sells to close."""
    if OCC_PATTERN.match(symbol.upper()):
        instrument = Instrument.from_occ(symbol)
        action = OrderAction.BUY_TO_OPEN if action is OrderAction.BUY else OrderAction.SELL_TO_CLOSE
    else:
        instrument = Instrument.equity(symbol)
    return OrderRequest(
        legs=[OrderLeg(instrument=instrument, action=action, quantity=quantity)],
        order_type=ORDER_TYPE_BY_PRICES[(limit is not None, stop is not None)],
        time_in_force=term,
        limit_price=limit,
        stop_price=stop,
    )


def register_account_commands(app: typer.Typer) -> None:
    """Add the account commands to ``app``."""

    @app.command()
    def accounts(
        ctx: typer.Context, user: UserOption = DEMO_USER, as_json: JsonOption = False
    ) -> None:
        """List connected accounts with their last synced balances."""

        async def use(backend: Backend) -> None:
            found = await backend.accounts()
            if as_json:
                render.print_json([dataclasses.asdict(view) for view in found])
            else:
                console.print(render.accounts_table(found))

        run_with_backend(_target(ctx, user), use)

    @app.command()
    def connect(
        ctx: typer.Context,
        brokerage: str,
        credential: Annotated[
            list[str] | None, typer.Option("--credential", "-c", help="name=value, repeatable")
        ] = None,
        user: UserOption = DEMO_USER,
        prod: Annotated[
            bool, typer.Option("--prod", help="OAuth brokers: production instead of sandbox")
        ] = False,
    ) -> None:
        """Connect a brokerage account, e.g. `brokerhub connect paper` or `connect etrade`.

        OAuth brokers (E*TRADE) go through the authorization flow unless tokens are given;
        their application keys come from settings or `-c consumer_key=... -c consumer_secret=...`.
        """
        pairs = dict(item.split("=", 1) for item in credential or [] if "=" in item)

        async def use(backend: Backend) -> None:
            tokens_given = "oauth_token" in pairs or "access_token" in pairs
            if not tokens_given and await backend.auth_method(brokerage) in OAUTH_METHODS:
                app = app_credentials(pairs)
                await connect_with_oauth(backend, brokerage, production=prod, app=app)
                return
            for view in await backend.connect(brokerage, pairs):
                console.print(f"Connected {brokerage} account {view.account_id}: {view.id}")

        run_with_backend(_target(ctx, user), use)

    @app.command()
    def positions(
        ctx: typer.Context,
        user: UserOption = DEMO_USER,
        account: AccountOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Show positions as of the last sync."""

        async def use(backend: Backend) -> None:
            held = await backend.positions(account)
            show(held, as_json, render.positions_table)

        run_with_backend(_target(ctx, user), use)

    @app.command()
    def balance(
        ctx: typer.Context,
        user: UserOption = DEMO_USER,
        account: AccountOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Show the balance live from the broker."""

        async def use(backend: Backend) -> None:
            live = await backend.balance(account)
            if as_json:
                render.print_json(live.model_dump(exclude={"raw"}))
            else:
                console.print(render.balance_line(live))

        run_with_backend(_target(ctx, user), use)

    @app.command()
    def transactions(
        ctx: typer.Context,
        user: UserOption = DEMO_USER,
        account: AccountOption = None,
        transaction_type: Annotated[TransactionType | None, typer.Option("--type")] = None,
        limit: int = 50,
        as_json: JsonOption = False,
    ) -> None:
        """Show stored transactions, newest first."""

        async def use(backend: Backend) -> None:
            types = frozenset({transaction_type}) if transaction_type else None
            found = await backend.transactions(account, types, limit)
            show(found, as_json, render.transactions_table)

        run_with_backend(_target(ctx, user), use)

    @app.command()
    def sync(
        ctx: typer.Context,
        user: UserOption = DEMO_USER,
        force: Annotated[bool, typer.Option(help="Ignore the one-sync-per-hour limit")] = False,
    ) -> None:
        """Sync every account, with a progress bar."""

        async def use(backend: Backend) -> None:
            found = await backend.accounts()
            with Progress(console=console) as progress:
                task = progress.add_task("Syncing accounts", total=len(found))
                for view in found:
                    name = f"{view.brokerage_name} {view.account_id}"
                    progress.update(task, description=f"Syncing {name}")
                    result = await backend.sync(view.id, force)
                    progress.console.print(
                        f"{name}: {result.portfolio_count} positions, "
                        f"{result.new_transactions_count} new transactions"
                    )
                    progress.advance(task)

        run_with_backend(_target(ctx, user), use)

    @app.command()
    def orders(
        ctx: typer.Context,
        user: UserOption = DEMO_USER,
        account: AccountOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """List orders live from the broker."""

        async def use(backend: Backend) -> None:
            found = await backend.orders(account)
            show(found, as_json, render.orders_table)

        run_with_backend(_target(ctx, user), use)

    def trade(
        ctx: typer.Context,
        request: OrderRequest,
        preview: bool,
        user: str,
        account: str | None,
    ) -> None:
        async def use(backend: Backend) -> None:
            if preview:
                console.print(render.preview_panel(await backend.preview(account, request)))
                if not typer.confirm("Place this order?"):
                    console.print("Not placed.")
                    return
            console.print(render.orders_table([await backend.place(account, request)]))

        run_with_backend(_target(ctx, user), use)

    def trade_command(action: OrderAction, summary: str) -> Callable[..., None]:
        def command(
            ctx: typer.Context,
            symbol: str,
            quantity: Decimal,
            limit: LimitOption = None,
            stop: StopOption = None,
            term: TermOption = TimeInForce.DAY,
            preview: PreviewOption = False,
            user: UserOption = DEMO_USER,
            account: AccountOption = None,
        ) -> None:
            request = order_request(action, symbol, quantity, limit, stop, term)
            trade(ctx, request, preview, user, account)

        command.__doc__ = summary
        return command

    app.command("buy")(
        trade_command(OrderAction.BUY, "Buy a stock (or open an option given by its OCC symbol).")
    )
    app.command("sell")(
        trade_command(
            OrderAction.SELL, "Sell a stock (or close an option given by its OCC symbol)."
        )
    )

    @app.command()
    def cancel(
        ctx: typer.Context,
        order_id: str,
        user: UserOption = DEMO_USER,
        account: AccountOption = None,
    ) -> None:
        """Cancel a working order."""

        async def use(backend: Backend) -> None:
            console.print(render.orders_table([await backend.cancel(account, order_id)]))

        run_with_backend(_target(ctx, user), use)

    @app.command()
    def quote(
        ctx: typer.Context,
        symbols: list[str],
        user: UserOption = DEMO_USER,
        account: AccountOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Show the latest quotes."""

        async def use(backend: Backend) -> None:
            found = await backend.quotes(account, symbols)
            show(found, as_json, render.quotes_table)

        run_with_backend(_target(ctx, user), use)
