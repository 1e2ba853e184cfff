"""Measure what a reader must hold: long files, long functions, local imports, cycles.

Usage: python scripts/sizes.py [--write]

Reports, for src/bakeprint (stdlib ``ast`` only, nothing is imported):
- ``file <path> <lines>``: a source file over 500 lines;
- ``func <path>:<qualname> <lines>``: a function over 100 lines;
- ``local <path> <count>``: imports of bakeprint modules placed inside functions;
- ``cycles-top <n>``: import cycles between modules using module-level imports only;
- ``cycles-all <n>``: cycles when function-local imports are counted too.

Exempt (data tables and generated code): everything under ``migrations/``
(Alembic revisions), and files or functions that are mostly one literal — a
module whose non-docstring statements are all assignments of literals
(dict/list/tuple/set/str), or a function whose body is a single ``return`` of a
literal. ``--write`` rewrites scripts/sizes-allowed.txt with today's figures;
tests/core/test_sizes.py checks that list only ever shrinks.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
PACKAGE = SRC / "bakeprint"
ALLOWED = ROOT / "scripts" / "sizes-allowed.txt"
FILE_LIMIT = 500
FUNC_LIMIT = 100
LITERALS = (ast.Dict, ast.List, ast.Tuple, ast.Set, ast.Constant)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_data_table(tree: ast.Module) -> bool:
    body = [
        s
        for s in tree.body
        if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
    ]
    body = [s for s in body if not isinstance(s, ast.Import | ast.ImportFrom)]
    return bool(body) and all(
        isinstance(s, ast.Assign | ast.AnnAssign) and isinstance(s.value, LITERALS)
        for s in body
    )


def resolve(node: ast.ImportFrom | ast.Import, name: str, known: set[str]) -> list[str]:
    """The bakeprint modules an import statement in module ``name`` reads."""
    found: list[str] = []
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name in known:
                found.append(alias.name)
        return found
    base = node.module or ""
    if node.level:
        pkg = name.split(".")
        is_pkg = False
        pkg = pkg[: len(pkg) - node.level + (1 if is_pkg else 0)]
        base = ".".join(pkg + ([base] if base else []))
    for alias in node.names:
        full = f"{base}.{alias.name}"
        if full in known:
            found.append(full)
        elif base in known:
            found.append(base)
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    sys.setrecursionlimit(10000)

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(out)


def _scan(
    path: Path,
    known: set[str],
    figures: dict[str, int],
    top: dict[str, set[str]],
    every: dict[str, set[str]],
) -> None:
    rel = path.relative_to(ROOT).as_posix()
    name = module_name(path)
    is_pkg = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top[name] = set()
    every[name] = set()
    local = 0
    exempt = "migrations" in path.relative_to(PACKAGE).parts
    lines = len(path.read_text(encoding="utf-8").splitlines())
    if lines > FILE_LIMIT and not exempt and not is_data_table(tree):
        figures[f"file {rel}"] = lines

    def walk(node: ast.AST, in_func: bool, prefix: str) -> None:
        nonlocal local
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                level_name = name + ".__init__" if is_pkg else name
                targets = [t for t in resolve(child, level_name, known) if t != name]
                every[name].update(targets)
                if in_func:
                    local += bool(targets)
                elif not _type_checking(node):
                    top[name].update(targets)
                continue
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                qual = f"{prefix}{child.name}"
                size = (child.end_lineno or child.lineno) - child.lineno + 1
                first = child.body[0]
                data = len(child.body) == 1 and isinstance(first, ast.Return)
                data = data and isinstance(getattr(first, "value", None), LITERALS)
                if size > FUNC_LIMIT and not exempt and not data:
                    figures[f"func {rel}:{qual}"] = size
                walk(child, True, qual + ".")
            elif isinstance(child, ast.ClassDef):
                walk(child, in_func, f"{prefix}{child.name}.")
            else:
                walk(child, in_func, prefix)

    walk(tree, False, "")
    if local:
        figures[f"local {rel}"] = local


def measure() -> tuple[dict[str, int], list[list[str]], list[list[str]]]:
    figures: dict[str, int] = {}
    files = sorted(PACKAGE.rglob("*.py"))
    known = {module_name(p) for p in files}
    top: dict[str, set[str]] = {}
    every: dict[str, set[str]] = {}
    for path in files:
        _scan(path, known, figures, top, every)
    top_cycles = cycles(top)
    all_cycles = cycles(every)
    figures["cycles-top"] = len(top_cycles)
    figures["cycles-all"] = len(all_cycles)
    return figures, top_cycles, all_cycles


def _type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def render(figures: dict[str, int]) -> str:
    return "".join(f"{key} {value}\n" for key, value in sorted(figures.items()))


def main() -> None:
    figures, top_cycles, all_cycles = measure()
    if "--write" in sys.argv:
        ALLOWED.write_text(render(figures), encoding="utf-8")
    sys.stdout.write(render(figures))
    for label, found in (
        ("module-level", top_cycles),
        ("with function-local imports", all_cycles),
    ):
        for comp in found:
            sys.stdout.write(
                f"# cycle ({label}, {len(comp)} modules): {' '.join(comp)}\n"
            )
    files = sum(k.startswith("file ") for k in figures)
    funcs = sum(k.startswith("func ") for k in figures)
    local = sum(v for k, v in figures.items() if k.startswith("local "))
    sys.stdout.write(
        f"# files over {FILE_LIMIT}: {files}; functions over {FUNC_LIMIT}: {funcs}; "
        f"function-local bakeprint imports: {local}; "
        f"cycles: {figures['cycles-top']} module-level, "
        f"{figures['cycles-all']} with local imports\n"
    )


if __name__ == "__main__":
    main()
