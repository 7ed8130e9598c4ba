"""A wire-compatible E*TRADE: OAuth 1.0a and the v1 REST API on the simulator.

``ETradeEmulator(exchange)`` is an ASGI app; ``brokerhub sandbox etrade`` serves one.
"""

from brokerhub.emulators.etrade.app import ETRADE_RATE_LIMITS, ETradeEmulator, verifier_from_page

__all__ = ["ETRADE_RATE_LIMITS", "ETradeEmulator", "verifier_from_page"]
