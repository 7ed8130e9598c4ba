"""JSON helpers shared by the repositories."""

from __future__ import annotations

from typing import Any

from pydantic_core import to_jsonable_python


def jsonable(value: dict[str, object] | None) -> dict[str, Any] | None:
    """Return a payload with Decimals as strings and datetimes as ISO text, ready for JSON."""
    if value is None:
        return None
    result: dict[str, Any] = to_jsonable_python(value)
    return result
