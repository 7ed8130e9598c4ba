"""Connect, list and disconnect brokerage accounts (the seed's connect/accounts/disconnect).

A broker login can hold several accounts: connecting creates one connection per account
(or only the one named by ``account_id`` in the credentials). Credentials are stored in the
vault with the chosen ``account_id`` so the adapter is bound to that account.
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from brokerhub.auth.vault import Vault
from brokerhub.brokers.base import BrokerRegistry, BrokerSpec
from brokerhub.config import Settings
from brokerhub.connections.credentials import seal_credentials
from brokerhub.connections.pool import BrokerPool
from brokerhub.core.clock import utcnow
from brokerhub.core.portfolio import Account, Balance, Position
from brokerhub.errors import (
    AuthenticationFailed,
    LiveTradingDisabled,
    NotFound,
    RateLimited,
    ValidationFailed,
)
from brokerhub.events import factory
from brokerhub.events.models import Event
from brokerhub.events.publisher import EventPublisher
from brokerhub.store.enums import ConnectionStatus, Environment
from brokerhub.store.models.connections import ConnectionRow
from brokerhub.store.repos import audit_log as audit_repo
from brokerhub.store.repos import connections as connection_repo

log = structlog.get_logger(__name__)

AUTH_FAILED_MESSAGE = "Authentication failed. Please check your credentials."
ACCOUNT_NOT_FOUND = "Account not found"
CONNECT_FAILED_ACTION = "connect_failed"
LOCKOUT_WINDOW = timedelta(hours=1)


def unsupported_message(brokerage_name: str) -> str:
    """Return the seed's error for an unknown brokerage."""
    return f"Brokerage {brokerage_name} is not supported"


@dataclass(frozen=True)
class ConnectOptions:
    """Where a new connection trades. Live trading stays off unless asked for explicitly."""

    environment: Environment | None = None
    live_trading_enabled: bool = False
    account_name: str | None = None


