"""The dashboard is served at ``/`` and ``/assets``, and never shadows an API route."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from brokerhub.api.static import mount_dashboard
from tests.api.conftest import Api


def built(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text('<html><script src="/assets/app-1a2b.js"></script></html>')
    (tmp_path / "assets" / "app-1a2b.js").write_text("console.log('hi')")
    return tmp_path


def test_page_and_assets_are_served_with_their_headers(tmp_path: Path) -> None:
    app = FastAPI()
    mount_dashboard(app, built(tmp_path))
    with TestClient(app) as client:
        page = client.get("/")
        assert page.status_code == 200
        assert "/assets/app-1a2b.js" in page.text
        assert page.headers["cache-control"] == "no-cache"
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        script = client.get("/assets/app-1a2b.js")
        assert script.status_code == 200
        assert "immutable" in script.headers["cache-control"]
        assert client.get("/assets/missing.js").status_code == 404


def test_missing_build_says_how_to_build(tmp_path: Path) -> None:
    app = FastAPI()
    mount_dashboard(app, tmp_path / "nothing-here")
    with TestClient(app) as client:
        page = client.get("/")
        assert page.status_code == 503
        assert "make dashboard" in page.text
        assert client.get("/assets/app.js").status_code == 404


def test_api_routes_still_answer_in_the_envelope(api: Api) -> None:
    health = api.client.get("/health/")
    assert health.json()["success"] is True
    assert api.call("GET", "/me/", api.alice).json()["name"] == "alice"
    unknown = api.client.get("/brokerage_integrations/brokerages/nope/")
    assert unknown.status_code == 404
    assert unknown.json()["success"] is False
    assert api.client.get("/openapi.json").status_code == 200
