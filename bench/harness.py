"""The shared benchmark protocol: pinned CPUs, warm-up, fixed counts, 3 runs, medians, ratios.

Every benchmark measures brokerhub and a peer in the same process tree and the same run,
interleaving their runs (peer, hub, peer, hub, ...) so a noisy neighbour hurts both sides
alike; the median of each side is taken before the ratio is formed. Servers run on
:data:`SERVER_CPU` and clients (this process, wrk) on :data:`CLIENT_CPU`. Everything listens on
127.0.0.1 only, every run has a deadline, and every process started here is stopped on exit.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

CLIENT_CPU = 0
SERVER_CPU = 1
RUNS = 3
LOOPBACK = "127.0.0.1"
SERVER_START_DEADLINE_SECONDS = 60.0

Figures = dict[str, float]


@dataclass
class BenchResult:
    """One benchmark's outcome: medians of each side, the ratios and whether the goal holds.

    Attributes:
        name: the goal's id and title, e.g. ``"G7 SQLite ingest"``.
        goal: the goal as written in issue 9.
        hub: brokerhub's median figures (units in the key names).
        peers: each peer's median figures by peer name.
        ratios: hub over peer (or over the limit) by ratio name.
        passed: whether every ratio meets its goal (None when no goal applies).
        notes: how it was measured and anything that qualifies the figures.
    """

    name: str
    goal: str
    hub: Figures
    peers: dict[str, Figures]
    ratios: Figures
    passed: bool | None
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """Return the one-line summary every benchmark prints last."""
        hub = _figures_text(self.hub)
        peers = "; ".join(f"{name} {_figures_text(f)}" for name, f in self.peers.items())
        ratios = ", ".join(f"{name}={value:.2f}x" for name, value in self.ratios.items())
        verdict = {True: "PASS", False: "MISS", None: "n/a"}[self.passed]
        return f"{self.name}: hub {hub} | {peers} | {ratios} | goal {self.goal}: {verdict}"

    def to_json(self) -> dict[str, Any]:
        """Return the result as JSON-ready data."""
        return asdict(self)


def _figures_text(figures: Mapping[str, float]) -> str:
    return " ".join(f"{key}={_number(value)}" for key, value in figures.items())


def _number(value: float) -> str:
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def median_figures(runs: Sequence[Mapping[str, float]]) -> Figures:
    """Return the median of every figure over ``runs`` (each run has the same keys)."""
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def interleave(sides: Mapping[str, Callable[[], Figures]], runs: int = RUNS) -> dict[str, Figures]:
    """Run each side ``runs`` times, alternating sides, and return each side's medians."""
    collected: dict[str, list[Figures]] = {name: [] for name in sides}
    for _ in range(runs):
        for name, side in sides.items():
            collected[name].append(side())
    return {name: median_figures(figures) for name, figures in collected.items()}


def ratio(numerator: float, denominator: float) -> float:
    """Return ``numerator / denominator``, or 0 when the denominator is 0."""
    return numerator / denominator if denominator else 0.0


@dataclass(frozen=True)
class Timing:
    """Wall and CPU seconds of this process over a measured block."""

    wall: float
    cpu: float


@contextmanager
def timed() -> Iterator[list[Timing]]:
    """Measure wall (perf_counter) and this process's CPU (process_time) over the block.

    Yields a list that holds the one :class:`Timing` once the block ends.
    """
    box: list[Timing] = []
    wall, cpu = time.perf_counter(), time.process_time()
    yield box
    box.append(Timing(time.perf_counter() - wall, time.process_time() - cpu))


def pin_self(cpu: int = CLIENT_CPU) -> None:
    """Pin this process to ``cpu`` when the machine has more than one."""
    pin_process(0, cpu)


def pin_process(pid: int, cpu: int = SERVER_CPU) -> None:
    """Pin process ``pid`` (0: this one) to ``cpu`` when the machine has more than one; a
    database server's backend, say, once its pid is known."""
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(pid, {cpu})


def pinned(command: Sequence[str], cpu: int) -> list[str]:
    """Return ``command`` run under ``taskset`` on ``cpu`` (unchanged without taskset)."""
    taskset = shutil.which("taskset")
    if taskset is None or (os.cpu_count() or 1) < 2:
        return list(command)
    return [taskset, "-c", str(cpu), *command]