class ConnectionService:
    """The use cases around connections; every method checks the connection's owner."""

    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        registry: BrokerRegistry,
        vault: Vault,
        pool: BrokerPool,
        settings: Settings,
        publisher: EventPublisher,
    ) -> None:
        self._sessions = sessions
        self._registry = registry
        self._vault = vault
        self._pool = pool
        self._settings = settings
        self._publisher = publisher

    def supported(self) -> list[BrokerSpec]:
        """Return every brokerage that has an adapter."""
        return self._registry.specs()

    def spec(self, brokerage_name: str) -> BrokerSpec:
        """Return the spec of a brokerage, or fail with the seed's message."""
        spec = self._registry.get(brokerage_name)
        if spec is None:
            raise ValidationFailed(unsupported_message(brokerage_name))
        return spec

    async def connect(
        self,
        *,
        user_id: int,
        brokerage_name: str,
        credentials: Mapping[str, Any],
        options: ConnectOptions | None = None,
    ) -> list[ConnectionRow]:
        """Authenticate with the broker and store one connection per account.

        Raises:
            ValidationFailed: unknown brokerage, missing required credential fields, or
                live trading asked for on a non-production connection.
            RateLimited: too many failed authentications for this brokerage in the last hour.
            AuthenticationFailed: the broker refused the credentials.
        """
        options = options or ConnectOptions()
        spec = self.spec(brokerage_name)
        missing = [name for name in spec.required_fields if not credentials.get(name)]
        if missing:
            raise ValidationFailed(f"Missing required credentials: {', '.join(missing)}")
        environment = self._environment(spec, credentials, options)
        await self._refuse_when_locked_out(user_id, brokerage_name)
        adapter = self._pool.build(brokerage_name, credentials)
        try:
            accounts = await adapter.accounts()
        except AuthenticationFailed:
            await self._record_failure(user_id, brokerage_name)
            raise AuthenticationFailed(AUTH_FAILED_MESSAGE) from None
        finally:
            await adapter.close()
        chosen = _choose_accounts(accounts, credentials.get("account_id"))
        repaired: list[Event] = []
        async with self._sessions.begin() as session:
            rows = []
            existing = {
                row.account_id: row
                for row in await connection_repo.list_for_user(session, user_id=user_id)
                if row.brokerage_name == brokerage_name
            }
            for account in chosen:
                row = existing.get(account.account_id) or await connection_repo.create(
                    session,
                    user_id=user_id,
                    brokerage_name=brokerage_name,
                    environment=environment,
                )
                if row.status is ConnectionStatus.ERROR:
                    repaired.append(factory.connection_repaired(row))
                # Connecting an account again renews its credentials on the same connection.
                await seal_credentials(
                    session,
                    self._vault,
                    connection_id=row.id,
                    credentials={**credentials, "account_id": account.account_id},
                )
                await self._pool.discard(row.id)
                await connection_repo.mark_connected(
                    session,
                    connection_id=row.id,
                    account_id=account.account_id,
                    account_name=options.account_name or account.name,
                )
                if options.live_trading_enabled:
                    await connection_repo.set_live_trading(
                        session, connection_id=row.id, enabled=True
                    )
                await audit_repo.record(
                    session,
                    action="connect",
                    user_id=user_id,
                    connection_id=row.id,
                    detail={"brokerage_name": brokerage_name, "environment": environment.value},
                )
                rows.append(row)
            await self._publisher.stage(session, repaired)
        await self._publisher.publish(repaired)
        log.info("connected", brokerage=brokerage_name, user_id=user_id, accounts=len(rows))
        return rows

    def _environment(
        self, spec: BrokerSpec, credentials: Mapping[str, Any], options: ConnectOptions
    ) -> Environment:
        if not spec.is_live_capable:
            environment = Environment.PAPER
        else:
            environment = options.environment or Environment(
                str(credentials.get("environment", Environment.SANDBOX.value))
            )
        if options.live_trading_enabled and environment is not Environment.PRODUCTION:
            raise ValidationFailed(
                "live_trading_enabled: only a production connection trades real money"
            )
        return environment

    async def _refuse_when_locked_out(self, user_id: int, brokerage_name: str) -> None:
        limit = self._settings.connect_failures_per_hour
        since = utcnow() - LOCKOUT_WINDOW
        async with self._sessions() as session:
            entries = await audit_repo.list_entries(
                session, user_id=user_id, action=CONNECT_FAILED_ACTION, limit=limit * 4
            )
        failures = sorted(
            entry.at
            for entry in entries
            if entry.at >= since and entry.detail.get("brokerage_name") == brokerage_name
        )
        if len(failures) >= limit:
            retry_after = (failures[-limit] + LOCKOUT_WINDOW - utcnow()).total_seconds()
            raise RateLimited(
                f"Too many failed authentication attempts for {brokerage_name}: "
                f"{limit} per hour. Try again later.",
                retry_after=retry_after,
            )

    async def _record_failure(self, user_id: int, brokerage_name: str) -> None:
        async with self._sessions.begin() as session:
            await audit_repo.record(
                session,
                action=CONNECT_FAILED_ACTION,
                user_id=user_id,
                detail={"brokerage_name": brokerage_name},
            )

    async def list(self, *, user_id: int) -> list[ConnectionRow]:
        """Return the user's connections."""
        async with self._sessions() as session:
            return list(await connection_repo.list_for_user(session, user_id=user_id))

    async def get(self, *, user_id: int, connection_id: str | uuid.UUID) -> ConnectionRow:
        """Return one of the user's connections; another user's is "Account not found"."""
        parsed = _parse_id(connection_id)
        async with self._sessions() as session:
            row = await connection_repo.get_for_user(session, connection_id=parsed, user_id=user_id)
        if row is None:
            raise NotFound(ACCOUNT_NOT_FOUND)
        return row

    async def live_balance(self, *, user_id: int, connection_id: str) -> Balance:
        """Return the account's balance live from the broker."""
        row = await self.get(user_id=user_id, connection_id=connection_id)
        return await self._pool.adapter_for(row).balance(row.account_id or "")

    async def live_positions(self, *, user_id: int, connection_id: str) -> builtins.list[Position]:
        """Return the account's positions live from the broker."""
        row = await self.get(user_id=user_id, connection_id=connection_id)
        return await self._pool.adapter_for(row).positions(row.account_id or "")

    def require_live_trading_allowed(self, row: ConnectionRow) -> None:
        """Refuse real-money orders unless live trading was enabled for the connection."""
        if row.environment is Environment.PRODUCTION and not row.live_trading_enabled:
            raise LiveTradingDisabled(
                "Live trading is disabled for this account; enable it explicitly to trade "
                "real money"
            )

    async def disconnect(self, *, user_id: int, connection_id: str | uuid.UUID) -> ConnectionRow:
        """Remove a connection with its positions, transactions, orders and credentials."""
        row = await self.get(user_id=user_id, connection_id=connection_id)
        await self._pool.discard(row.id)
        async with self._sessions.begin() as session:
            await connection_repo.delete_with_data(session, connection_id=row.id)
            await audit_repo.record(
                session,
                action="disconnect",
                user_id=user_id,
                connection_id=row.id,
                detail={"brokerage_name": row.brokerage_name, "account_id": row.account_id},
            )
        return row


def _parse_id(connection_id: str | uuid.UUID) -> uuid.UUID:
    if isinstance(connection_id, uuid.UUID):
        return connection_id
    try:
        return uuid.UUID(connection_id)
    except ValueError:
        raise NotFound(ACCOUNT_NOT_FOUND) from None


def _choose_accounts(accounts: list[Account], wanted: object) -> list[Account]:
    if wanted:
        chosen = [account for account in accounts if account.account_id == str(wanted)]
        if not chosen:
            raise NotFound(f"Account {wanted} was not found at the broker")
        return chosen
    if not accounts:
        raise NotFound("The broker reports no accounts for these credentials")
    return accounts
