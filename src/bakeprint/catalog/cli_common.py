"""What every `bakeprint catalog …` command shares: one transaction, the acting
user's permission, the output."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import typer
from pydantic import BaseModel
from sqlalchemy.orm import Session

from bakeprint.catalog import resources, views
from bakeprint.cli_support import (
    JsonOpt,
    TenantOpt,
    UserOpt,
    cli_actor,
    emit,
    handle_errors,
    print_rows,
)
from bakeprint.db import session_scope
from bakeprint.identity.service import Actor

Active = typer.Option(
    None, "--active/--inactive", help="Only active (or only deactivated) rows."
)
SetActive = typer.Option(
    None, "--active/--inactive", help="Reactivate, or deactivate (never deleted)."
)


def write(
    tenant: str | None,
    user: str | None,
    fn: Callable[[Session, Actor], Any],
    as_json: bool,
) -> None:
    """Run one write command in one transaction and print the row it returns."""
    with session_scope() as session:
        actor = cli_actor(session, tenant, user)
        actor.require("catalog:write")
        data = views.one(session, fn(session, actor)).model_dump(mode="json")
    emit(data, as_json)


def show(
    tenant: str | None,
    user: str | None,
    fn: Callable[[Session, Actor], Any],
    as_json: bool,
) -> None:
    with session_scope(write=False) as session:
        actor = cli_actor(session, tenant, user)
        actor.require("read")
        data = views.one(session, fn(session, actor)).model_dump(mode="json")
    emit(data, as_json)


def listing(
    tenant: str | None,
    user: str | None,
    fn: Callable[[Session, Actor], Sequence[BaseModel]],
    as_json: bool,
    columns: list[str],
) -> None:
    """Print the ``…Read`` rows ``fn`` returns; a table shows ``columns``."""
    with session_scope(write=False) as session:
        actor = cli_actor(session, tenant, user)
        actor.require("read")
        rows = [r.model_dump(mode="json") for r in fn(session, actor)]
    emit(rows, as_json, lambda data: print_rows(data, columns))


def given(**options: Any) -> dict[str, Any]:
    """The options the user passed (None = not given), for an ``…Update``."""
    return {k: v for k, v in options.items() if v is not None}


def cleared(**options: Any) -> dict[str, Any]:
    """Like ``given`` for optional references: ``""`` clears (``--gln ""``)."""
    return {k: (None if v == "" else v) for k, v in options.items() if v is not None}


def split(values: str | None) -> list[str] | None:
    """``"gluten, milk"`` -> ["gluten", "milk"]; ``""`` -> [] (clears)."""
    if values is None:
        return None
    return [v.strip() for v in values.replace("，", ",").split(",") if v.strip()]


def read_commands(
    group: typer.Typer,
    model: type[Any],
    lookup: Callable[[Session, Any, str], Any],
    *,
    label: str,
    columns: list[str],
) -> None:
    """Add `list` and `show` (by code) to a code-keyed kind's command group."""

    @group.command("list", help=f"List {label}.")
    @handle_errors
    def list_(
        active: bool | None = Active,
        tenant: TenantOpt = None,
        user: UserOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        def rows(session: Session, actor: Actor) -> list[Any]:
            found = resources.list_rows(session, model, actor=actor, active=active)
            return views.many(session, found)

        listing(tenant, user, rows, as_json, columns)

    @group.command("show", help=f"Show one of the {label} by its code.")
    @handle_errors
    def show_(
        code: str,
        tenant: TenantOpt = None,
        user: UserOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        show(tenant, user, lambda s, a: lookup(s, a.tenant_id, code), as_json)
