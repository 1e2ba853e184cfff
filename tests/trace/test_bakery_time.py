"""Every time a person or a client reads is on the bakery's clock, with its
offset, in one ISO 8601 form: the van that left at 08:30 UTC left at
16:30 +08:00 in the API, the CLI, the PDF and the exports; a lot received at
17:00 UTC on 2 December was received on 3 December in Shanghai."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from pypdf import PdfReader
from typer.testing import CliRunner

from bakeprint.cli import app as cli
from bakeprint.db import get_database, session_scope
from bakeprint.logistics import service as logistics
from bakeprint.logistics.schemas import LoadCreate, TripCreate
from bakeprint.materials import service as materials
from bakeprint.materials.schemas import LotCreate
from bakeprint.production import consumption
from bakeprint.production import service as production
from bakeprint.production.schemas import (
    BatchComplete,
    BatchCreate,
    ConsumptionCreate,
    PackCreate,
)
from bakeprint.quality import service as quality
from bakeprint.quality.schemas import CheckpointCreate
from tests.factories import cli_database, make_bakery, make_catalog
from tests.packaging.conftest import cat  # noqa: F401
from tests.production.conftest import T0
from tests.sensors.conftest import hall  # noqa: F401
from tests.trace.test_report import _delivered, _made

# the API's one form: seconds, a fraction only when stored, the offset as ±HH:MM
ISO = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{6})?"
LOOKS_LIKE_A_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
DEPARTED_UTC = T0 + timedelta(hours=2, minutes=30)  # 2025-12-03 08:30 UTC


def _times(answer: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string in an answer that holds a time, with where it is. An
    event's ``body`` is its EPCIS 2.0 form (eventTime + eventTimeZoneOffset),
    a standard of its own."""
    if isinstance(answer, dict):
        for k, v in answer.items():
            if k != "body":
                yield from _times(v, f"{path}.{k}")
    elif isinstance(answer, list):
        for i, v in enumerate(answer):
            yield from _times(v, f"{path}[{i}]")
    elif isinstance(answer, str) and LOOKS_LIKE_A_TIME.match(answer):
        yield path, answer


def _assert_all_local(answers: dict[str, Any], offset: str) -> int:
    form = re.compile(ISO + re.escape(offset))
    found = [(url + p, v) for url, a in answers.items() for p, v in _times(a)]
    wrong = [(p, v) for p, v in found if not form.fullmatch(v)]
    assert not wrong, wrong
    return len(found)


def _get(client, url, headers, **params):  # type: ignore[no-untyped-def]
    r = client.get(url, params=params, headers=headers)
    assert r.status_code == 200, (url, r.text)
    return r.json()


def test_every_time_in_the_api_answers_is_the_bakerys_with_its_offset(
    client,
    session,
    bakery,
    hall,  # noqa: F811
):
    batch = _made(session, bakery, hall)
    trip = _delivered(client, bakery, session, batch)
    h = bakery.headers
    recall = client.post(
        "/api/v1/recalls", json={"reason": "测试", "lot": "RM-SAKURA"}, headers=h
    )
    assert recall.status_code == 201, recall.text
    window = {"at_from": "2025-12-03T05:00:00Z", "at_to": "2025-12-03T09:00:00Z"}
    answers = {
        url: _get(client, url, h, **params)
        for url, params in [
            ("/api/v1/trace", {"code": batch.code}),
            ("/api/v1/lots/RM-SAKURA", {}),
            ("/api/v1/lots", {}),
            (f"/api/v1/trips/{trip}", {}),
            ("/api/v1/trips", {}),
            (f"/api/v1/batches/{batch.code}", {}),
            ("/api/v1/batches", {}),
            (f"/api/v1/batches/{batch.code}/environment", {"points": "true"}),
            ("/api/v1/pos/CITY-LIB/stock", {}),
            ("/api/v1/events", {"subject": f"batch:{batch.code}"}),
            ("/api/v1/alerts", {}),
            (
                "/api/v1/sensors/HALL-1-RH/readings",
                {"from": T0.isoformat(), "to": DEPARTED_UTC.isoformat()},
            ),
            ("/api/v1/scope", {"location": "HALL-1", **window}),
            ("/api/v1/recalls", {}),
            (f"/api/v1/recalls/{recall.json()['code']}", {}),
        ]
    }
    assert _assert_all_local(answers, "+08:00") > 100
    rep = answers["/api/v1/trace"]
    assert rep["distribution"][0]["departed_at"] == "2025-12-03T16:30:00+08:00"
    assert rep["points_of_sale"][0]["received_at"] == "2025-12-03T18:20:00+08:00"
    assert rep["materials"][0]["received_at"] == "2025-12-02T10:00:00+08:00"
    assert answers[f"/api/v1/trips/{trip}"]["departed_at"] == (
        "2025-12-03T16:30:00+08:00"
    )
    criteria = answers["/api/v1/scope"]["criteria"]
    assert criteria["at_from"] == "2025-12-03T13:00:00+08:00"


