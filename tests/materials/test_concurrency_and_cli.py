"""Lot codes under concurrent intake; `bakeprint lot …` on the command line."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bakeprint.cli import app
from bakeprint.db import Database, get_database, session_scope
from bakeprint.identity import service as identity
from bakeprint.materials import service as materials
from bakeprint.materials.models import MaterialLot
from bakeprint.materials.schemas import LotCreate
from tests.factories import cli_database, make_bakery, make_catalog
from tests.materials.conftest import PDF


def test_concurrent_intakes_get_consecutive_lot_codes(db: Database):
    with db.session() as s:
        bakery = make_bakery(s, slug=f"lots-{uuid.uuid4().hex[:8]}")
        make_catalog(s, bakery.tenant.id)
        tid, uid = bakery.tenant.id, bakery.owner.id
    with db.session(write=False) as s:
        actor = identity.actor_for(identity.user_by_id(s, tid, uid), via="test")
    n, barrier, errors = 6, threading.Barrier(6), []

    def work() -> None:
        try:
            barrier.wait()
            with db.session() as s:
                materials.receive(
                    s,
                    LotCreate(
                        material="FLOUR",
                        supplier="A",
                        supplier_lot="L1",
                        quantity=25,
                        expires_on=date(2026, 1, 1),
                        qc_result="pass",
                        quality_score=90,
                        received_at=datetime(2025, 12, 2, 1, tzinfo=UTC),
                    ),
                    actor=actor,
                )
        except BaseException as exc:  # pragma: no cover
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with db.session(write=False) as s:
        codes = sorted(
            s.scalars(select(MaterialLot.code).where(MaterialLot.tenant_id == tid))
        )
    assert codes == [f"RM-20251202-{i:03d}" for i in range(1, n + 1)]


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    url = cli_database(tmp_path, monkeypatch, "cli.db")
    with session_scope() as s:
        make_catalog(s, make_bakery(s, slug="cli-lots").tenant.id)
    yield tmp_path
    get_database(url).dispose()


def test_intake_from_the_command_line_with_a_report(cli_db: Path):
    report = cli_db / "report.pdf"
    report.write_bytes(PDF)
    r = CliRunner().invoke(
        app,
        [
            "lot",
            "intake",
            "--material",
            "SAKURA",
            "--supplier",
            "B",
            "--supplier-lot",
            "LOT25S-45",
            "--qty",
            "5",
            "--expires",
            "2025-12-20",
            "--qc",
            "pass",
            "--score",
            "96",
            "--received-at",
            "2025-12-02T07:30+08:00",
            "--report",
            str(report),
            "--json",
        ],
    )
    assert r.exit_code == 0, r.output
    lot = json.loads(r.stdout)
    assert lot["code"] == "RM-20251202-001" and lot["qc_report_sha256"]
    r = CliRunner().invoke(app, ["lot", "list", "--json"])
    assert [x["code"] for x in json.loads(r.stdout)] == ["RM-20251202-001"]


def test_a_bad_intake_on_the_command_line_is_one_line(cli_db: Path):
    r = CliRunner().invoke(
        app,
        [
            "lot",
            "intake",
            "--material",
            "SAKURA",
            "--supplier",
            "Q",
            "--supplier-lot",
            "X",
            "--qty",
            "5",
            "--expires",
            "2025-12-20",
            "--qc",
            "pass",
            "--score",
            "96",
        ],
    )
    assert r.exit_code == 1
    assert len(r.stderr.strip().splitlines()) == 1 and "Q" in r.stderr
    r = CliRunner().invoke(app, ["lot", "list", "--json"])
    assert json.loads(r.stdout) == []
