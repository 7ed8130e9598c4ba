"""The README's library example runs as written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_library_example_runs(isolated_home: Path) -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)
    [example] = [block for block in blocks if "async with Hub()" in block]
    result = subprocess.run(  # noqa: S603 - our own interpreter on our own README
        [sys.executable, "-c", example], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "estimated cost" in result.stdout
    assert "FILLED" in result.stdout
    assert "AAPL 10" in result.stdout
