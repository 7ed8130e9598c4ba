"""The one pydantic base for core models: frozen, strict about unknown fields."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict

from brokerhub.core.clock import ensure_utc


class CoreModel(BaseModel):
    """Base of every core model: immutable and closed to unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


UtcDateTime = Annotated[datetime, AfterValidator(ensure_utc)]
"""An aware datetime, normalised to UTC; naive input fails validation."""
