"""The ``oauth_handshakes`` table: OAuth flows started and not yet completed.

A handshake is single use: completing it deletes the row, so a replayed ``state`` (or a second
verification code for the same request token) finds nothing. ``secrets_encrypted`` holds, through
the vault, the request token and secret (OAuth 1.0a) or the PKCE code verifier (OAuth 2.0) with
the application credentials the flow was started with. ``state_hash`` is the SHA-256 of the
``state`` sent to the broker, never the value itself.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from brokerhub.core.clock import utcnow
from brokerhub.store.base import Base
from brokerhub.store.enums import Environment
from brokerhub.store.types import StrEnumType


class OAuthHandshakeRow(Base):
    """One started OAuth flow of a user with a brokerage, valid until ``expires_at``."""

    __tablename__ = "oauth_handshakes"
    __table_args__ = (Index(None, "user_id", "brokerage_name"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    brokerage_name: Mapped[str] = mapped_column(String(32))
    environment: Mapped[Environment] = mapped_column(StrEnumType(Environment, 16))
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    secrets_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
