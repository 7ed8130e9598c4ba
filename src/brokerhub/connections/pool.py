"""One live adapter per connection, built from its decrypted credentials on first use.

The adapter of an OAuth broker also receives its connection's
:class:`~brokerhub.connections.credentials.ConnectionTokenStore` (under ``TOKEN_STORE_FIELD``),
through which renewed tokens are saved and an expired grant marks the connection broken.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from brokerhub.auth.tokens import TOKEN_STORE_FIELD
from brokerhub.auth.vault import Vault
from brokerhub.brokers.base import Broker, BrokerRegistry
from brokerhub.connections.credentials import ConnectionTokenStore
from brokerhub.errors import ConfigurationError, ValidationFailed
from brokerhub.events.publisher import EventPublisher
from brokerhub.store.models.connections import ConnectionRow


class BrokerPool:
    """Adapters by connection id; closed when the connection goes or the hub stops."""

    def __init__(
        self,
        registry: BrokerRegistry,
        vault: Vault,
        sessions: async_sessionmaker[AsyncSession] | None = None,
        publisher: EventPublisher | None = None,
    ) -> None:
        self._registry = registry
        self._vault = vault
        self._sessions = sessions
        self._publisher = publisher
        self._adapters: dict[uuid.UUID, Broker] = {}

    def build(self, brokerage_name: str, credentials: Mapping[str, Any]) -> Broker:
        """Return a new adapter for ``brokerage_name`` (not pooled: used while connecting)."""
        spec = self._registry.get(brokerage_name)
        if spec is None:
            raise ValidationFailed(f"Brokerage {brokerage_name} is not supported")
        return spec.factory(credentials)

    def adapter_for(self, connection: ConnectionRow) -> Broker:
        """Return the pooled adapter of a stored connection."""
        adapter = self._adapters.get(connection.id)
        if adapter is None:
            if connection.credentials_encrypted is None:
                raise ConfigurationError("this connection has no stored credentials")
            credentials: dict[str, Any] = self._vault.decrypt(
                connection.credentials_encrypted,
                owner=f"connection {connection.id} ({connection.brokerage_name})",
            )
            spec = self._registry.get(connection.brokerage_name)
            if self._sessions is not None and spec is not None and spec.oauth is not None:
                credentials[TOKEN_STORE_FIELD] = ConnectionTokenStore(
                    self._sessions,
                    self._vault,
                    connection.id,
                    connection.brokerage_name,
                    self._publisher,
                )
            adapter = self.build(connection.brokerage_name, credentials)
            self._adapters[connection.id] = adapter
        return adapter

    async def discard(self, connection_id: uuid.UUID) -> None:
        """Close and forget the adapter of a connection, if one was built."""
        adapter = self._adapters.pop(connection_id, None)
        if adapter is not None:
            await adapter.close()

    async def close(self) -> None:
        """Close every adapter."""
        for connection_id in list(self._adapters):
            await self.discard(connection_id)
