"""Run a use case from a synchronous command: build the Hub (or an HTTP session) inside one
``anyio.run``, and turn hub errors into a message and exit code 1."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import aiohttp
import anyio
import typer
from rich.console import Console

from brokerhub.cli.backend import Backend, LocalBackend
from brokerhub.cli.remote import RemoteBackend
from brokerhub.errors import BrokerHubError, CredentialError
from brokerhub.hub import Hub

T = TypeVar("T")

console = Console()
err_console = Console(stderr=True)


REMOTE_TIMEOUT = aiohttp.ClientTimeout(total=60, connect=10)


@dataclass(frozen=True)
class Target:
    """Where account commands run: a server (``url`` and ``key``) or in-process as ``user``."""

    user: str
    url: str | None = None
    key: str | None = None


def _run(main: Callable[[], Awaitable[T]]) -> T:
    try:
        return anyio.run(main)
    except BrokerHubError as exc:
        err_console.print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(1) from None
    except aiohttp.ClientError as exc:
        err_console.print(f"[red]error:[/red] cannot reach the server: {exc}")
        raise typer.Exit(1) from None


def run_with_hub(use_case: Callable[[Hub], Awaitable[T]]) -> T:
    """Start a hub, run ``use_case`` on it, close it; hub errors exit 1 with their message."""

    async def main() -> T:
        async with Hub() as hub:
            return await use_case(hub)

    return _run(main)


def run_with_backend(target: Target, use_case: Callable[[Backend], Awaitable[T]]) -> T:
    """Run ``use_case`` against the server of ``target``, or in-process as its user."""

    async def main() -> T:
        if target.url:
            if not target.key:
                raise CredentialError("--url needs --key (or BROKERHUB_API_KEY)")
            headers = {"Authorization": f"Bearer {target.key}"}
            async with aiohttp.ClientSession(headers=headers, timeout=REMOTE_TIMEOUT) as session:
                return await use_case(RemoteBackend(session, target.url))
        async with Hub() as hub:
            user = await hub.users.get_user(name=target.user)
            return await use_case(LocalBackend(hub, user.id))

    return _run(main)
