"""A stored connection's credentials: sealed in the vault, with when their authorization dies.

Every write of a connection's credentials goes through :func:`seal_credentials`, which also
records the authorization's end (:func:`authorization_expiry`) for the expiry warnings of
:mod:`brokerhub.connections.health`. :class:`ConnectionTokenStore` is the token lifecycle's
view of one stored connection (see :mod:`brokerhub.auth.tokens`): renewed tokens are sealed
the same way, and a grant that can no longer be renewed marks the connection broken and
publishes ``connection_broken`` in the same transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from brokerhub.auth.oauth2 import ACCESS_EXPIRES_AT_FIELD, REFRESH_EXPIRES_AT_FIELD, stored_time
from brokerhub.auth.tokens import OAUTH1_EXPIRES_AT_FIELD, reauthorization_message
from brokerhub.auth.vault import Vault
from brokerhub.core.clock import utcnow
from brokerhub.errors import ConfigurationError
from brokerhub.events import factory
from brokerhub.events.models import Event
from brokerhub.events.publisher import EventPublisher
from brokerhub.store.enums import ConnectionStatus
from brokerhub.store.repos import connections as connection_repo


def authorization_expiry(credentials: Mapping[str, Any]) -> datetime | None:
    """Return when these credentials stop working for good, unless the user authorizes again.

    An OAuth 1.0a session ended by the clock (E*TRADE: midnight US Eastern) dies then; an
    OAuth 2.0 grant dies with its refresh token, or with its access token when there is no
    refresh token. None: nothing known ends it (API keys, grants valid until revoked).
    """
    session_end = stored_time(credentials, OAUTH1_EXPIRES_AT_FIELD)
    if session_end is not None:
        return session_end
    if credentials.get("refresh_token"):
        return stored_time(credentials, REFRESH_EXPIRES_AT_FIELD)
    return stored_time(credentials, ACCESS_EXPIRES_AT_FIELD)


async def seal_credentials(
    session: AsyncSession,
    vault: Vault,
    *,
    connection_id: uuid.UUID,
    credentials: Mapping[str, Any],
    now: datetime | None = None,
) -> None:
    """Store ``credentials`` encrypted and record when their authorization dies."""
    await connection_repo.set_credentials(
        session, connection_id=connection_id, credentials_encrypted=vault.encrypt(credentials)
    )
    await connection_repo.record_authorization(
        session,
        connection_id=connection_id,
        expires_at=authorization_expiry(credentials),
        issued_at=now or utcnow(),
    )


class ConnectionTokenStore:
    """The tokens of one stored connection, in the vault-encrypted credentials column.

    Args:
        sessions: the database sessions.
        vault: encrypts and decrypts the credentials.
        connection_id: the connection.
        brokerage_name: named in messages.
        publisher: where ``connection_broken`` goes when the grant ends (None: not sent).
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        vault: Vault,
        connection_id: uuid.UUID,
        brokerage_name: str,
        publisher: EventPublisher | None = None,
    ) -> None:
        self._sessions = sessions
        self._vault = vault
        self._connection_id = connection_id
        self._brokerage_name = brokerage_name
        self._publisher = publisher
        self._owner = f"connection {connection_id} ({brokerage_name})"

    async def load(self) -> dict[str, Any]:
        """Return the connection's decrypted credentials.

        Raises:
            ConfigurationError: the connection or its credentials are gone.
        """
        async with self._sessions() as session:
            row = await connection_repo.get(session, connection_id=self._connection_id)
        if row is None or row.credentials_encrypted is None:
            raise ConfigurationError(f"{self._owner} has no stored credentials")
        return self._vault.decrypt(row.credentials_encrypted, owner=self._owner)

    async def save(self, updates: Mapping[str, Any]) -> None:
        """Merge ``updates`` into the credentials and store them encrypted."""
        merged = {**await self.load(), **updates}
        async with self._sessions.begin() as session:
            await seal_credentials(
                session, self._vault, connection_id=self._connection_id, credentials=merged
            )

    async def reauthorization_required(self, reason: str) -> None:
        """Set the connection's status to ``error`` with a re-authorization message.

        A connection that was healthy until now also publishes ``connection_broken``.
        """
        message = reauthorization_message(self._brokerage_name, reason)
        events: list[Event] = []
        async with self._sessions.begin() as session:
            row = await connection_repo.get(session, connection_id=self._connection_id)
            if row is None:
                return
            if row.status is not ConnectionStatus.ERROR:
                events.append(factory.connection_broken(row, message, reauthorize=True))
            await connection_repo.mark_error(session, connection_id=row.id, error=message)
            if self._publisher is not None:
                await self._publisher.stage(session, events)
        if self._publisher is not None:
            await self._publisher.publish(events)
