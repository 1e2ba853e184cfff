"""The root's own commands — version, db, verify, anchor, backup, restore,
serve, whoami — mounted on demand by ``bakeprint.cli`` (the lazy root)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from bakeprint import __version__
from bakeprint.cli_support import (
    JsonOpt,
    TenantOpt,
    UserOpt,
    cli_actor,
    console,
    emit,
    handle_errors,
    resolve_tenant,
)
from bakeprint.config import SECRET_FILE, secret_key, secret_problem, settings
from bakeprint.db import get_database, refresh_statistics, session_scope
from bakeprint.errors import Invalid

app = typer.Typer(add_completion=False)
db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
app.add_typer(db_app, name="db")


@app.command()
def version(as_json: JsonOpt = False) -> None:
    """Print the version."""
    emit({"version": __version__}, as_json)


@db_app.command("upgrade")
@handle_errors
def db_upgrade(
    revision: str = typer.Argument("head", help="Target revision."),
    as_json: JsonOpt = False,
) -> None:
    """Migrate the database (BAKEPRINT_DATABASE_URL) to the latest schema."""
    from bakeprint import migrate

    db = get_database(settings.database_url)
    before = migrate.current(db.engine)
    migrate.upgrade(db.engine, revision)
    refresh_statistics(db.engine)
    after = migrate.current(db.engine)
    emit(
        {
            "database": db.engine.url.render_as_string(hide_password=True),
            "from": before,
            "to": after,
        },
        as_json,
        lambda d: console.print(f"database at {d['to']} (was {d['from']})"),
    )


@db_app.command("current")
@handle_errors
def db_current(as_json: JsonOpt = False) -> None:
    """Show the schema revision of the database and of the code."""
    from bakeprint import migrate

    db = get_database(settings.database_url)
    emit({"database": migrate.current(db.engine), "code": migrate.head()}, as_json)


@app.command()
@handle_errors
def verify(
    tenant: TenantOpt = None,
    anchor: Path | None = typer.Option(
        None, "--anchor", help="A daily anchor statement: prove that day unchanged."
    ),
    as_json: JsonOpt = False,
) -> None:
    """Walk the hash-chained event log (or check one day against its signed
    anchor); exit 1 and name each broken event."""
    from bakeprint.events import service as events

    if anchor is not None:
        _verify_anchor(anchor, as_json)
        return
    with session_scope(write=False) as session:
        t = resolve_tenant(session, tenant)
        count, problems = events.verify(session, t.id)
        head = events.head(session, t.id)
        report = {
            "tenant": t.slug,
            "ok": not problems,
            "events_checked": count,
            "head_seq": head.last_seq if head else 0,
            "head_hash": head.last_hash if head else None,
            "problems": [p.as_dict() for p in problems],
        }
    if as_json:
        emit(report, True)
    elif problems:
        for p in problems:
            console.print(f"[red]✗ #{p.seq}[/] {p.message}")
    else:
        console.print(
            f"[green]✓[/] {count} events, chain intact; head "
            f"#{report['head_seq']} {report['head_hash']}"
        )
    if problems:
        raise typer.Exit(1)


def _verify_anchor(path: Path, as_json: bool) -> None:
    from bakeprint.events import anchors

    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise Invalid(
            f"读不到文件 {path}", f"cannot read {path}: {exc.strerror}"
        ) from None
    statement = anchors.load(text)
    with session_scope(write=False) as session:
        found = anchors.verify_statement(session, statement)
    if as_json:
        emit(found.as_dict(), True)
    elif found.ok:
        console.print(
            f"[green]✓[/] {found.day}: {found.events} events, unchanged since "
            "they were anchored; signature valid"
        )
    else:
        for p in found.problems:
            console.print(f"[red]✗[/] {p}", highlight=False)
    if not found.ok:
        raise typer.Exit(1)


@app.command()
@handle_errors
def anchor(
    day: str | None = typer.Option(
        None, help="The bakery's day to anchor (default: yesterday)."
    ),
    missing: bool = typer.Option(
        False, "--missing", help="Anchor every finished day not anchored yet."
    ),
    out: Path | None = typer.Option(None, "--out", help="Write the statement here."),
    tenant: TenantOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Anchor a day: the signed Merkle root of its event hashes (R6.3)."""
    from datetime import date, timedelta

    from bakeprint.events import anchors

    with session_scope() as session:
        t = resolve_tenant(session, tenant)
        if missing:
            made = anchors.make_missing(session, t)
            rows = [
                {"day": a.day, "events": a.events, "merkle_root": a.root} for a in made
            ]
            emit(rows, as_json)
            return
        try:
            when = (
                date.fromisoformat(day) if day else anchors.today(t) - timedelta(days=1)
            )
        except ValueError:
            raise Invalid(
                "--day 应为日期，例如 2025-12-03",
                "--day must be a date such as 2025-12-03",
                field="day",
            ) from None
        statement = anchors.make(session, t, when).statement
    if out is not None:
        out.write_text(json.dumps(statement, ensure_ascii=False, indent=2), "utf-8")
    emit(statement, as_json)


