"""G6: the REST read path vs a bare FastAPI endpoint returning the same pre-built models.

Hub: a real ``brokerhub serve`` process (uvicorn, one worker, SQLite store, Bearer key auth,
per-user rate limit raised to 10^9 per minute so wrk is not throttled) whose demo paper account
holds 10 positions; ``GET .../accounts/{id}/portfolio/`` reads them from the store.
Peer: :mod:`bench.g6_peer_app` on uvicorn with the same defaults (``uvicorn.run`` as
``brokerhub serve`` calls it), returning the hub's own response body as pre-built pydantic
models with ``response_model``. Both servers are pinned to :data:`SERVER_CPU`, wrk
(``-t1 -c50``) to :data:`CLIENT_CPU`; 2 s warm-up, then a fixed duration per run.
Goal: hub req/s >= 0.8x the peer; p50/p99 reported.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from bench.harness import (
    LOOPBACK,
    RUNS,
    BenchResult,
    Figures,
    background,
    free_port,
    http_get,
    http_post,
    interleave,
    main,
    python_command,
    ratio,
    wait_for_http,
    wrk,
)

GOAL = 0.8
BROKERHUB = str(Path(sys.executable).parent / "brokerhub")
SECONDS = 8.0
WARM_UP_SECONDS = 2.0
EXTRA_POSITIONS = ("AMZN", "GOOG", "META", "TSLA", "QQQ", "IWM")
PORTFOLIO_PATH = "/brokerage_integrations/brokerages/accounts/{}/portfolio/"


@contextmanager
def hub_server(folder: Path) -> Iterator[tuple[str, dict[str, str], bytes]]:
    """Run ``brokerhub serve`` with 10 demo positions; yield URL, headers and the body."""
    port = free_port()
    env = {
        "BROKERHUB_HOME": str(folder / "home"),
        "BROKERHUB_API_RATE_LIMIT_PER_MINUTE": str(10**9),
    }
    command = [BROKERHUB, "serve", "--host", LOOPBACK, "--port", str(port)]
    base = f"http://{LOOPBACK}:{port}"
    with background(command, env=env, log=folder / "hub.log") as process:
        wait_for_http(f"{base}/health", process)
        key = (folder / "home" / "demo-api-key").read_text().strip()
        headers = {"Authorization": f"Bearer {key}"}
        api = f"{base}/brokerage_integrations/brokerages"
        user_id = json.loads(http_get(f"{api}/me/", headers))["user_id"]
        accounts = json.loads(http_get(f"{api}/user/{user_id}/accounts/", headers))["accounts"]
        prefix = f"{api}/accounts/{accounts[0]['id']}"
        for symbol in EXTRA_POSITIONS:
            body = {"symbol": symbol, "order_action": "BUY", "quantity": 1}
            http_post(f"{prefix}/orders/place/", body, headers)
        http_post(f"{prefix}/sync/", {"force_sync": True}, headers)
        url = f"{prefix}/portfolio/"
        body = http_get(url, headers)
        positions = len(json.loads(body)["portfolio"])
        if positions != len(EXTRA_POSITIONS) + 4:
            raise RuntimeError(f"the demo account holds {positions} positions, not 10")
        yield url, headers, body


@contextmanager
def peer_server(folder: Path, body: bytes) -> Iterator[str]:
    """Run the bare FastAPI peer serving ``body`` as pre-built models; yield its base URL."""
    port = free_port()
    portfolio = folder / "portfolio.json"
    portfolio.write_bytes(body)
    command = python_command(
        "uvicorn", "bench.g6_peer_app:app", "--host", LOOPBACK, "--port", str(port)
    )
    base = f"http://{LOOPBACK}:{port}"
    env = {"BENCH_G6_PORTFOLIO": str(portfolio), "PYTHONPATH": str(Path(__file__).parent.parent)}
    with background(command, env=env, log=folder / "peer.log") as process:
        wait_for_http(f"{base}/docs", process)
        yield base


def _load(url: str, headers: dict[str, str], seconds: float) -> Figures:
    result = wrk(url, seconds=seconds, headers=headers)
    if result.non_2xx:
        raise RuntimeError(f"{result.non_2xx} non-2xx answers from {url}")
    return {
        "req_per_s": result.requests_per_second,
        "p50_ms": result.p50_ms,
        "p99_ms": result.p99_ms,
    }


def run(*, scale: float = 1.0, runs: int = RUNS) -> BenchResult:
    """Load the hub's portfolio endpoint and the bare FastAPI peer with wrk, interleaved."""
    seconds = max(1.0, SECONDS * scale)
    with tempfile.TemporaryDirectory(prefix="bench-g6-") as tmp:
        folder = Path(tmp)
        with hub_server(folder) as (url, headers, body), peer_server(folder, body) as peer_base:
            peer_url = peer_base + urlsplit(url).path
            for target, extra in ((url, headers), (peer_url, {})):
                wrk(target, seconds=max(1.0, WARM_UP_SECONDS * scale), headers=extra)
            # Same models and fields; FastAPI writes Decimals as strings, the hub as numbers.
            if json.loads(http_get(peer_url)).keys() != json.loads(body).keys():
                raise RuntimeError("the peer's body has other fields than the hub's")
            medians = interleave(
                {
                    "bare_fastapi": lambda: _load(peer_url, {}, seconds),
                    "hub": lambda: _load(url, headers, seconds),
                },
                runs,
            )
    hub, peer = medians["hub"], medians["bare_fastapi"]
    return BenchResult(
        name="G6 REST read",
        goal=">= 0.8x bare FastAPI req/s",
        hub=hub,
        peers={"bare_fastapi": peer},
        ratios={"req_per_s": ratio(hub["req_per_s"], peer["req_per_s"])},
        passed=ratio(hub["req_per_s"], peer["req_per_s"]) >= GOAL,
        notes=[
            f"wrk -t1 -c50, {seconds:.0f} s per run, {runs} runs each, interleaved; "
            "uvicorn defaults as brokerhub serve runs it (access log on); rate limit raised"
        ],
    )


if __name__ == "__main__":
    main(run)
