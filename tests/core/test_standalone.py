"""A clone of the repository is all a contributor gets: no doc, test, build
file or source may point at a folder beside or outside the checkout (the
requirements, the style rules and the standards' test material are kept
inside), and every file the README and CONTRIBUTING link to exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# a path out of the checkout to the steering folder: ../shared, /work/shared…
OUTSIDE = re.compile(r"(?:\.\./|/work/)shared\b|\bshared/(?:conformance|mission|STYLE)")
KEPT = [
    "README.md",
    "CONTRIBUTING.md",
    "Makefile",
    "pyproject.toml",
    ".ci/run",
    "docs",
    "tests",
    "src/bakeprint",
    "bench",
    "scripts",
]
TEXT = {".md", ".py", ".toml", ".txt", ".html", ".ini", ".cfg", ".sh", ".yml", ""}


def _files() -> list[Path]:
    out = []
    for name in KEPT:
        p = ROOT / name
        found = [p] if p.is_file() else [f for f in p.rglob("*") if f.is_file()]
        out += [f for f in found if f.suffix in TEXT and "__pycache__" not in f.parts]
    return out


def test_nothing_points_outside_the_repository():
    files = _files()
    assert len(files) > 100  # the walk found the code, tests and docs
    me = Path(__file__).resolve()
    hits = [
        f"{f.relative_to(ROOT)}:{n}: {line.strip()}"
        for f in files
        if f.resolve() != me
        for n, line in enumerate(f.read_text("utf-8", errors="replace").splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert not hits, "\n".join(hits)


def test_what_the_readme_and_contributing_link_to_is_in_the_repository():
    for doc in ("README.md", "CONTRIBUTING.md"):
        links = re.findall(r"\]\(([^)#]+)\)", (ROOT / doc).read_text("utf-8"))
        local = [x for x in links if "://" not in x]
        assert "docs/MISSION.md" in local, doc
        missing = [x for x in local if not (ROOT / x).exists()]
        assert not missing, (doc, missing)
    mission = (ROOT / "docs" / "MISSION.md").read_text("utf-8")
    assert "R1.1" in mission and "R2.3" in mission  # the IDs cited everywhere


def test_the_standards_material_the_tests_use_is_kept_with_its_terms():
    kept = ROOT / "tests" / "conformance"
    for source in ("gs1-epcis", "epcis-event-hash"):
        assert (kept / source / "LICENSE").is_file(), source
    readme = (kept / "README.md").read_text("utf-8")
    for commit in (
        "2b888befbc071e1c2d388e027b30149b3f51dcef",
        "5d2f1c389a1599af40fe1b530b62e0ca59ab818f",
    ):
        assert commit in readme
