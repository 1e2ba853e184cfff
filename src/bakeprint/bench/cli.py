"""CLI: `bakeprint bench dataset|run` — the dataset to measure on, and quick figures."""

from __future__ import annotations

from enum import StrEnum

import typer

from bakeprint.cli_support import JsonOpt, console, emit, handle_errors, progress_bars
from bakeprint.config import settings
from bakeprint.db import Database

app = typer.Typer(
    help="Benchmark dataset and quick measurements.", no_args_is_help=True
)


class SizeName(StrEnum):
    S = "S"
    M = "M"
    L = "L"


SizeOpt = typer.Option(
    SizeName.S, "--size", case_sensitive=False, help="S (1 min), M or L (a year)."
)


def _database() -> Database:
    from bakeprint import migrate
    from bakeprint.db import get_database

    db = get_database(settings.database_url)
    migrate.upgrade(db.engine)
    return db


@app.command("dataset")
@handle_errors
def dataset(size: SizeName = SizeOpt, as_json: JsonOpt = False) -> None:
    """Build the dataset of a size in the configured database (resumes a
    stopped run where it left off)."""
    from bakeprint.bench import dataset as ds

    db = _database()
    with progress_bars(as_json) as progress:
        result = ds.build(db, ds.SIZES[size.value], progress=progress)
    emit(
        result,
        as_json,
        lambda r: console.print(
            f"[green]✓[/] dataset {r['size']} in bakery [bold]{r['tenant']}[/]: "
            + ", ".join(f"{v:,} {k}" for k, v in r["counts"].items()),
            highlight=False,
        ),
    )


@app.command("run")
@handle_errors
def run(size: SizeName = SizeOpt, as_json: JsonOpt = False) -> None:
    """Build the dataset if needed, then measure trace, scope, EPCIS export and
    capture, and the scan page under concurrent clients, in this database."""
    from bakeprint.bench import dataset as ds
    from bakeprint.bench import measure

    db = _database()
    with progress_bars(as_json) as progress:
        built = ds.build(db, ds.SIZES[size.value], progress=progress)
        figures = measure.all_figures(db, built, progress=progress)
    emit(figures, as_json, lambda r: console.print_json(data=r))
