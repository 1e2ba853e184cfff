"""The `bakeprint` command starts at once (issue #22 item 5): the root imports
a command group's module only when that group runs, so `bakeprint --help`
loads none of the web stack or the database layer, and a simple command
only what it needs. What the user sees is unchanged: the listing shows each
command's own help."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from bakeprint import cli

HEAVY = ("fastapi", "starlette", "uvicorn", "sqlalchemy", "pydantic", "psycopg")


def _modules_after(code: str) -> list[str]:
    """The modules a fresh interpreter holds after running ``code``."""
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return list(json.loads(out.splitlines()[-1]))


def test_importing_the_command_loads_no_web_stack_and_no_database_layer():
    loaded = _modules_after("import bakeprint.cli")
    assert [m for m in loaded if m.split(".")[0] in HEAVY] == []
    assert [m for m in loaded if m.startswith("bakeprint")] == [
        "bakeprint",
        "bakeprint.cli",
    ]


def test_help_lists_every_command_without_importing_any_of_them():
    loaded = _modules_after(
        "from bakeprint.cli import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass"
    )
    assert [m for m in loaded if m.startswith("bakeprint")] == [
        "bakeprint",
        "bakeprint.cli",
    ]
    assert "fastapi" not in loaded


@pytest.mark.parametrize(
    "module",
    ["bakeprint.logistics.cli", "bakeprint.trace.cli", "bakeprint.cli_support"],
)
def test_a_lookup_or_a_trace_imports_neither_fastapi_nor_psycopg_on_sqlite(
    module: str,
):
    loaded = _modules_after(f"import {module}")
    assert "fastapi" not in loaded
    assert "psycopg" not in loaded


@pytest.mark.parametrize("name", list(cli.COMMANDS))
def test_the_listing_shows_each_commands_own_help(name: str):
    command = cli.load(name)
    assert command.name == name
    assert command.help == cli.COMMANDS[name].help


def test_help_names_every_command_with_its_help():
    r = CliRunner().invoke(cli.app, ["--help"], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    for name, spec in cli.COMMANDS.items():
        first = " ".join([name, *spec.help.splitlines()[0].split()])
        assert any(
            " ".join(line.split("│")[1].split()) == first
            for line in r.stdout.splitlines()
            if line.count("│") >= 2
        ), name


def test_a_group_loaded_on_demand_runs_its_commands():
    r = CliRunner().invoke(cli.app, ["batch", "--help"], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert "env" in r.stdout  # the sensors' command on the batch group
    assert "Production batches." in r.stdout


def test_an_unknown_command_is_refused_as_before():
    r = CliRunner().invoke(cli.app, ["bakes"])
    assert r.exit_code == 2
    assert "No such command 'bakes'" in r.output
