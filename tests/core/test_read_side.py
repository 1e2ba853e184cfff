"""Pages, endpoints and the CLI ask services or repositories; they never run a
query themselves (issue 18, item 3). Each domain's queries live in its
``repository.py``, so a rule such as "a consumption is live unless another row
corrects it" is written once and every screen shows the same answer."""

from __future__ import annotations

import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "bakeprint"

# the modules a person or a client talks to
FRONT = re.compile(
    r"^(?:pages|endpoints|cli|routes)(?:_\w+)?\.py$|^\w+_(?:pages|endpoints|cli)\.py$"
)
ALSO = {"resolver.py", "cli_support.py"}
# quality/alert_* move into the alerts/ domain (issue 18 item 2, another
# branch); they are pointed at the repositories when that move lands
NOT_YET: set[str] = set()
QUERIES = {"execute", "scalars", "scalar", "get"}


def _is_session(node: ast.expr) -> bool:
    """A name that holds a database session (``session``, ``s`` in the CLI's
    ``with session_scope() as s``) — not ``request.session``, a dict."""
    return isinstance(node, ast.Name) and (
        node.id == "s" or node.id.endswith("session")
    )


def direct_queries(source: str) -> list[tuple[int, str]]:
    """(line, method) of every ``session.execute/scalars/scalar/get(...)``."""
    return [
        (n.lineno, n.func.attr)
        for n in ast.walk(ast.parse(source))
        if isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr in QUERIES
        and _is_session(n.func.value)
    ]


def _front_modules() -> list[Path]:
    return sorted(
        p
        for p in SRC.rglob("*.py")
        if (FRONT.match(p.name) or p.name in ALSO)
        and p.relative_to(SRC).as_posix() not in NOT_YET
    )


def test_the_check_sees_a_query_and_ignores_a_dict():
    source = (
        "def page(session, request, s):\n"
        "    session.execute(stmt)\n"
        "    s.get(Batch, key)\n"
        "    db_session.scalars(stmt)\n"
        "    request.session.get('flash')\n"
        "    form.get('code')\n"
        "    batches.get(session, t, code)\n"
    )
    assert direct_queries(source) == [(2, "execute"), (3, "get"), (4, "scalars")]


def test_pages_endpoints_and_cli_never_query_the_database_themselves():
    modules = _front_modules()
    names = {p.relative_to(SRC).as_posix() for p in modules}
    # the walk found the front modules of every domain
    assert {"web/routes.py", "production/pages.py", "retail/endpoints.py"} <= names
    assert {"sensors/cli.py", "resolver.py", "cli.py"} <= names
    found = [
        f"{p.relative_to(SRC)}:{line} session.{method}(...)"
        for p in modules
        for line, method in direct_queries(p.read_text(encoding="utf-8"))
    ]
    assert not found, (
        "move these queries into the domain's repository.py (or call a "
        "service):\n" + "\n".join(found)
    )
