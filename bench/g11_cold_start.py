"""G11: cold ``make run`` to the dashboard's first byte, and the idle server's resident memory.

Each run starts ``make run`` (dependencies installed, dashboard built) with an empty
BROKERHUB_HOME on a free loopback port, times until ``GET /`` answers (first byte), lets the
server idle for 2 s, then reads the resident memory of the whole process tree from /proc.
There is no peer: the limits are absolute (<= 10 s, <= 200 MB).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from bench.harness import (
    LOOPBACK,
    RUNS,
    BenchResult,
    Figures,
    background,
    free_port,
    main,
    rss_mb,
    wait_for_http,
)

ROOT = Path(__file__).resolve().parent.parent
START_LIMIT_SECONDS = 10.0
RSS_LIMIT_MB = 200.0
IDLE_SECONDS = 2.0


def cold_start(folder: Path) -> Figures:
    """Start ``make run`` once; return seconds to the first byte and idle RSS in MiB."""
    port = free_port()
    home = folder / f"home-{port}"
    env = {"BROKERHUB_HOME": str(home), "BROKERHUB_PORT": str(port), "BROKERHUB_HOST": LOOPBACK}
    os.environ.pop("BROKERHUB_DATABASE_URL", None)
    started = time.perf_counter()
    with background(["make", "--no-print-directory", "run"], env=env, cwd=ROOT) as process:
        wait_for_http(f"http://{LOOPBACK}:{port}/", process)
        first_byte = time.perf_counter() - started
        time.sleep(IDLE_SECONDS)
        memory = rss_mb(process.pid)
    return {"first_byte_s": first_byte, "idle_rss_mb": memory}


def run(*, scale: float = 1.0, runs: int = RUNS) -> BenchResult:
    """Start the hub cold ``runs`` times; report median time to first byte and idle RSS."""
    del scale  # one start is the unit; there is nothing to scale
    with tempfile.TemporaryDirectory(prefix="bench-g11-") as tmp:
        results = [cold_start(Path(tmp)) for _ in range(runs)]
    hub = {key: sorted(r[key] for r in results)[len(results) // 2] for key in results[0]}
    ratios = {
        "first_byte_vs_limit": hub["first_byte_s"] / START_LIMIT_SECONDS,
        "rss_vs_limit": hub["idle_rss_mb"] / RSS_LIMIT_MB,
    }
    return BenchResult(
        name="G11 cold start",
        goal="first byte <= 10 s and idle RSS <= 200 MB (ratios to the limit <= 1)",
        hub=hub,
        peers={"limit": {"first_byte_s": START_LIMIT_SECONDS, "idle_rss_mb": RSS_LIMIT_MB}},
        ratios=ratios,
        passed=all(value <= 1 for value in ratios.values()),
        notes=[
            f"{runs} cold starts of `make run`, medians; RSS of make, uv and the server",
            "PYTHONDONTWRITEBYTECODE=1 here means every start compiles its imports from source",
        ],
    )


if __name__ == "__main__":
    main(run)
