"""An Alpaca Trading API v2 + Market Data v2 emulator over the simulator.

``create_app(AlpacaEmulator(exchange))`` is an ASGI app; ``brokerhub sandbox alpaca`` serves
one, and tests run it on a loopback port with :class:`brokerhub.emulators.serve.LoopbackServer`.
"""

from brokerhub.emulators.alpaca.app import create_app
from brokerhub.emulators.alpaca.state import AlpacaEmulator, Faults

__all__ = ["AlpacaEmulator", "Faults", "create_app"]
