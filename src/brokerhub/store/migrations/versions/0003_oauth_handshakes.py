"""OAuth handshakes: flows started and not yet completed.

Revision ID: 0003
Revises: 0002
Create Date: 2024-11-28 00:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the oauth_handshakes table."""
    op.create_table(
        "oauth_handshakes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("brokerage_name", sa.String(length=32), nullable=False),
        sa.Column("environment", sa.String(length=16), nullable=False),
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("secrets_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_oauth_handshakes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_handshakes")),
        sa.UniqueConstraint("state_hash", name=op.f("uq_oauth_handshakes_state_hash")),
    )
    op.create_index(
        op.f("ix_oauth_handshakes_user_id_brokerage_name"),
        "oauth_handshakes",
        ["user_id", "brokerage_name"],
    )
    op.create_index(op.f("ix_oauth_handshakes_expires_at"), "oauth_handshakes", ["expires_at"])


def downgrade() -> None:
    """Drop the oauth_handshakes table."""
    op.drop_table("oauth_handshakes")
