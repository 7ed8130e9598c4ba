"""Run every benchmark, each in its own process with a deadline, and collect the results.

``python -m bench`` (``make bench``) runs the modules below in order, prints each one's output
(its last line is its summary) and writes ``bench/results/latest.json``: per benchmark, its
summary line and, where the module reports one, its full result (medians, peers, ratios).
``python -m bench g7_sqlite_ingest g9_paper_matching`` runs only those.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"
# (module, deadline in seconds)
BENCHMARKS: tuple[tuple[str, float], ...] = (
    ("g1_adapter_calls", 600),
    ("g2_transport_fanout", 600),
    ("g3_pacing", 600),
    ("g4_idle_pacing", 300),
    ("g5_sync_wall", 300),
    ("g6_rest_read", 600),
    ("g7_sqlite_ingest", 2400),
    ("g8_postgres_ingest", 2400),
    ("g9_paper_matching", 2400),
    ("g10_ws_fanout", 900),
    ("g11_cold_start", 600),
)


def run_one(module: str, deadline: float) -> dict[str, Any]:
    """Run one benchmark module; return its summary line, result, exit code and duration."""
    result_file = RESULTS / f"{module}.json"
    result_file.unlink(missing_ok=True)
    command = [sys.executable, "-m", f"bench.{module}", "--json", str(result_file)]
    started = time.perf_counter()
    try:
        completed = subprocess.run(  # noqa: S603 - our own modules
            command, capture_output=True, text=True, timeout=deadline, check=False
        )
        output, code = completed.stdout + completed.stderr, completed.returncode
    except subprocess.TimeoutExpired as expired:
        output, code = f"{expired.stdout or ''}\ntimed out after {deadline} s", -1
    print(output, end="" if output.endswith("\n") else "\n", flush=True)
    lines = [line for line in output.splitlines() if line.strip()]
    entry: dict[str, Any] = {
        "summary": lines[-1] if lines else "",
        "exit_code": code,
        "seconds": round(time.perf_counter() - started, 1),
    }
    if code == 0 and result_file.exists():
        entry["result"] = json.loads(result_file.read_text())
    return entry


def main(selected: list[str]) -> int:
    """Run the selected benchmarks (all when none); return 1 if any failed to run."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    chosen = [(m, d) for m, d in BENCHMARKS if not selected or m in selected]
    collected = {module: run_one(module, deadline) for module, deadline in chosen}
    (RESULTS / "latest.json").write_text(json.dumps(collected, indent=2) + "\n")
    print("\n".join(entry["summary"] for entry in collected.values()))
    return int(any(entry["exit_code"] != 0 for entry in collected.values()))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
