"""Connections remember when their authorization dies, so users are warned before it does.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 00:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)
COLUMNS = ("authorization_issued_at", "authorization_expires_at", "expiry_notified_for")


def upgrade() -> None:
    """Add the authorization expiry columns to connections."""
    with op.batch_alter_table("connections") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, TIMESTAMP, nullable=True))
        batch.create_index(
            op.f("ix_connections_authorization_expires_at"), ["authorization_expires_at"]
        )


def downgrade() -> None:
    """Drop the authorization expiry columns."""
    with op.batch_alter_table("connections") as batch:
        batch.drop_index(op.f("ix_connections_authorization_expires_at"))
        for name in reversed(COLUMNS):
            batch.drop_column(name)
