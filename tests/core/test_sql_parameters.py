"""SQL only through parameters (issue 8, item 4): no statement in the code is
built by formatting values into its text. The few places that format an
identifier (a database or table name the code itself chose) are listed here
with the reason; anything new fails this test until it is looked at."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "bakeprint"
SQL_CALLS = {"text", "exec_driver_sql", "execute", "executescript", "copy"}
# file -> why formatting is safe there
ALLOWED = {
    "bench/common.py": "CREATE/DROP DATABASE of benchmark databases named in code",
    "bench/dataset.py": "COPY into a model's own table and columns",
}


def _formatted(node: ast.AST) -> bool:
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return isinstance(node.left, ast.Constant | ast.JoinedStr) or isinstance(
            node.right, ast.Constant | ast.JoinedStr
        )
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr == "format" and isinstance(node.func.value, ast.Constant)
    return False


def _offenders() -> list[str]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
            if name in SQL_CALLS and _formatted(node.args[0]) and rel not in ALLOWED:
                found.append(f"{rel}:{node.lineno}")
    return found


def test_no_sql_is_built_by_formatting_values_into_it() -> None:
    assert _offenders() == []


def test_the_check_would_catch_one(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bakeprint"
    bad.mkdir()
    (bad / "leak.py").write_text(
        "def f(s, code):\n"
        "    return s.execute(text(f\"select * from t where code = '{code}'\"))\n"
    )
    monkeypatch.setattr(f"{__name__}.SRC", bad)
    assert _offenders() == ["leak.py:2"]
