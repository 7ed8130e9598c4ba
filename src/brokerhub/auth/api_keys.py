"""API keys: random, shown once, stored as a SHA-256 hash and found by a public prefix.

A key looks like ``bh_<prefix>_<secret>``: the 8-character prefix is stored in clear to find
the row; the whole key is hashed. 256 random bits make a slow password hash unnecessary.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

KEY_SCHEME = "bh"
PREFIX_LENGTH = 8


@dataclass(frozen=True)
class IssuedKey:
    """A new key: ``plaintext`` is shown once and never stored."""

    prefix: str
    plaintext: str
    key_hash: str


def issue_key() -> IssuedKey:
    """Return a fresh random key with its prefix and hash."""
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    plaintext = f"{KEY_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
    return IssuedKey(prefix=prefix, plaintext=plaintext, key_hash=hash_key(plaintext))


def hash_key(plaintext: str) -> str:
    """Return the stored hash of a key."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


def prefix_of(plaintext: str) -> str | None:
    """Return the prefix of a well-formed key, or None."""
    parts = plaintext.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_SCHEME or len(parts[1]) != PREFIX_LENGTH:
        return None
    return parts[1]


def key_matches(plaintext: str, key_hash: str) -> bool:
    """Return whether ``plaintext`` hashes to ``key_hash`` (constant time)."""
    return hmac.compare_digest(hash_key(plaintext), key_hash)
