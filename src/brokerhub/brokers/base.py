"""The Broker protocol every adapter implements, its capability map, and the registry.

Adapters subclass :class:`BaseBroker`, whose methods all raise
:class:`~brokerhub.errors.UnsupportedOperation`; an adapter overrides what its broker offers
and lists those operations in ``capabilities``. Adapters are found in the registry, filled
from the built-in brokers and from the ``brokerhub.brokers`` entry-point group, whose entries
point at a :class:`BrokerSpec`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from importlib.metadata import entry_points
from typing import Any, ClassVar, Protocol, runtime_checkable

from brokerhub.auth.oauth1 import OAuth1Config
from brokerhub.auth.oauth2 import OAuth2Config
from brokerhub.core.capabilities import Capability, capability_map
from brokerhub.core.marketdata import Bar, OptionChain, Quote, SymbolMatch, Timeframe
from brokerhub.core.orders import Order, OrderPreview, OrderRequest, OrderStatus
from brokerhub.core.portfolio import Account, Balance, Position, Transaction, TransactionType
from brokerhub.errors import ConfigurationError, UnsupportedOperation

ENTRY_POINT_GROUP = "brokerhub.brokers"


class AuthMethod(StrEnum):
    """How a broker connection authenticates (the seed's ``auth_method``)."""

    NONE = "none"
    USERNAME_PASSWORD = "username_password"  # noqa: S105 - a method name, not a secret
    API_KEY_SECRET = "api_key_secret"  # noqa: S105 - a method name, not a secret
    OAUTH1 = "oauth1"
    OAUTH2 = "oauth2"
    GATEWAY_SESSION = "gateway_session"
    STATEMENT_IMPORT = "statement_import"


@runtime_checkable
class Broker(Protocol):
    """The async operations of DESIGN section 2 over the unified models."""

    name: ClassVar[str]
    capabilities: ClassVar[frozenset[Capability]]

    async def accounts(self) -> list[Account]: ...
    async def balance(self, account_id: str) -> Balance: ...
    async def positions(self, account_id: str) -> list[Position]: ...
    async def transactions(
        self,
        account_id: str,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        types: frozenset[TransactionType] | None = None,
    ) -> list[Transaction]: ...
    async def orders(
        self, account_id: str, *, status: frozenset[OrderStatus] | None = None
    ) -> list[Order]: ...
    async def get_order(self, account_id: str, order_id: str) -> Order: ...
    async def preview_order(self, account_id: str, request: OrderRequest) -> OrderPreview: ...
    async def place_order(self, account_id: str, request: OrderRequest) -> Order: ...
    async def cancel_order(self, account_id: str, order_id: str) -> Order: ...
    async def replace_order(
        self, account_id: str, order_id: str, request: OrderRequest
    ) -> Order: ...
    async def quotes(self, symbols: list[str]) -> list[Quote]: ...
    async def bars(
        self, symbol: str, timeframe: Timeframe, start: datetime, end: datetime
    ) -> list[Bar]: ...
    async def option_expirations(self, symbol: str) -> list[date]: ...
    async def option_chain(self, symbol: str, expiration: date) -> OptionChain: ...
    async def search_symbols(self, query: str) -> list[SymbolMatch]: ...
    def stream_quotes(self, symbols: list[str]) -> AsyncIterator[Quote]: ...
    def stream_order_updates(self, account_id: str) -> AsyncIterator[Order]: ...
    async def close(self) -> None: ...


class BaseBroker:
    """Defaults for every operation: raise UnsupportedOperation naming the broker."""

    name: ClassVar[str] = "base"
    capabilities: ClassVar[frozenset[Capability]] = frozenset()

    def _unsupported(self, capability: Capability) -> UnsupportedOperation:
        return UnsupportedOperation(
            f"{self.name} does not support {capability.value}", broker=self.name
        )

    def supports(self, capability: Capability) -> bool:
        """Return whether this broker offers ``capability``."""
        return capability in self.capabilities

    async def accounts(self) -> list[Account]:
        """Return the accounts the credentials can see."""
        raise self._unsupported(Capability.ACCOUNTS)

    async def balance(self, account_id: str) -> Balance:
        """Return the account's cash, buying power and value."""
        raise self._unsupported(Capability.BALANCE)

    async def positions(self, account_id: str) -> list[Position]:
        """Return the account's holdings."""
        raise self._unsupported(Capability.POSITIONS)

    async def transactions(
        self,
        account_id: str,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        types: frozenset[TransactionType] | None = None,
    ) -> list[Transaction]:
        """Return the account's transactions in [start, end], optionally of some types."""
        raise self._unsupported(Capability.TRANSACTIONS)

    async def orders(
        self, account_id: str, *, status: frozenset[OrderStatus] | None = None
    ) -> list[Order]:
        """Return the account's orders, optionally only those in ``status``."""
        raise self._unsupported(Capability.ORDERS)

    async def get_order(self, account_id: str, order_id: str) -> Order:
        """Return one order by the broker's order id."""
        raise self._unsupported(Capability.GET_ORDER)

    async def preview_order(self, account_id: str, request: OrderRequest) -> OrderPreview:
        """Return what the order would cost, without placing it."""
        raise self._unsupported(Capability.PREVIEW_ORDER)

    async def place_order(self, account_id: str, request: OrderRequest) -> Order:
        """Place the order and return it as the broker reports it."""
        raise self._unsupported(Capability.PLACE_ORDER)

    async def cancel_order(self, account_id: str, order_id: str) -> Order:
        """Cancel a working order and return it."""
        raise self._unsupported(Capability.CANCEL_ORDER)

    async def replace_order(self, account_id: str, order_id: str, request: OrderRequest) -> Order:
        """Replace a working order with ``request``; return the new order."""
        raise self._unsupported(Capability.REPLACE_ORDER)

    async def quotes(self, symbols: list[str]) -> list[Quote]:
        """Return the latest quote of each symbol."""
        raise self._unsupported(Capability.QUOTES)

    async def bars(
        self, symbol: str, timeframe: Timeframe, start: datetime, end: datetime
    ) -> list[Bar]:
        """Return OHLCV bars of ``symbol`` starting in [start, end]."""
        raise self._unsupported(Capability.BARS)

    async def option_expirations(self, symbol: str) -> list[date]:
        """Return the listed expirations of ``symbol``'s options."""
        raise self._unsupported(Capability.OPTION_EXPIRATIONS)

    async def option_chain(self, symbol: str, expiration: date) -> OptionChain:
        """Return the chain of one expiration."""
        raise self._unsupported(Capability.OPTION_CHAIN)

    async def search_symbols(self, query: str) -> list[SymbolMatch]:
        """Return symbols matching ``query``."""
        raise self._unsupported(Capability.SYMBOL_SEARCH)

    def stream_quotes(self, symbols: list[str]) -> AsyncIterator[Quote]:
        """Yield quotes as they change."""
        raise self._unsupported(Capability.STREAM_QUOTES)

    def stream_order_updates(self, account_id: str) -> AsyncIterator[Order]:
        """Yield orders as their status changes."""
        raise self._unsupported(Capability.STREAM_ORDER_UPDATES)

    async def close(self) -> None:
        """Release connections; the default holds none."""


BrokerFactory = Callable[[Mapping[str, Any]], Broker]
"""Build a connected adapter from a connection's (decrypted) credentials."""


@dataclass(frozen=True)
class BrokerSpec:
    """What the hub knows about a broker before connecting: the seed's configuration entry.

    ``oauth`` holds the endpoints of an OAuth broker; the connect flows
    (:mod:`brokerhub.connections.oauth`) use it to obtain the tokens that become credentials.
    """

    name: str
    display_name: str
    factory: BrokerFactory
    capabilities: frozenset[Capability]
    auth_method: AuthMethod
    required_fields: tuple[str, ...] = ()
    optional_fields: tuple[str, ...] = ()
    api_documentation: str = ""
    is_live_capable: bool = True
    extra: Mapping[str, Any] = field(default_factory=dict)
    oauth: OAuth1Config | OAuth2Config | None = None

    def capability_map(self) -> dict[str, bool]:
        """Return the ``has`` map served to clients."""
        return capability_map(self.capabilities)


class BrokerRegistry:
    """Broker specs by name: built-ins first, then entry points."""

    def __init__(self) -> None:
        self._specs: dict[str, BrokerSpec] = {}

    def register(self, spec: BrokerSpec) -> None:
        """Add a broker; a second spec with the same name is a configuration error."""
        if spec.name in self._specs and self._specs[spec.name] is not spec:
            raise ConfigurationError(f"broker {spec.name!r} is registered twice")
        self._specs[spec.name] = spec

    def load_entry_points(self) -> None:
        """Register every ``brokerhub.brokers`` entry point that names a BrokerSpec."""
        for entry in entry_points(group=ENTRY_POINT_GROUP):
            spec = entry.load()
            if not isinstance(spec, BrokerSpec):
                raise ConfigurationError(
                    f"entry point {entry.name!r} ({entry.value}) is not a BrokerSpec"
                )
            self.register(spec)

    def get(self, name: str) -> BrokerSpec | None:
        """Return the spec named ``name``, or None."""
        return self._specs.get(name)

    def names(self) -> list[str]:
        """Return the registered broker names in registration order."""
        return list(self._specs)

    def specs(self) -> list[BrokerSpec]:
        """Return every registered spec."""
        return list(self._specs.values())


_registry: BrokerRegistry | None = None


def get_registry() -> BrokerRegistry:
    """Return the process-wide registry, loading entry points on first use."""
    global _registry
    if _registry is None:
        registry = BrokerRegistry()
        registry.load_entry_points()
        _registry = registry
    return _registry