def test_the_offset_is_the_bakerys_own_setting_and_utc_is_never_z(
    client,
    session,
    bakery,
    hall,  # noqa: F811
):
    batch = _made(session, bakery, hall)
    trip = _delivered(client, bakery, session, batch)
    for zone, offset, departed in (
        ("America/New_York", "-05:00", "2025-12-03T03:30:00-05:00"),
        ("UTC", "+00:00", "2025-12-03T08:30:00+00:00"),
    ):
        bakery.tenant.timezone = zone
        session.commit()
        answers = {
            url: _get(client, url, bakery.headers, **params)
            for url, params in [
                ("/api/v1/trace", {"code": batch.code}),
                (f"/api/v1/trips/{trip}", {}),
                ("/api/v1/lots/RM-SAKURA", {}),
            ]
        }
        assert _assert_all_local(answers, offset) > 10
        assert answers[f"/api/v1/trips/{trip}"]["departed_at"] == departed


def test_the_pdf_and_the_spreadsheet_tell_the_bakerys_time(
    client,
    session,
    bakery,
    hall,  # noqa: F811
):
    batch = _made(session, bakery, hall)
    _delivered(client, bakery, session, batch)
    r = client.get(
        "/api/v1/trace.pdf", params={"code": batch.code}, headers=bakery.headers
    )
    assert r.status_code == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    text = " ".join(text.split())  # table cells wrap
    assert "2025-12-03 16:30 +08:00" in text  # the van left
    assert "08:30" not in text
    rows = _get(client, "/api/v1/kde", bakery.headers, lot=batch.code, format="json")
    shipped = next(x for x in rows if x["cte"] == "shipping")
    assert (shipped["date"], shipped["time"]) == ("2025-12-03", "16:30 +08:00")


def test_the_cli_prints_the_bakerys_time_and_day(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    url = cli_database(tmp_path, monkeypatch)
    monkeypatch.setenv("COLUMNS", "200")  # whole rows: no cell wraps a time
    with session_scope() as s:
        bakery = make_bakery(s, slug="shanghai-time")
        a = bakery.actor
        cat_ = make_catalog(s, bakery.tenant.id)
        lot = materials.receive(
            s,
            LotCreate(
                material="SAKURA",
                supplier="B",
                supplier_lot="LOT25S-45",
                # 01:00 on 3 December in Shanghai
                received_at=datetime(2025, 12, 2, 17, 0, tzinfo=UTC),
                quantity=5,
                unit="kg",
                expires_on=datetime(2025, 12, 20).date(),
                qc_result="pass",
                quality_score=96,
            ),
            actor=a,
        )
        started = production.start_batch(
            s,
            BatchCreate(
                product_gtin=cat_["product"].gtin,
                planned_quantity=24,
                operators=["WANG-03"],
                started_at=T0,
            ),
            actor=a,
        )
        consumption.consume(
            s,
            started.code,
            ConsumptionCreate(lot=lot.code, quantity=1.2, recorded_at=T0),
            actor=a,
        )
        done = T0 + timedelta(hours=1)
        production.complete_batch(
            s, started.code, BatchComplete(produced_quantity=24, ended_at=done), actor=a
        )
        quality.record(
            s,
            started.code,
            CheckpointCreate(stage="post_cooling", passed=True, checked_at=done),
            actor=a,
        )
        batch = production.pack_batch(
            s, started.code, PackCreate(quantity=24, packed_at=done), actor=a
        )
        trip = logistics.create_trip(s, TripCreate(vehicle="VAN-2"), actor=a)
        logistics.load(
            s, trip.code, LoadCreate(batch=batch.code, quantity=24, at=done), actor=a
        )
        logistics.depart(s, trip.code, at=DEPARTED_UTC, actor=a)
        code, lot_code = batch.code, lot.code
    try:
        human = CliRunner().invoke(cli, ["trace", code])
        assert human.exit_code == 0, human.output
        out = human.output
        assert "2025-12-03 16:30 +08:00" in out  # the van, as the page says
        assert "08:30" not in out
        (lot_row,) = [line for line in out.splitlines() if lot_code in line]
        assert "2025-12-03" in lot_row and "2025-12-02" not in lot_row
        as_json = CliRunner().invoke(cli, ["trace", code, "--json"])
        assert as_json.exit_code == 0, as_json.output
        rep = json.loads(as_json.output)
        assert rep["distribution"][0]["departed_at"] == "2025-12-03T16:30:00+08:00"
        assert rep["materials"][0]["received_at"] == "2025-12-03T01:00:00+08:00"
        shown = CliRunner().invoke(cli, ["lot", "show", lot_code])
        assert shown.exit_code == 0, shown.output
        assert "2025-12-03 01:00 +08:00" in shown.output
    finally:
        get_database(url).dispose()
