"""Ratchet: long files, long functions, function-local imports and cycles only shrink.

scripts/sizes.py measures src/bakeprint; scripts/sizes-allowed.txt is the committed
list of today's offenders with their sizes. A new offender or a grown one fails; an
entry that is now within the limit must be removed from the list.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _parse(text: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.rpartition(" ")
            out[key] = int(value)
    return out


def _measured() -> dict[str, int]:
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "sizes.py")],
        capture_output=True,
        text=True,
        check=True,
    )
    return _parse(run.stdout)


LIMITS = {
    "file": "500 lines per file",
    "func": "100 lines per function",
    "local": "shrinking",
}


def test_sizes_only_shrink() -> None:
    allowed = _parse(
        (ROOT / "scripts" / "sizes-allowed.txt").read_text(encoding="utf-8")
    )
    now = _measured()
    problems = []
    assert now["cycles-top"] == 0, (
        "a module-level import cycle appeared; run scripts/sizes.py"
    )
    for key, value in sorted(now.items()):
        kind = key.split(" ", 1)[0]
        limit = LIMITS.get(kind, "no more than today")
        if key not in allowed:
            problems.append(f"new offender {key} ({value}); limit: {limit}")
        elif value > allowed[key]:
            problems.append(
                f"{key} grew from {allowed[key]} to {value}; limit: {limit}"
            )
    for key in sorted(set(allowed) - set(now)):
        if not key.startswith("cycles"):
            problems.append(
                f"{key} is now within the limit: "
                "remove it from scripts/sizes-allowed.txt"
            )
    assert not problems, "\n".join(problems)
