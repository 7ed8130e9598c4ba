"""The encrypted vault: broker credentials and tokens at rest, Fernet with key rotation.

Keys come from ``BROKERHUB_SECRET_KEYS`` (comma-separated Fernet keys, newest first), else
``BROKERHUB_SECRET_KEY`` (one key), else ``<home>/secret.key``, created with mode 0600 on
first use. Rotation without downtime: put a new key first in ``BROKERHUB_SECRET_KEYS`` (old
keys after it still decrypt), run ``brokerhub secrets rotate`` to re-encrypt every
connection's credentials under the new key, then drop the old key. Every secret decrypted is
registered with the log redactor, so it can never appear in a log line.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from brokerhub.config import Settings
from brokerhub.errors import ConfigurationError
from brokerhub.logging import is_secret_key, register_secret

KEY_FILE_NAME = "secret.key"


class Vault:
    """Encrypt and decrypt credential mappings; never logs or returns keys."""

    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise ConfigurationError("the vault needs at least one key")
        try:
            self._fernet = MultiFernet([Fernet(key) for key in keys])
        except ValueError as exc:
            raise ConfigurationError(
                "BROKERHUB_SECRET_KEYS holds a key that is not a Fernet key "
                "(32 url-safe base64-encoded bytes)"
            ) from exc

    @classmethod
    def from_settings(cls, settings: Settings) -> Vault:
        """Return the vault for these settings, creating the key file on first use."""
        if settings.secret_keys is not None:
            raw = settings.secret_keys.get_secret_value()
            return cls([part.strip().encode() for part in raw.split(",") if part.strip()])
        if settings.secret_key is not None:
            return cls([settings.secret_key.get_secret_value().strip().encode()])
        return cls([_key_file(settings.home)])

    def encrypt(self, credentials: Mapping[str, Any]) -> bytes:
        """Return the encrypted form of a JSON-serialisable mapping."""
        return self._fernet.encrypt(json.dumps(dict(credentials), sort_keys=True).encode())

    def decrypt(self, blob: bytes, *, owner: str = "stored credentials") -> dict[str, Any]:
        """Return the mapping inside ``blob``; its secret values are registered for redaction.

        Args:
            blob: what :meth:`encrypt` returned.
            owner: what the blob belongs to, named in errors (e.g. ``connection <id>``).

        Raises:
            ConfigurationError: when no configured key opens it (a key was dropped too soon).
        """
        try:
            data = json.loads(self._fernet.decrypt(blob))
        except InvalidToken:
            raise ConfigurationError(_undecryptable(owner)) from None
        if not isinstance(data, dict):
            raise ConfigurationError(f"the credentials of {owner} are not a mapping")
        for key, value in data.items():
            if isinstance(value, str) and is_secret_key(key):
                register_secret(value)
        return data

    def rotate(self, blob: bytes, *, owner: str = "stored credentials") -> bytes:
        """Return ``blob`` re-encrypted under the newest key.

        Raises:
            ConfigurationError: when no configured key opens it.
        """
        try:
            return self._fernet.rotate(blob)
        except InvalidToken:
            raise ConfigurationError(_undecryptable(owner)) from None


def _undecryptable(owner: str) -> str:
    return (
        f"the credentials of {owner} cannot be decrypted with the configured keys "
        "(BROKERHUB_SECRET_KEYS / BROKERHUB_SECRET_KEY / secret.key); restore the old key "
        "or connect again"
    )


def _key_file(home: Path) -> bytes:
    path = home / KEY_FILE_NAME
    if path.exists():
        return path.read_bytes().strip()
    home.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key
