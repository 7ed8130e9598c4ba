"""``brokerhub sandbox <broker>``: serve a broker's emulator on this machine.

The emulator runs on a fresh in-memory simulated exchange on the wall clock, so it forgets
everything when it stops. Point an adapter (``base_url`` credential or
``BROKERHUB_<BROKER>_BASE_URL``) or the broker's own SDK at the printed URL.
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
