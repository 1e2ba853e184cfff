"""`bakeprint complaint …`, `bakeprint qc alerts|ack|tasks|task-done|settings|
hazard` and `bakeprint recall launch|discard` on a fresh SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bakeprint import cli_support
from bakeprint.cli import app
from bakeprint.db import get_database, session_scope
from bakeprint.events import subscribers
from bakeprint.packaging import service as packaging
from tests.factories import cli_database, make_bakery, make_catalog
from tests.packaging.conftest import pack_a_batch


@pytest.fixture
def packed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    url = cli_database(tmp_path, monkeypatch, "cli.db")
    with session_scope() as s:
        bakery = make_bakery(s, slug="cli-complaints")
        batch = pack_a_batch(s, bakery.actor, make_catalog(s, bakery.tenant.id))
        code = batch.code
        serial = packaging.units_of(s, batch)[0].serial
    yield code, serial
    get_database(url).dispose()


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args))


def ok(*args: str):  # type: ignore[no-untyped-def]
    r = run(*args, "--json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_a_complaint_from_filing_to_a_launched_recall(packed):
    batch, serial = packed
    bad = run(
        "complaint", "file", "NOPE-9", "--category", "taste", "--description", "x"
    )
    assert bad.exit_code != 0 and "NOPE-9" in bad.output
    assert len(bad.output.strip().splitlines()) == 1
    odd = run("complaint", "file", serial, "--category", "poison", "--description", "x")
    assert odd.exit_code != 0
    cp = ok(
        "complaint", "file", serial, "--category", "foreign_body",
        "--description", "有异物",
    )  # fmt: skip
    assert cp["batch"] == batch and cp["serial"] == serial
    (task,) = ok("qc", "tasks")
    assert task["kind"] == "complaint" and task["complaint"] == cp["code"]
    assert ok("complaint", "list")[0]["status"] == "received"

    done = ok("complaint", "verify", cp["code"], "--verdict", "留样确认")
    assert done["status"] == "verified" and done["recall"].startswith("RC-")
    again = run("complaint", "reject", cp["code"], "--verdict", "x")
    assert again.exit_code != 0 and "owner" in again.output
    (alert,) = ok("qc", "alerts", "--level", "3")
    assert alert["cause"] == "complaint" and alert["batches"] == [batch]
    launched = ok("recall", "launch", done["recall"])
    assert launched["status"] == "open" and launched["batches"][0]["batch"] == batch
    assert run("recall", "launch", done["recall"]).exit_code != 0
    acked = ok("qc", "ack", alert["id"], "--note", "已召回")
    assert acked["acknowledged_by"] == "owner"
    assert run("qc", "ack", "not-an-id").exit_code != 0


def test_thresholds_and_a_hazard_from_the_command_line(packed):
    batch, _ = packed
    assert ok("qc", "settings") == {"minor_anomalies": 2, "raised_sampling_rate": 0.1}
    assert ok("qc", "settings", "--minor-anomalies", "4")["minor_anomalies"] == 4
    bad = run("qc", "settings", "--sampling", "2")
    assert bad.exit_code != 0 and "1" in bad.output
    empty = run("qc", "hazard", "--description", "坚果")
    assert empty.exit_code != 0
    hz = ok("qc", "hazard", "--description", "未申报坚果过敏原", "--batch", batch)
    assert hz["level"] == 3 and hz["batches"] == [batch]
    dropped = ok("recall", "discard", hz["recall"], "--note", "检测阴性")
    assert dropped["status"] == "discarded"
    assert ok("qc", "tasks") == []


def test_a_failed_check_at_the_terminal_raises_the_alert_it_would_online(
    packed, monkeypatch
):
    """Only the command line installs the reactions here."""
    batch, _ = packed
    monkeypatch.setattr(subscribers, "_handlers", {})
    for notes in ("偏硬", "异味"):
        ok("qc", "check", batch, "--stage", "release", "--fail", "--notes", notes)
    (alert,) = ok("qc", "alerts")
    assert alert["cause"] == "minor_anomalies" and alert["batches"] == [batch]
    assert [a["kind"] for a in alert["anomalies"]] == ["failed_check"] * 2
    (task,) = ok("qc", "tasks")
    assert task["kind"] == "extra_sampling" and task["batch"] == batch


@pytest.mark.parametrize(
    ("language", "cause", "status"),
    [("zh-CN", "多个轻微异常", "待处理"), ("en", "Several minor anomalies", "open")],
)
def test_the_alerts_table_says_the_cause_in_words_and_keeps_batch_codes_whole(
    packed, monkeypatch, language, cause, status
):
    batch, _ = packed
    for notes in ("偏硬", "异味"):
        ok("qc", "check", batch, "--stage", "release", "--fail", "--notes", notes)
    monkeypatch.setenv("BAKEPRINT_LANG", language)
    # whole rows, no cell wrapped: the console fixed its width when created
    # (from COLUMNS, if the test process had it), so set the console's own
    monkeypatch.setattr(cli_support.console, "_width", 200)
    shown = run("qc", "alerts")
    assert shown.exit_code == 0, shown.output
    assert cause in shown.stdout and status in shown.stdout
    assert "minor_anomalies" not in shown.stdout
    assert batch in shown.stdout  # on one line, not cut or folded
