"""CLI: the 时光印记 demo bakery."""

from __future__ import annotations

import typer

from bakeprint.cli_support import (
    JsonOpt,
    console,
    emit,
    handle_errors,
    lang,
    progress_bars,
)
from bakeprint.config import settings
from bakeprint.db import get_database, refresh_statistics, session_scope
from bakeprint.demo import data as D

app = typer.Typer(help="Demo data.", no_args_is_help=True)

# what the load counted, in words: (zh-CN measure word, English one, English many)
COUNT_WORDS: dict[str, tuple[str, str, str]] = {
    "days": ("天历史", "day of history", "days of history"),
    "material lots": ("个原料批次", "material lot", "material lots"),
    "batches": ("个生产批次", "batch", "batches"),
    "trips": ("趟配送", "delivery trip", "delivery trips"),
    "units sold": ("份售出", "unit sold", "units sold"),
    "sensor readings": ("条传感器读数", "sensor reading", "sensor readings"),
    "complaints": ("条投诉", "complaint", "complaints"),
    "users": ("个用户", "user", "users"),
}


def counted(counts: dict[str, int], language: str) -> str:
    """'28 days of history, 1 complaint …' / '28 天历史、1 条投诉 …'."""
    parts = []
    for key, n in counts.items():
        zh, one, many = COUNT_WORDS.get(key, (key, key, key))
        if language == "zh":
            parts.append(f"{n} {zh}")
        else:
            parts.append(f"{n} {one if n == 1 else many}")
    return ("、" if language == "zh" else ", ").join(parts)


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
    language = lang()
    head = "演示烘焙坊" if language == "zh" else "demo bakery"
    done = "已载入" if language == "zh" else "loaded"
    console.print(
        f"[green]✓[/] {head} [bold]{D.NAME}[/] {done}: "
        + counted(result.counts, language)
    )
    console.print(
        f"  web login: bakery [bold]{D.SLUG}[/], user [bold]owner[/], "
        f"password [bold]{D.PASSWORD}[/]"
    )
    console.print(f"  API token: {result.token}", soft_wrap=True)
    console.print(f"  the brief's case: batch [bold]{D.CASE_BATCH}[/]")