def free_port() -> int:
    """Return a free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


def http_get(url: str, headers: Mapping[str, str] | None = None, timeout: float = 5) -> bytes:
    """Return the body of a GET on a loopback URL."""
    if not url.startswith(f"http://{LOOPBACK}:"):
        raise ValueError(f"benchmarks stay on loopback, not {url}")
    request = urllib.request.Request(url, headers=dict(headers or {}))  # noqa: S310 - loopback
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        body: bytes = response.read()
        return body


def wait_for_http(
    url: str, process: subprocess.Popen[bytes], deadline: float = SERVER_START_DEADLINE_SECONDS
) -> float:
    """Poll ``url`` until it answers 2xx; return the seconds waited.

    Raises:
        RuntimeError: the process exited or the deadline passed first.
    """
    start = time.perf_counter()
    while True:
        try:
            http_get(url, timeout=1)
            return time.perf_counter() - start
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode}")
        if time.perf_counter() - start > deadline:
            raise RuntimeError(f"{url} did not answer within {deadline} s")
        time.sleep(0.02)


@contextmanager
def background(
    command: Sequence[str],
    *,
    cpu: int = SERVER_CPU,
    env: Mapping[str, str] | None = None,
    log: Path | None = None,
    cwd: Path | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``command`` pinned to ``cpu`` in its own process group; stop the group on exit."""
    output = log.open("wb") if log else subprocess.DEVNULL
    process = subprocess.Popen(  # noqa: S603 - commands built by the benchmarks themselves
        pinned(command, cpu),
        env={**os.environ, **(env or {})},
        stdout=output,
        stderr=subprocess.STDOUT,
        cwd=cwd,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        stop(process)
        if log and not isinstance(output, int):
            output.close()


def stop(process: subprocess.Popen[bytes], grace: float = 10) -> None:
    """Stop ``process`` and its group: SIGTERM, then SIGKILL after ``grace`` seconds."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=grace)
    except ProcessLookupError:
        process.wait(timeout=grace)


def rss_mb(pid: int) -> float:
    """Return the resident memory of ``pid`` and its children in MiB (from /proc)."""
    pids = [pid, *_children(pid)]
    total_kb = 0
    for one in pids:
        try:
            status = Path(f"/proc/{one}/status").read_text()
        except OSError:
            continue
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        if match:
            total_kb += int(match.group(1))
    return total_kb / 1024


def _children(pid: int) -> list[int]:
    """Return every descendant of ``pid`` (from each process's parent id in /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, owner in parents.items() if owner == parent]
        found += children
        frontier += children
    return found


def python_command(module: str, *args: str) -> list[str]:
    """Return the command that runs ``python -m module args`` with this interpreter."""
    return [sys.executable, "-m", module, *args]


@dataclass(frozen=True)
class WrkResult:
    """What one wrk run measured."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    non_2xx: int


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(
    url: str,
    *,
    seconds: float,
    connections: int = 50,
    headers: Mapping[str, str] | None = None,
) -> WrkResult:
    """Run ``wrk -t1 -c<connections>`` on :data:`CLIENT_CPU` against a loopback URL.

    Raises:
        RuntimeError: when wrk is not installed or fails.
    """
    binary = shutil.which("wrk")
    if binary is None:
        raise RuntimeError("wrk is not installed (apt-get install -y wrk)")
    command = [binary, "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    completed = subprocess.run(  # noqa: S603
        pinned([*command, url], CLIENT_CPU),
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 30,
    )
    return parse_wrk(completed.stdout)


def parse_wrk(output: str) -> WrkResult:
    """Return requests/s, p50, p99 and the non-2xx count from wrk's ``--latency`` output."""
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if rate is None:
        raise RuntimeError(f"unexpected wrk output:\n{output}")
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", output, re.MULTILINE))
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return WrkResult(
        requests_per_second=float(rate.group(1)),
        p50_ms=_milliseconds(latency.get("50", "0ms")),
        p99_ms=_milliseconds(latency.get("99", "0ms")),
        non_2xx=int(errors.group(1)) if errors else 0,
    )


def _milliseconds(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if match is None:
        raise RuntimeError(f"unexpected wrk latency {text!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def report(result: BenchResult, json_path: Path | None) -> None:
    """Print the result's notes and summary (the last line) and write its JSON if asked."""
    for note in result.notes:
        print(f"  note: {note}")
    if json_path is not None:
        json_path.write_text(json.dumps(result.to_json(), indent=2) + "\n")
    print(result.summary(), flush=True)


def main(run: Callable[..., BenchResult], argv: Sequence[str] | None = None) -> BenchResult:
    """Parse ``--scale/--runs/--json``, call ``run(scale=, runs=)`` and report the result."""
    parser = argparse.ArgumentParser(description=(run.__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full counts")
    parser.add_argument("--runs", type=int, default=RUNS, help="runs of each side (median)")
    parser.add_argument("--json", type=Path, default=None, help="write the result here")
    args = parser.parse_args(argv)
    result = run(scale=args.scale, runs=args.runs)
    report(result, args.json)
    return result


def http_post(url: str, body: Mapping[str, object], headers: Mapping[str, str]) -> bytes:
    """Return the body of a JSON POST on a loopback URL."""
    if not url.startswith(f"http://{LOOPBACK}:"):
        raise ValueError(f"benchmarks stay on loopback, not {url}")
    request = urllib.request.Request(  # noqa: S310 - loopback only
        url,
        data=json.dumps(body).encode(),
        headers={**headers, "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        answer: bytes = response.read()
        return answer
