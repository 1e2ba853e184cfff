"""CLI: the 时光印记 demo bakery."""

from __future__ import annotations

import typer

from bakeprint.cli_support import JsonOpt, console, emit, handle_errors, progress_bars
from bakeprint.config import settings
from bakeprint.db import get_database, refresh_statistics, session_scope
from bakeprint.demo import data as D

app = typer.Typer(help="Demo data.", no_args_is_help=True)


@app.command("load")
@handle_errors
def load(
    reset: bool = typer.Option(
        False, "--reset", help="Remove an existing demo bakery first."
    ),
    as_json: JsonOpt = False,
) -> None:
    """Load the 时光印记 demo bakery (four weeks of history) in one transaction."""
    from bakeprint.demo import loader

    with progress_bars(as_json) as progress, session_scope() as session:
        if reset:
            loader.remove(session)
        result = loader.load(session, progress=progress)
    refresh_statistics(get_database().engine)
    data = {
        "tenant": result.slug,
        "login": {"bakery": D.SLUG, "user": "owner", "password": D.PASSWORD},
        "token": result.token,
        "counts": result.counts,
        "database": settings.database_url,
    }
    if as_json:
        emit(data, True)
        return
    console.print(
        f"[green]✓[/] demo bakery [bold]{D.NAME}[/] loaded: "
        + ", ".join(f"{v} {k}" for k, v in result.counts.items())
    )
    console.print(
        f"  web login: bakery [bold]{D.SLUG}[/], user [bold]owner[/], "
        f"password [bold]{D.PASSWORD}[/]"
    )
    console.print(f"  API token: {result.token}", soft_wrap=True)
    console.print(f"  the brief's case: batch [bold]{D.CASE_BATCH}[/]")
