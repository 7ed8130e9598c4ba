"""The declarative base shared by every ORM row, with a constraint naming convention.

Named constraints keep Alembic migrations portable: a migration can drop or alter a constraint
by the same name on SQLite and PostgreSQL.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import MetaData, Uuid
from sqlalchemy.orm import DeclarativeBase

from brokerhub.store.types import ExactDecimal, UtcDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every ORM row: Decimal, datetime and UUID annotations map to portable types."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        Decimal: ExactDecimal(),
        datetime: UtcDateTime(),
        uuid.UUID: Uuid(),
    }
