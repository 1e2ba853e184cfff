"""ARCHITECTURE.md's dependency diagram is what scripts/depgraph.py generates now."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_dependency_diagram_is_current() -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "depgraph.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, (
        "ARCHITECTURE.md is stale: run python scripts/depgraph.py"
    )


def test_named_folders_exist() -> None:
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    for name in ("events", "alerts", "outbox", "shelflife", "reactions.py", "app.py"):
        assert f"`{name}" in text
        assert (ROOT / "src" / "bakeprint" / name).exists(), name
