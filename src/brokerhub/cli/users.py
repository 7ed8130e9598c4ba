"""``brokerhub users`` and ``brokerhub keys``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from brokerhub.cli.render import print_json
from brokerhub.cli.runner import console, run_with_hub
from brokerhub.hub import Hub

users_app = typer.Typer(help="Create users.", no_args_is_help=True)
keys_app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)


@users_app.command("create")
def create_user(
    name: str,
    admin: Annotated[bool, typer.Option("--admin", help="May read other users' data")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Create a user."""

    async def use(hub: Hub) -> None:
        user = await hub.users.create_user(name=name, is_admin=admin)
        if as_json:
            print_json({"user_id": user.id, "name": user.name, "is_admin": user.is_admin})
        else:
            console.print(f"Created user {user.name} (id {user.id})")

    run_with_hub(use)


@keys_app.command("create")
def create_key(
    user: Annotated[str, typer.Option("--user", help="Owner of the key")],
    name: Annotated[str, typer.Option(help="A label for the key")] = "default",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Create an API key; it is shown once."""

    async def use(hub: Hub) -> None:
        owner = await hub.users.get_user(name=user)
        new = await hub.users.create_key(user_id=owner.id, name=name)
        if as_json:
            print_json({"key": new.plaintext, "key_id": new.row.id, "user_id": owner.id})
        else:
            console.print(f"API key for {user} (shown once): [bold]{new.plaintext}[/bold]")

    run_with_hub(use)


@keys_app.command("list")
def list_keys(
    user: Annotated[str, typer.Option("--user")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List a user's keys (prefixes only)."""

    async def use(hub: Hub) -> None:
        owner = await hub.users.get_user(name=user)
        keys = await hub.users.list_keys(user_id=owner.id)
        rows = [
            {
                "key_id": key.id,
                "name": key.name,
                "prefix": key.prefix,
                "created_at": key.created_at,
                "last_used_at": key.last_used_at,
                "revoked_at": key.revoked_at,
            }
            for key in keys
        ]
        if as_json:
            print_json(rows)
            return
        table = Table(title=f"API keys of {user}")
        for column in ("key_id", "name", "prefix", "created_at", "last_used_at", "revoked_at"):
            table.add_column(column)
        for row in rows:
            table.add_row(*(str(value) if value is not None else "-" for value in row.values()))
        console.print(table)

    run_with_hub(use)


@keys_app.command("revoke")
def revoke_key(key_id: int, user: Annotated[str, typer.Option("--user")]) -> None:
    """Revoke a key."""

    async def use(hub: Hub) -> None:
        owner = await hub.users.get_user(name=user)
        await hub.users.revoke_key(user_id=owner.id, key_id=key_id)
        console.print(f"Revoked key {key_id}")

    run_with_hub(use)
