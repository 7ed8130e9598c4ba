"""Create the initial tables.

Revision ID: 0001
Revises:
Create Date: 2024-11-25 00:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The storage of brokerhub.store.types, spelled out so this revision never changes with them.
DECIMAL = sa.Numeric().with_variant(sa.String(), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create every table."""
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("name", name=op.f("uq_users_name")),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("last_used_at", TIMESTAMP, nullable=True),
        sa.Column("revoked_at", TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_keys_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )
    op.create_index(op.f("ix_api_keys_prefix"), "api_keys", ["prefix"])
    op.create_index(op.f("ix_api_keys_user_id"), "api_keys", ["user_id"])
    op.create_table(
        "connections",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("brokerage_name", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=True),
        sa.Column("account_name", sa.String(length=128), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("environment", sa.String(length=16), nullable=False),
        sa.Column("live_trading_enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("last_sync", TIMESTAMP, nullable=True),
        sa.Column("cash_balance", DECIMAL, nullable=True),
        sa.Column("total_value", DECIMAL, nullable=True),
        sa.Column("buying_power", DECIMAL, nullable=True),
        sa.Column("balance_as_of", TIMESTAMP, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("error_count", sa.Integer(), nullable=False),
        sa.Column("credentials_encrypted", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_connections_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connections")),
        sa.UniqueConstraint(
            "user_id",
            "brokerage_name",
            "account_id",
            name=op.f("uq_connections_user_id_brokerage_name_account_id"),
        ),
    )
    op.create_index(op.f("ix_connections_user_id"), "connections", ["user_id"])
    _create_connection_children()
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("connection_id", sa.Uuid(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    for column in ("at", "user_id", "connection_id", "action"):
        op.create_index(op.f(f"ix_audit_log_{column}"), "audit_log", [column])


def _connection_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["connection_id"],
        ["connections.id"],
        name=op.f(f"fk_{table}_connection_id_connections"),
        ondelete="CASCADE",
    )


def _create_connection_children() -> None:
    op.create_table(
        "positions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("connection_id", sa.Uuid(), nullable=False),
        sa.Column("symbol", sa.String(length=64), nullable=False),
        sa.Column("asset_class", sa.String(length=16), nullable=False),
        sa.Column("instrument", sa.JSON(), nullable=False),
        sa.Column("quantity", DECIMAL, nullable=False),
        sa.Column("average_price", DECIMAL, nullable=False),
        sa.Column("current_price", DECIMAL, nullable=False),
        sa.Column("market_value", DECIMAL, nullable=False),
        sa.Column("cost_basis", DECIMAL, nullable=False),
        sa.Column("unrealized_pnl", DECIMAL, nullable=False),
        sa.Column("unrealized_pnl_percent", DECIMAL, nullable=False),
        sa.Column("greeks", sa.JSON(), nullable=True),
        sa.Column("as_of", TIMESTAMP, nullable=False),
        sa.Column("raw", sa.JSON(), nullable=True),
        _connection_fk("positions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_positions")),
        sa.UniqueConstraint(
            "connection_id", "symbol", name=op.f("uq_positions_connection_id_symbol")
        ),
    )
    op.create_table(
        "transactions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("connection_id", sa.Uuid(), nullable=False),
        sa.Column("transaction_id", sa.String(length=128), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("transaction_type", sa.String(length=16), nullable=False),
        sa.Column("symbol", sa.String(length=64), nullable=True),
        sa.Column("quantity", DECIMAL, nullable=True),
        sa.Column("price", DECIMAL, nullable=True),
        sa.Column("amount", DECIMAL, nullable=False),
        sa.Column("fees", DECIMAL, nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("transaction_date", TIMESTAMP, nullable=False),
        sa.Column("order_id", sa.String(length=128), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("raw", sa.JSON(), nullable=True),
        _connection_fk("transactions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transactions")),
        sa.UniqueConstraint(
            "connection_id",
            "transaction_id",
            name=op.f("uq_transactions_connection_id_transaction_id"),
        ),
    )
    op.create_index(
        op.f("ix_transactions_connection_id_transaction_date"),
        "transactions",
        ["connection_id", "transaction_date"],
    )
    op.create_table(
        "orders",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("connection_id", sa.Uuid(), nullable=False),
        sa.Column("client_order_id", sa.String(length=64), nullable=True),
        sa.Column("broker_order_id", sa.String(length=128), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("request", sa.JSON(), nullable=True),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.Column("order_type", sa.String(length=16), nullable=False),
        sa.Column("time_in_force", sa.String(length=8), nullable=False),
        sa.Column("symbol", sa.String(length=64), nullable=False),
        sa.Column("limit_price", DECIMAL, nullable=True),
        sa.Column("stop_price", DECIMAL, nullable=True),
        sa.Column("filled_quantity", DECIMAL, nullable=False),
        sa.Column("average_fill_price", DECIMAL, nullable=True),
        sa.Column("reject_reason", sa.Text(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("submitted_at", TIMESTAMP, nullable=True),
        sa.Column("raw", sa.JSON(), nullable=True),
        _connection_fk("orders"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint(
            "connection_id", "client_order_id", name=op.f("uq_orders_connection_id_client_order_id")
        ),
    )
    op.create_index(
        op.f("ix_orders_connection_id_broker_order_id"),
        "orders",
        ["connection_id", "broker_order_id"],
    )
    op.create_table(
        "sync_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("connection_id", sa.Uuid(), nullable=False),
        sa.Column("started_at", TIMESTAMP, nullable=False),
        sa.Column("finished_at", TIMESTAMP, nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("positions_count", sa.Integer(), nullable=False),
        sa.Column("transactions_count", sa.Integer(), nullable=False),
        sa.Column("new_transactions_count", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        _connection_fk("sync_runs"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_runs")),
    )
    op.create_index(
        op.f("ix_sync_runs_connection_id_started_at"),
        "sync_runs",
        ["connection_id", "started_at"],
    )


def downgrade() -> None:
    """Drop every table, children first."""
    for table in (
        "audit_log",
        "sync_runs",
        "orders",
        "transactions",
        "positions",
        "connections",
        "api_keys",
        "users",
    ):
        op.drop_table(table)
