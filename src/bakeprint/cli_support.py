"""Shared pieces of every CLI command: --json output, the acting user, and turning
domain errors into one readable line with a non-zero exit."""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, TypeVar
from uuid import UUID

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.table import Table
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from bakeprint import errors, localtime
from bakeprint.errors import BakeprintError, Invalid, NotFound, pick_language
from bakeprint.identity import repository as tenants
from bakeprint.identity import service as identity
from bakeprint.identity.models import Tenant
from bakeprint.identity.service import Actor

console = Console()
err_console = Console(stderr=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]
TenantOpt = Annotated[
    str | None,
    typer.Option(
        "--tenant",
        envvar="BAKEPRINT_TENANT",
        help="Bakery code (slug); optional when there is only one.",
    ),
]
UserOpt = Annotated[
    str | None,
    typer.Option(
        "--user",
        envvar="BAKEPRINT_USER",
        help="Act as this user (default: the bakery's first owner).",
    ),
]

F = TypeVar("F", bound=Callable[..., Any])


def lang() -> str:
    return pick_language(os.environ.get("BAKEPRINT_LANG") or os.environ.get("LANG"))


def _default(o: Any) -> Any:
    if isinstance(o, datetime):
        return localtime.jsonable(o)
    if isinstance(o, date):
        return o.isoformat()
    if isinstance(o, UUID | Decimal):
        return str(o)
    if isinstance(o, BaseModel):
        return o.model_dump(mode="json")
    raise TypeError(f"not JSON serialisable: {type(o)}")


def to_jsonable(data: Any) -> Any:
    return json.loads(json.dumps(data, default=_default, ensure_ascii=False))


def emit(data: Any, as_json: bool, render: Callable[[Any], None] | None = None) -> None:
    """Print ``data`` as JSON, or through ``render`` (default: a key/value table).
    Times: ISO 8601 with the bakery's offset in JSON, ``localtime.text`` for
    people."""
    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json") if as_json else for_people(data)
    if as_json:
        sys.stdout.write(
            json.dumps(data, default=_default, ensure_ascii=False, indent=2) + "\n"
        )
        return
    if render is not None:
        render(data)
    elif isinstance(data, list):
        print_rows(data)
    elif isinstance(data, dict):
        table = Table(show_header=False, box=None)
        for k, v in data.items():
            table.add_row(f"[bold]{k}[/]", _cell(v))
        console.print(table)
    else:
        console.print(data)


def for_people(model: BaseModel) -> dict[str, Any]:
    """A model as a table shows it: as in ``--json``, but its times as people
    read them (``2025-12-03 16:30 +08:00``)."""
    row: dict[str, Any] = model.model_dump(mode="json")
    for name, value in model:
        if isinstance(value, datetime):
            row[name] = localtime.text(value)
    return row


def _cell(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, datetime):
        return localtime.text(v)
    if isinstance(v, list | dict):
        return json.dumps(v, default=_default, ensure_ascii=False)
    return str(v)


def print_rows(rows: list[Any], columns: list[str] | None = None) -> None:
    rows = [for_people(r) if isinstance(r, BaseModel) else r for r in rows]
    if not rows:
        console.print("（无 / none）")
        return
    columns = columns or [c for c in rows[0] if c not in ("tenant_id",)]
    table = Table(*columns)
    for r in rows:
        table.add_row(*[_cell(r.get(c)) for c in columns])
    console.print(table)


@contextmanager
def progress_bars(quiet: bool = False) -> Iterator[Callable[[str, int, int], None]]:
    """Rich progress bars for a long command: yields ``progress(step, done,
    total)``, one bar per step; nothing shown when ``quiet`` (--json)."""
    from rich.progress import (
        BarColumn,
        Progress,
        TaskID,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,}"),
        TimeElapsedColumn(),
        console=console,
        disable=quiet,
        transient=True,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(step, total=total)
            bar.update(tasks[step], completed=done, total=total)

        yield progress


def fail(message: str, code: int = 1) -> None:
    err_console.print(f"[red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def handle_errors(fn: F) -> F:
    """Domain errors become one line on stderr and exit code 1 (2 for bad input)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except BakeprintError as exc:
            fail(exc.message(lang()), 2 if exc.status == 422 else 1)
        except ValidationError as exc:
            from bakeprint.app import validation_error

            err = validation_error(list(exc.errors()))  # type: ignore[arg-type]
            fail(err.message(lang()), 2)
        except (FileNotFoundError, PermissionError, IsADirectoryError) as exc:
            fail(f"{exc.strerror}: {exc.filename}", 1)
        except DBAPIError as exc:
            fail(database_problem(exc), 1)

    return wrapper  # type: ignore[return-value]


def database_problem(exc: DBAPIError) -> str:
    """One line a bakery owner can act on, for a database that is not usable."""
    err = errors.database_problem(exc)
    return f"{err.zh} / {err.en}"


def resolve_tenant(session: Session, slug: str | None) -> Tenant:
    """The bakery a command acts for; its times are shown in its zone."""
    tenant = _tenant(session, slug)
    localtime.use(tenant.timezone)
    return tenant


def _tenant(session: Session, slug: str | None) -> Tenant:
    if slug:
        tenant = tenants.by_slug(session, slug)
        if tenant is None:
            raise NotFound(f"找不到店铺 {slug}", f"no bakery with code {slug}")
        return tenant
    found = tenants.all_(session, limit=2)
    if len(found) == 1:
        return found[0]
    if not found:
        raise NotFound(
            "数据库里还没有店铺：先运行 bakeprint demo load 或 bakeprint tenant create",
            "no bakery in this database yet: run `bakeprint demo load` or "
            "`bakeprint tenant create`",
        )
    raise Invalid("有多个店铺：请用 --tenant 指定", "several bakeries: pass --tenant")


def cli_actor(session: Session, tenant_slug: str | None, username: str | None) -> Actor:
    """The CLI acts as a real user of the bakery, so events name who did it."""
    tenant = resolve_tenant(session, tenant_slug)
    if username:
        user = next(
            iter(tenants.active_users(session, tenant.id, username=username)), None
        )
        if user is None:
            raise NotFound(
                f"店铺 {tenant.slug} 没有用户 {username}",
                f"bakery {tenant.slug} has no user {username}",
            )
    else:
        user = next(
            (u for u in tenants.active_users(session, tenant.id) if "owner" in u.roles),
            None,
        )
        if user is None:
            raise NotFound(
                "该店铺没有店主账号：请用 --user 指定",
                "this bakery has no owner: pass --user",
            )
    return identity.actor_for(user, via="cli")
