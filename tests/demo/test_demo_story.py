"""The demo tells a story that could have happened (issue #16 items 4, 7, 8,
13), loaded with `bakeprint demo load` as `make demo` does — on the last eight
days of its calendar, so that the test stays short; the brief's case (3
December) is inside them.

- dated on its own calendar: the complaint comes the morning after the sale,
  inside the batch's shelf life; nothing is dated after the demo's last day;
  no lot expired while still in stock; no van is loaded before its batch
  was packed;
- the case's units say what is known: the pack sold by its code at 城市书房,
  the others the batch's distribution, never "in stock";
- the complaint's candidate causes lead with the hall's 75 % humidity;
- the command leaves no SQLite WAL behind.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from bakeprint.app import create_app
from bakeprint.cli import app as cli
from bakeprint.db import Database
from bakeprint.demo import data as D
from bakeprint.events.models import Event
from bakeprint.logistics.models import Trip
from bakeprint.production.models import Batch
from bakeprint.quality.models import BatchAlert, Complaint, QcTask
from bakeprint.sensors.models import EnvironmentAlert

TZ = ZoneInfo(D.TIMEZONE)
FIRST = date(2025, 11, 30)
END = datetime.combine(D.LAST_DAY + timedelta(days=1), time(0), TZ)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    url = f"sqlite:///{path}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BAKEPRINT_DATABASE_URL", url)
        mp.setattr("bakeprint.config.settings.database_url", url)
        mp.setattr(D, "FIRST_DAY", FIRST)
        runner = CliRunner()
        assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
        r = runner.invoke(cli, ["demo", "load", "--json"])
        assert r.exit_code == 0, r.output
        wal = path.with_name(path.name + "-wal")
        # looked at before anything opens the database again
        wal_bytes = wal.stat().st_size if wal.exists() else 0
        db = Database(url)
        yield {
            "url": url,
            "db": db,
            "wal_bytes": wal_bytes,
            "token": json.loads(r.stdout)["token"],
            "runner": runner,
        }
        db.dispose()


def _cli(demo: dict[str, Any], *args: str) -> Any:
    r = demo["runner"].invoke(cli, [*args, "--json"])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


@pytest.fixture(scope="module")
def client(demo: dict[str, Any]) -> Iterator[TestClient]:
    with TestClient(create_app(demo["db"])) as c:
        page = c.get("/login").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page)
        assert csrf is not None
        r = c.post(
            "/login",
            data={
                "csrf": csrf.group(1),
                "bakery": D.SLUG,
                "username": "owner",
                "password": D.PASSWORD,
                "next": "/",
            },
            follow_redirects=False,
        )
        assert r.status_code == 303
        yield c


def test_demo_load_leaves_no_wal_behind(demo):
    assert demo["wal_bytes"] == 0


def test_the_demo_database_has_the_planners_statistics(demo):
    # issue #22 item 6: without them the scan page's timeline walks the whole
    # event log; the demo database is the one users first see
    with demo["db"].engine.connect() as conn:
        tables = set(
            conn.exec_driver_sql("SELECT DISTINCT tbl FROM sqlite_stat1").scalars()
        )
        events_index = conn.exec_driver_sql(
            "SELECT stat FROM sqlite_stat1 WHERE idx = 'ix_events_tenant_time'"
        ).scalar_one()
    assert {"events", "batches", "units"} <= tables
    assert int(events_index.split()[0]) > 1000  # the log's rows, estimated


def test_the_complaint_comes_the_morning_after_inside_the_shelf_life(demo, client):
    with demo["db"].session(write=False) as s:
        (c,) = s.scalars(select(Complaint))
        case = s.scalar(select(Batch).where(Batch.code == D.CASE_BATCH))
        assert case is not None and case.best_before is not None
        task = s.scalar(select(QcTask).where(QcTask.complaint_id == c.id))
        assert task is not None
        received = c.received_at.astimezone(TZ)
        assert received.strftime("%Y-%m-%d %H:%M") == "2025-12-04 09:40"
        assert case.packed_at is not None and case.packed_at < c.received_at
        assert received.date() <= case.best_before
        assert task.created_at == c.received_at
    page = client.get(f"/complaints/{c.code}").text
    assert "2025-12-04 09:40" in page


def test_nothing_is_dated_after_the_demos_last_day(demo):
    with demo["db"].session(write=False) as s:
        latest = [
            s.scalar(select(func.max(Event.event_time))),
            s.scalar(select(func.max(Event.record_time))),
            s.scalar(select(func.max(BatchAlert.raised_at))),
            s.scalar(select(func.max(QcTask.created_at))),
            s.scalar(select(func.max(Complaint.received_at))),
            s.scalar(select(func.max(EnvironmentAlert.created_at))),
        ]
        assert all(t is not None and t < END for t in latest), latest
        # an event is recorded when, or after, it happened
        late = s.scalar(
            select(func.count())
            .select_from(Event)
            .where(Event.record_time < Event.event_time)
        )
        assert late == 0


def test_no_van_is_loaded_before_its_batch_was_packed(demo):
    with demo["db"].session(write=False) as s:
        packed = dict(
            s.execute(
                select(Event.subject, Event.event_time).where(Event.kind == "packed")
            ).all()
        )
        loads = s.execute(
            select(Event.subject, Event.event_time).where(Event.kind == "loaded")
        ).all()
        assert loads and all(when >= packed[subject] for subject, when in loads)
        case_trip = s.scalar(
            select(Trip.departed_at)
            .join(Event, Event.subject == f"batch:{D.CASE_BATCH}")
            .where(Event.kind == "departed", Trip.departed_at == Event.event_time)
        )
        assert case_trip is not None
        assert case_trip.astimezone(TZ).strftime("%H:%M") == "16:30"


def test_the_board_shows_no_material_expired_in_stock(client):
    page = client.get("/").text
    assert "已过期但仍有库存" not in page
    assert "2025-12-07" in page  # the board shows the demo's last day


def test_the_case_still_reads_24_delivered_18_sold_at_city_library(demo, client):
    stock = client.get(
        "/api/v1/pos/CITY-LIB/stock",
        headers={"Authorization": f"Bearer {demo['token']}"},
    ).json()
    row = next(r for r in stock if r["batch"] == D.CASE_BATCH)
    assert (row["delivered"], row["sold"], row["on_shelf"]) == (24, 18, 6)
    received = datetime.fromisoformat(row["received_at"]).astimezone(TZ)
    assert received.strftime("%Y-%m-%d %H:%M") == "2025-12-03 18:20"


def test_the_case_units_say_what_is_known(demo, client):
    h = {"Authorization": f"Bearer {demo['token']}", "Accept-Language": "en"}
    units = client.get(f"/api/v1/batches/{D.CASE_BATCH}/units", headers=h).json()
    assert "in_stock" not in {u["status"] for u in units}
    first, scanned = units[0], units[-1]
    assert (first["status"], first["scanned"]) == ("untracked", False)
    d = first["batch_distribution"]
    assert d["made"] == len(units) and d["sold"] >= 18
    assert first["note_en"].startswith(f"batch-level: of {d['made']} made, ")
    assert (scanned["status"], scanned["point_of_sale"]) == ("sold", "CITY-LIB")
    found = _cli(demo, "lookup", first["serial"])
    assert found["unit_status"] == "untracked"
    assert found["batch_distribution"]["loaded"] == d["loaded"]
    # the complained-of pack's page: its own way, to 城市书房, sold
    view = client.get(f"/u/{scanned['serial']}?format=json").json()
    assert view["sold_at"] == "城市书房"
    assert [s["step"] for s in view["timeline"]][-3:] == [
        "delivered",
        "shelved",
        "sold",
    ]
    # unit #1's page: the batch's first drop is not its own
    view = client.get(f"/u/{first['serial']}?format=json").json()
    assert "delivered" not in [s["step"] for s in view["timeline"]]


def test_the_complaints_causes_lead_with_the_halls_humidity(demo):
    causes = _cli(demo, "scope", "--causes-of", D.CASE_BATCH)
    top = causes[0]
    assert top["kind"] == "environment" and "湿度 75%，标准 ≤ 70%" in top["zh"]
    kinds = [c["kind"] for c in causes]
    sakura = next(i for i, c in enumerate(causes) if "樱花蜜饯" in c["zh"])
    plain_lots = [
        i for i, c in enumerate(causes) if c["kind"] == "lot" and not c["anomaly"]
    ]
    assert plain_lots and sakura < min(plain_lots)
    assert kinds.index("session") > sakura
