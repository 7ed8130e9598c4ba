"""``brokerhub sandbox <broker>``: serve a broker's emulator on this machine.

The emulator runs on a fresh in-memory simulated exchange on the wall clock, so it forgets
everything (accounts, orders, tokens) when it stops. Point an adapter (``base_url``
credential or ``BROKERHUB_<BROKER>_BASE_URL``) or the broker's own SDK at the printed URL.
"""

from __future__ import annotations

from typing import Annotated

import typer

from brokerhub.cli.runner import console

sandbox_app = typer.Typer(help="Serve a broker's wire-compatible emulator locally.")


@sandbox_app.command("alpaca")
def alpaca(
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8790,
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    key_id: Annotated[
        str | None, typer.Option(help="Accept only this key id (default: any key pair)")
    ] = None,
    secret_key: Annotated[
        str | None, typer.Option(help="The secret that goes with --key-id")
    ] = None,
    rate_limit: Annotated[
        int | None, typer.Option(help="Requests per minute per key before 429 (default: none)")
    ] = None,
) -> None:
    """Serve the Alpaca Trading API v2, Market Data v2 and trade_updates stream."""
    import uvicorn

    from brokerhub.config import get_settings
    from brokerhub.emulators.alpaca import AlpacaEmulator, create_app
    from brokerhub.sim.clock import WallClock
    from brokerhub.sim.config import SimConfig
    from brokerhub.sim.exchange import SimExchange

    if (key_id is None) != (secret_key is None):
        raise typer.BadParameter("give both --key-id and --secret-key, or neither")
    exchange = SimExchange.in_memory(WallClock(), SimConfig.from_settings(get_settings()))
    emulator = AlpacaEmulator(
        exchange, key_id=key_id, secret_key=secret_key, rate_limit_per_minute=rate_limit
    )
    console.print(f"Alpaca emulator on http://{host}:{port} (trading, data and /stream)")
    console.print("Keys: " + (f"only {key_id}" if key_id else "any key id and secret"))
    uvicorn.run(create_app(emulator), host=host, port=port, ws="websockets-sansio")


@sandbox_app.command("etrade")
def etrade(
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8791,
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    consumer_key: Annotated[
        str | None, typer.Option(help="Accept only this consumer key (default: a fresh one)")
    ] = None,
    consumer_secret: Annotated[
        str | None, typer.Option(help="The secret that goes with --consumer-key")
    ] = None,
    rate_limits: Annotated[
        bool, typer.Option(help="Apply E*TRADE's per-second limits per module (HTTP 400 page)")
    ] = True,
) -> None:
    """Serve E*TRADE's v1 REST API and its OAuth 1.0a endpoints for one consumer key pair.

    Any other consumer key is refused as E*TRADE refuses it: HTTP 401 with an HTML page
    naming ``oauth_problem=consumer_key_rejected``.
    """
    import uvicorn

    from brokerhub.config import get_settings
    from brokerhub.emulators.etrade import ETRADE_RATE_LIMITS, ETradeEmulator
    from brokerhub.emulators.etrade.oauth import new_consumer
    from brokerhub.sim.clock import WallClock
    from brokerhub.sim.config import SimConfig
    from brokerhub.sim.exchange import SimExchange

    if (consumer_key is None) != (consumer_secret is None):
        raise typer.BadParameter("give both --consumer-key and --consumer-secret, or neither")
    if consumer_key is None or consumer_secret is None:
        consumer_key, consumer_secret = new_consumer()
    exchange = SimExchange.in_memory(WallClock(), SimConfig.from_settings(get_settings()))
    emulator = ETradeEmulator(
        exchange,
        consumers={consumer_key: consumer_secret},
        rate_limits=ETRADE_RATE_LIMITS if rate_limits else None,
    )
    base = f"http://{host}:{port}"
    for line in etrade_banner(base, consumer_key, consumer_secret):
        console.print(line, soft_wrap=True, highlight=False, markup=False)
    uvicorn.run(emulator, host=host, port=port, ws="none")


def etrade_banner(base: str, consumer_key: str, consumer_secret: str) -> list[str]:
    """Return the lines ``brokerhub sandbox etrade`` prints at start."""
    return [
        f"E*TRADE emulator on {base} (in memory: forgotten when it stops)",
        f"Consumer key:    {consumer_key}",
        f"Consumer secret: {consumer_secret}",
        f"OAuth 1.0a (oob): {base}/oauth/request_token, then "
        f"{base}/e/t/etws/authorize?key=<consumer key>&token=<request token> "
        f"shows the verifier, then {base}/oauth/access_token",
        f"Point brokerhub at it: BROKERHUB_ETRADE_BASE_URL={base}",
        f'  or a connection credential "base_url": "{base}"',
    ]
