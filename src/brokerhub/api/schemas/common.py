"""Pieces every response shares: the envelope and the freshness of data."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class DataSource(StrEnum):
    """Where a figure came from, so no screen shows cached data as live."""

    LIVE = "live"
    SYNC = "sync"
    IMPORT = "import"


class Body(BaseModel):
    """Base of request bodies: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class Envelope(BaseModel):
    """The seed's envelope: ``success`` plus the payload fields."""

    success: bool = True


class MessageResponse(Envelope):
    """An envelope with a message."""

    message: str


class Fresh(BaseModel):
    """When the broker reported a figure and where it came from."""

    as_of: datetime | None
    source: DataSource
