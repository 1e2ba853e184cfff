"""The ``bakeprint`` command: one sub-command group per domain.

Each group's module is imported only when its command runs (issue #22 item
5): ``bakeprint --help`` imports Typer and nothing of bakeprint's domains, and
``bakeprint lookup CODE`` only what a lookup needs. The listing reads each
command's help from ``COMMANDS`` below (a test checks it against the
commands themselves)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup


@dataclass(frozen=True)
class Lazy:
    """Where a root command lives: ``attr`` of ``module`` is a Typer app (a
    group) or, for ``command``, a function mounted as one command."""

    module: str
    attr: str
    help: str
    command: bool = False


# In the order `bakeprint --help` lists them.
COMMANDS: dict[str, Lazy] = {
    "lookup": Lazy(
        "bakeprint.logistics.cli",
        "lookup",
        "Find the batch behind any code a package carries.",
        command=True,
    ),
    "trace": Lazy(
        "bakeprint.trace.cli",
        "trace_cmd",
        "Trace a unit's QR link, element string, serial or a batch code.",
        command=True,
    ),
    "scope": Lazy(
        "bakeprint.trace.cli",
        "scope_cmd",
        "Which batches share a cause, why, and where their units are now.",
        command=True,
    ),
    "version": Lazy("bakeprint.cli_root", "app", "Print the version."),
    "verify": Lazy(
        "bakeprint.cli_root",
        "app",
        "Walk the hash-chained event log (or check one day against its signed\n"
        "anchor); exit 1 and name each broken event.",
    ),
    "anchor": Lazy(
        "bakeprint.cli_root",
        "app",
        "Anchor a day: the signed Merkle root of its event hashes (R6.3).",
    ),
    "backup": Lazy(
        "bakeprint.cli_root",
        "app",
        "Back up the whole database (SQLite online backup, or pg_dump) while it\n"
        "keeps serving; lists each bakery's chain head at that moment.",
    ),
    "restore": Lazy(
        "bakeprint.cli_root",
        "app",
        "Replace the database with a backup (stop the server first) once every\n"
        "bakery's hash chain in it is checked; a broken chain names the event,\n"
        "exits 1 and leaves the database as it was.",
    ),
    "serve": Lazy(
        "bakeprint.cli_root",
        "app",
        "Serve the web app and the API. Beyond this machine only with\n"
        "BAKEPRINT_SECRET_KEY set (on 127.0.0.1 a generated one is kept).",
    ),
    "whoami": Lazy(
        "bakeprint.cli_root", "app", "Show which bakery and user the CLI acts as."
    ),
    "db": Lazy("bakeprint.cli_root", "app", "Database schema (Alembic migrations)."),
    "tenant": Lazy("bakeprint.identity.cli", "tenant_app", "Bakeries (tenants)."),
    "user": Lazy("bakeprint.identity.cli", "user_app", "Users and roles."),
    "token": Lazy("bakeprint.identity.cli", "token_app", "API tokens."),
    "catalog": Lazy("bakeprint.catalog.cli", "app", "Master data."),
    "lot": Lazy("bakeprint.materials.cli", "app", "Material lots (intake)."),
    "batch": Lazy("bakeprint.production.cli", "app", "Production batches."),
    # the QC group with the alerts' commands on it (`qc alerts`, `qc ack` …)
    "qc": Lazy("bakeprint.alerts.cli", "qc_app", "QC checkpoints."),
    "complaint": Lazy(
        "bakeprint.quality.complaint_cli",
        "complaint_app",
        "Complaints: file, list, verify or reject.",
    ),
    "events": Lazy("bakeprint.events.cli", "app", "The hash-chained event log."),
    "trip": Lazy("bakeprint.logistics.cli", "trip_app", "Delivery trips."),
    "pos": Lazy("bakeprint.logistics.cli", "pos_app", "Points of sale: receive, sell…"),
    "sensors": Lazy("bakeprint.sensors.cli", "app", "Environment sensors and alerts."),
    "shelflife": Lazy("bakeprint.shelflife.cli", "app", "Dynamic shelf life (R3.3)."),
    "recall": Lazy(
        "bakeprint.recall.cli", "app", "Recalls: open, follow, confirm, close."
    ),
    "outbox": Lazy("bakeprint.recall.cli", "outbox_app", "Deliver queued notices."),
    "demo": Lazy("bakeprint.demo.cli", "app", "Demo data."),
    "bench": Lazy(
        "bakeprint.bench.cli", "app", "Benchmark dataset and quick measurements."
    ),
    "export": Lazy(
        "bakeprint.interop.cli", "export_app", "Export for partners and auditors."
    ),
    "import": Lazy("bakeprint.interop.cli", "import_app", "Import partners' data."),
}

# Typer carries its own copy of click (typer._click, private): commands are
# typed loosely here rather than through it.
_loaded: dict[str, Any] = {}


def _mount_batch_env() -> None:
    """`bakeprint batch env` is the sensors' command on the batch group."""
    from bakeprint.cli_support import handle_errors
    from bakeprint.production import cli as production_cli
    from bakeprint.sensors import cli as sensors_cli

    if not any(c.name == "env" for c in production_cli.app.registered_commands):
        production_cli.app.command("env")(handle_errors(sensors_cli.batch_env))


def load(name: str) -> Any:
    """The click command of one root command, its module imported now."""
    if name in _loaded:
        return _loaded[name]
    spec = COMMANDS[name]
    if name == "batch":
        _mount_batch_env()
    target = getattr(importlib.import_module(spec.module), spec.attr)
    holder = typer.Typer(add_completion=False)
    if spec.command:
        from bakeprint.cli_support import handle_errors

        holder.command(name)(handle_errors(target))
        holder.callback()(lambda: None)  # a group, so that its command has a name
    elif spec.module == "bakeprint.cli_root":
        holder = target
    else:
        holder.add_typer(target, name=name)
    group = typer.main.get_command(holder)
    assert isinstance(group, TyperGroup)
    _loaded[name] = group.commands[name]
    return _loaded[name]


class LazyGroup(TyperGroup):
    """The root group: lists every command from ``COMMANDS`` and imports a
    command's module only when that command is run (or its own help asked)."""

    listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return [*COMMANDS, *(n for n in self.commands if n not in COMMANDS)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in self.commands or cmd_name not in COMMANDS:
            return self.commands.get(cmd_name)
        if self.listing and cmd_name not in _loaded:
            return TyperCommand(cmd_name, help=COMMANDS[cmd_name].help)
        return load(cmd_name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self.listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self.listing = False


app = typer.Typer(
    name="bakeprint",
    help="Batch traceability and precise recall for short-life pastries.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=LazyGroup,
)


@app.callback()
def _each_command(ctx: typer.Context) -> None:
    """Each command writes its times in its bakery's zone (named once the
    bakery is resolved), and leaves it behind when it ends."""
    # imported here, not at the top: `bakeprint --help` never needs them
    # (pydantic and SQLAlchemy are most of a command's start-up)
    from bakeprint import localtime, reactions
    from bakeprint.db import close_all

    reactions.install()  # every command records facts as the API does
    ctx.with_resource(localtime.scope())
    # close the engines when the command ends (also on an error exit): a
    # SQLite WAL left open would hold everything written since the last
    # checkpoint beside the database file
    ctx.call_on_close(close_all)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
