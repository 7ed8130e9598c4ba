"""``brokerhub connect`` for OAuth brokers, like the E*TRADE seed's setup script.

Prints the authorization URL, opens a browser when there is one, asks for the verification
code (OAuth 1.0a) or the URL the broker sent the browser back to (OAuth 2.0), stores the tokens
through the hub (encrypted) and tests the connection by reading each account's balance.
"""

from __future__ import annotations

import os
import sys
import webbrowser
from functools import partial
from urllib.parse import parse_qs, urlsplit

import anyio
import typer

from brokerhub.cli.backend import AccountView, Backend
from brokerhub.cli.render import balance_line
from brokerhub.cli.runner import console

OAUTH_METHODS = frozenset({"oauth1", "oauth2"})
APP_FIELDS = ("consumer_key", "consumer_secret", "client_id", "client_secret")


def browser_available() -> bool:
    """Return whether a browser can be opened (a display, or macOS/Windows)."""
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) or (
        sys.platform in {"darwin", "win32"}
    )


def code_and_state(answer: str, state: str) -> tuple[str, str]:
    """Return the code (and state) from a pasted redirect URL, or the answer itself as code."""
    query = parse_qs(urlsplit(answer.strip()).query)
    if "code" in query:
        return query["code"][0], query.get("state", [state])[0]
    return answer.strip(), state


async def connect_with_oauth(
    backend: Backend, brokerage: str, *, production: bool, app: dict[str, str]
) -> list[AccountView]:
    """Run the OAuth flow in the terminal and return the connected accounts."""
    link = await backend.oauth_initiate(brokerage, not production, app)
    console.print("Open this URL and approve access for brokerhub:")
    console.print(link.authorization_url, soft_wrap=True, markup=False)
    if browser_available():
        await anyio.to_thread.run_sync(webbrowser.open, link.authorization_url)
    if link.auth_method == "oauth1":
        question = "Verification code"
    else:
        question = "Paste the URL the broker sent you back to (or the code)"
    answer = await anyio.to_thread.run_sync(partial(typer.prompt, question))
    code, state = code_and_state(str(answer), link.state)
    views = await backend.oauth_complete(brokerage, code, state)
    for view in views:
        console.print(f"Connected {brokerage} account {view.account_id}: {view.id}")
        console.print(f"Connection test: {balance_line(await backend.balance(view.id))}")
    return views


def app_credentials(pairs: dict[str, str]) -> dict[str, str]:
    """Return the application credentials among ``--credential`` pairs."""
    return {name: pairs[name] for name in APP_FIELDS if pairs.get(name)}
