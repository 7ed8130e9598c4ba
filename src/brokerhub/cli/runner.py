"""Run a hub use case from a synchronous command: build the Hub inside one ``anyio.run``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import anyio
import typer
from rich.console import Console

from brokerhub.errors import BrokerHubError
from brokerhub.hub import Hub

T = TypeVar("T")

console = Console()
err_console = Console(stderr=True)


def run_with_hub(use_case: Callable[[Hub], Awaitable[T]]) -> T:
    """Start a hub, run ``use_case`` on it, close it; hub errors exit 1 with their message."""

    async def main() -> T:
        async with Hub() as hub:
            return await use_case(hub)

    try:
        return anyio.run(main)
    except BrokerHubError as exc:
        err_console.print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(1) from None


async def resolve_account(hub: Hub, user_name: str, account: str | None) -> tuple[int, str]:
    """Return (user id, connection id): ``account`` or the user's first connection."""
    user = await hub.users.get_user(name=user_name)
    if account:
        return user.id, account
    connections = await hub.connections.list(user_id=user.id)
    if not connections:
        raise BrokerHubError(f"{user_name} has no connected accounts; run `brokerhub connect`")
    return user.id, str(connections[0].id)
