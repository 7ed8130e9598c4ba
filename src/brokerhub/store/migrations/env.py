"""Alembic environment: migrates over the connection that :mod:`brokerhub.store.engine` gives.

Run migrations with :func:`brokerhub.store.engine.migrate`; there is no alembic.ini.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

import brokerhub.store.models  # noqa: F401  (registers every table on the metadata)
from brokerhub.store.base import Base


def run_migrations(connection: Connection) -> None:
    """Run the pending migrations in the connection's transaction."""
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("run migrations with brokerhub.store.engine.migrate(url)")
run_migrations(connection)
