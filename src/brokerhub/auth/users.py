"""Users and their API keys: create, list, revoke, and authenticate a bearer key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from brokerhub.auth.api_keys import hash_key, issue_key, key_matches, prefix_of
from brokerhub.caching import ReadThroughCache
from brokerhub.core.clock import utcnow
from brokerhub.errors import AuthenticationFailed, Conflict, NotFound, ValidationFailed
from brokerhub.store.models.api_keys import ApiKeyRow
from brokerhub.store.models.users import UserRow
from brokerhub.store.repos import api_keys as api_key_repo
from brokerhub.store.repos import audit_log as audit_repo
from brokerhub.store.repos import users as user_repo

INVALID_KEY_MESSAGE = "Authentication failed. Please check your credentials."
# A key's last use is recorded at most this often: a write (and a commit) on every request
# would serialise all requests on the database's write lock.
TOUCH_INTERVAL = timedelta(minutes=1)
# How long a key that authenticated is answered from memory. A key revoked through this
# process stops at once (the cache is cleared); one revoked by another process (the CLI, another
# API worker) stops here within this many seconds.
KEY_CACHE_SECONDS = 5.0


@dataclass(frozen=True)
class NewKey:
    """A key just created: ``plaintext`` is shown once, then only its prefix is known."""

    row: ApiKeyRow
    plaintext: str


class UserService:
    """Users and API keys."""

    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        key_cache_seconds: float = KEY_CACHE_SECONDS,
    ) -> None:
        self._sessions = sessions
        # The users of valid keys, by the key's hash (never the key itself).
        self._key_users: ReadThroughCache[str, UserRow] = ReadThroughCache(ttl=key_cache_seconds)

    async def create_user(self, *, name: str, is_admin: bool = False) -> UserRow:
        """Create a user; names are unique."""
        name = name.strip()
        if not name:
            raise ValidationFailed("name: must not be empty")
        try:
            async with self._sessions.begin() as session:
                user = await user_repo.create(session, name=name, is_admin=is_admin)
                await audit_repo.record(
                    session, action="user_created", user_id=user.id, detail={"name": name}
                )
                return user
        except IntegrityError:
            raise Conflict(f"A user named {name!r} already exists") from None

    async def get_user(self, *, name: str) -> UserRow:
        """Return the user called ``name``."""
        async with self._sessions() as session:
            user = await user_repo.get_by_name(session, name=name)
        if user is None:
            raise NotFound(f"No user named {name!r}")
        return user

    async def create_key(self, *, user_id: int, name: str = "default") -> NewKey:
        """Issue a key for the user; the plaintext is returned once and never stored."""
        issued = issue_key()
        async with self._sessions.begin() as session:
            row = await api_key_repo.create(
                session, user_id=user_id, name=name, prefix=issued.prefix, key_hash=issued.key_hash
            )
            await audit_repo.record(
                session, action="api_key_created", user_id=user_id, detail={"prefix": row.prefix}
            )
        return NewKey(row=row, plaintext=issued.plaintext)

    async def list_keys(self, *, user_id: int) -> list[ApiKeyRow]:
        """Return the user's keys (prefixes and dates; hashes stay inside)."""
        async with self._sessions() as session:
            return list(await api_key_repo.list_for_user(session, user_id=user_id))

    async def revoke_key(self, *, user_id: int, key_id: int) -> None:
        """Revoke one of the user's keys."""
        async with self._sessions.begin() as session:
            if not await api_key_repo.revoke(session, key_id=key_id, user_id=user_id):
                raise NotFound(f"No active key {key_id} for this user")
            await audit_repo.record(
                session, action="api_key_revoked", user_id=user_id, detail={"key_id": key_id}
            )
        self._key_users.clear()  # revocations are rare: every other key is simply read again

    async def authenticate(self, plaintext: str) -> UserRow:
        """Return the user owning an active key.

        A key that authenticated less than ``key_cache_seconds`` ago is answered from memory
        (see :data:`KEY_CACHE_SECONDS` for how soon a revocation applies).

        Raises:
            AuthenticationFailed: the key is malformed, unknown or revoked.
        """
        prefix = prefix_of(plaintext)
        if prefix is None:
            raise AuthenticationFailed(INVALID_KEY_MESSAGE)
        return await self._key_users.get(
            hash_key(plaintext), lambda: self._read_key_user(plaintext, prefix)
        )

    async def _read_key_user(self, plaintext: str, prefix: str) -> UserRow:
        async with self._sessions() as session:
            candidates = await api_key_repo.find_active_by_prefix(session, prefix=prefix)
        for key in candidates:
            if key_matches(plaintext, key.key_hash):
                now = utcnow()
                if key.last_used_at is not None and now - key.last_used_at < TOUCH_INTERVAL:
                    async with self._sessions() as session:
                        user = await user_repo.get(session, user_id=key.user_id)
                else:
                    # A transaction of its own that writes first: on SQLite a read-then-write
                    # transaction fails at once ("database is locked") when another request
                    # wrote in between, while a write-first one waits for the lock.
                    async with self._sessions.begin() as session:
                        await api_key_repo.touch(session, key_id=key.id, at=now)
                        user = await user_repo.get(session, user_id=key.user_id)
                if user is not None:
                    return user
        raise AuthenticationFailed(INVALID_KEY_MESSAGE)
