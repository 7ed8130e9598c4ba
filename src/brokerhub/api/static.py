"""Serve the built dashboard (frontend/, built by ``make dashboard``) at ``/``.

Only ``/`` (the page) and ``/assets/`` (its hashed scripts and styles) are claimed, so no API
route is ever shadowed, whatever order routers are added in. The dashboard routes pages by
the URL fragment (``/#/orders``), so no other path needs a fallback to the page.
"""

from __future__ import annotations

from pathlib import Path

import anyio
from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

DASHBOARD_DIR = Path(__file__).parent / "dashboard"

# The page talks only to this origin (REST and WebSocket); no frames, no plugins.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self' ws: wss:; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
PAGE_HEADERS = {
    "Cache-Control": "no-cache",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
NOT_BUILT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>brokerhub</title></head>
<body><h1>brokerhub</h1>
<p>The dashboard has not been built. Run <code>make dashboard</code> (or <code>make run</code>),
which needs Node.js and npm, then reload this page.</p>
<p>The REST API is running: see the <a href="/docs">API documentation</a>.</p>
</body></html>
"""


class AssetFiles(StaticFiles):
    """Hashed build files: cache them for a year, they never change under the same name.

    A missing build folder is a plain 404, not a server error.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.directory is None or not await anyio.Path(self.directory).is_dir():
            raise HTTPException(status_code=404)
        await super().__call__(scope, receive, send)

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
            response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def mount_dashboard(app: FastAPI, directory: Path = DASHBOARD_DIR) -> None:
    """Serve ``directory/index.html`` at ``/`` and ``directory/assets`` at ``/assets``.

    When the dashboard is not built, ``/`` answers 503 with a page saying how to build it.
    """
    index = anyio.Path(directory / "index.html")

    async def dashboard(request: Request) -> Response:
        if not await index.is_file():
            return HTMLResponse(
                NOT_BUILT_PAGE, status_code=503, headers={"Cache-Control": "no-cache"}
            )
        return HTMLResponse(await index.read_text(encoding="utf-8"), headers=PAGE_HEADERS)

    app.add_route("/", dashboard, methods=["GET", "HEAD"], include_in_schema=False)
    app.mount(
        "/assets", AssetFiles(directory=directory / "assets", check_dir=False), name="dashboard"
    )
