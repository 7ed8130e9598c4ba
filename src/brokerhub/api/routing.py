"""A router whose paths answer with and without the trailing slash, as the contract requires."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter


class SlashOptionalRouter(APIRouter):
    """Register each ``/path/`` route also as ``/path`` (hidden from the OpenAPI schema)."""

    def add_api_route(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().add_api_route(path, endpoint, **kwargs)
        if path.endswith("/") and len(path) > 1:
            bare = {**kwargs, "include_in_schema": False}
            if bare.get("name"):
                bare["name"] = f"{bare['name']}_no_slash"
            super().add_api_route(path.rstrip("/"), endpoint, **bare)
