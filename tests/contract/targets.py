"""The brokers the contract suite runs, each as one entry of :data:`CONTRACT_TARGETS`.

A target is an async context manager factory: given the in-memory :class:`SimExchange` the
test drives (with a :class:`ManualClock`), it yields a connected :class:`Broker`. Paper wraps
the exchange directly; a real adapter starts its emulator on that exchange on a loopback port
and points the adapter at it over real HTTP. Adding a broker is one entry here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from decimal import Decimal

from brokerhub.brokers.alpaca import create_alpaca_broker
from brokerhub.brokers.base import Broker
from brokerhub.brokers.paper import PaperBroker
from brokerhub.emulators.alpaca import AlpacaEmulator, create_app
from brokerhub.emulators.serve import LoopbackServer
from brokerhub.sim.exchange import SimExchange

STARTING_CASH = Decimal(100_000)
"""Cash every target's first account starts with (each emulator opens it on first use)."""

ContractTarget = Callable[[SimExchange], AbstractAsyncContextManager[Broker]]


@asynccontextmanager
async def paper_target(exchange: SimExchange) -> AsyncIterator[Broker]:
    """Yield the embedded paper broker over ``exchange`` (no emulator, no HTTP)."""
    broker = PaperBroker(exchange, "contract", STARTING_CASH, poll_seconds=0)
    try:
        yield broker
    finally:
        await broker.close()


@asynccontextmanager
async def alpaca_target(exchange: SimExchange) -> AsyncIterator[Broker]:
    """Yield the Alpaca adapter talking over HTTP to the Alpaca emulator on ``exchange``."""
    emulator = AlpacaEmulator(exchange, starting_cash=STARTING_CASH)
    with LoopbackServer(create_app(emulator)) as server:
        broker = create_alpaca_broker(
            {"api_key_id": "PKCONTRACT", "api_secret_key": "contract", "base_url": server.url}
        )
        try:
            yield broker
        finally:
            await broker.close()


@asynccontextmanager
async def etrade_target(exchange: SimExchange) -> AsyncIterator[Broker]:
    """Yield the E*TRADE adapter signed in (OAuth 1.0a) to its emulator over ``exchange``."""
    from tests.brokers.etrade.emulated import connected

    async with connected(exchange, starting_cash=STARTING_CASH) as (adapter, _):
        yield adapter


CONTRACT_TARGETS: dict[str, ContractTarget] = {
    "alpaca": alpaca_target,
    "paper": paper_target,
    "etrade": etrade_target,
}