@app.command()
@handle_errors
def backup(
    out: Path = typer.Option(..., "--out", help="Backup file to write."),
    as_json: JsonOpt = False,
) -> None:
    """Back up the whole database (SQLite online backup, or pg_dump) while it
    keeps serving; lists each bakery's chain head at that moment."""
    from bakeprint import backup as bk

    result = bk.backup(get_database(settings.database_url), out)
    emit(
        result,
        as_json,
        lambda r: console.print(
            f"[green]✓[/] backup {r['file']} ({r['bytes']:,} bytes): "
            + ", ".join(f"{c['tenant']} {c['events']} events" for c in r["chains"]),
            highlight=False,
        ),
    )


@app.command()
@handle_errors
def restore(
    source: Path = typer.Argument(..., help="A file written by `bakeprint backup`."),
    force: bool = typer.Option(
        False, "--force", help="Replace a database that already holds data."
    ),
    as_json: JsonOpt = False,
) -> None:
    """Replace the database with a backup (stop the server first) once every
    bakery's hash chain in it is checked; a broken chain names the event,
    exits 1 and leaves the database as it was."""
    from bakeprint import backup as bk

    result = bk.restore(get_database(settings.database_url), source, force=force)
    if as_json:
        emit(result, True)
    else:
        for c in result["chains"]:
            if c["ok"]:
                console.print(
                    f"[green]✓[/] {c['tenant']}: {c['events']} events, chain intact",
                    highlight=False,
                )
            for p in c["problems"]:
                console.print(
                    f"[red]✗ {c['tenant']} #{p['seq']}[/] {p['message']}",
                    highlight=False,
                )
        if not result["restored"]:
            console.print(
                "[red]✗[/] not restored: the database is unchanged", highlight=False
            )
    if not result["ok"]:
        raise typer.Exit(1)


@app.command()
@handle_errors
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port."),
    workers: int = typer.Option(1, help="Worker processes."),
    reload: bool = typer.Option(False, help="Reload on code changes (development)."),
) -> None:
    """Serve the web app and the API. Beyond this machine only with
    BAKEPRINT_SECRET_KEY set (on 127.0.0.1 a generated one is kept)."""
    import uvicorn

    problem = secret_problem(host)
    if problem is not None:
        raise Invalid(*problem)
    if not settings.secret_key:
        secret_key()  # made now, so that every worker reads the same
        console.print(
            "using the secret generated for this machine in "
            f"{Path(settings.files_dir) / SECRET_FILE} (set "
            "BAKEPRINT_SECRET_KEY to serve beyond 127.0.0.1)",
            highlight=False,
        )
    console.print(
        f"bakeprint {__version__} on http://{host}:{port}/  "
        f"(API docs: http://{host}:{port}/api/v1/docs)"
    )
    uvicorn.run(
        "bakeprint.asgi:app",
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        log_level="info",
        # X-Forwarded-* are read by the app itself, and only from the
        # proxies in BAKEPRINT_TRUSTED_PROXIES (bakeprint.app)
        proxy_headers=False,
    )


@app.command()
@handle_errors
def whoami(
    tenant: TenantOpt = None, user: UserOpt = None, as_json: JsonOpt = False
) -> None:
    """Show which bakery and user the CLI acts as."""
    with session_scope(write=False) as session:
        actor = cli_actor(session, tenant, user)
        emit(
            {
                "tenant_id": actor.tenant_id,
                "user": actor.username,
                "roles": list(actor.roles),
            },
            as_json,
        )
