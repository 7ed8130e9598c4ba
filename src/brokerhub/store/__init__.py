"""The hub's database: SQLAlchemy 2 async models, repositories and Alembic migrations.

Layout: :mod:`~brokerhub.store.engine` builds engines and sessions and runs migrations;
``models/`` holds the ORM rows (one module per table); ``repos/`` translates core models to and
from rows (one module per resource). Repositories flush but never commit: the caller owns the
unit of work (``async with session_factory.begin() as session: ...``).
"""

from brokerhub.store.engine import create_engine, create_session_factory, downgrade, migrate

__all__ = ["create_engine", "create_session_factory", "downgrade", "migrate"]
