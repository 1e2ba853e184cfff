"""The trace report reproduces the brief's §3.1 from the records: materials with
supplier and intake, production with operator and oven, the humidity excursion
against the standard at the top, van #2 at 16:30 with a normal cabin, 城市书房
at 18:20 with 24 delivered and 18 sold — from the unit's QR link, its serial
or the batch code, for this bakery only."""

from __future__ import annotations

import json
from datetime import timedelta

from typer.testing import CliRunner

from bakeprint import migrate
from bakeprint.cli import app as cli
from bakeprint.db import get_database, session_scope
from bakeprint.events import service as events
from bakeprint.packaging import service as packaging
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
from bakeprint.sensors import service as sensors
from tests.factories import make_bakery, make_catalog
from tests.logistics.test_chain import ARRIVE, _trip
from tests.packaging.conftest import cat, pack_a_batch  # noqa: F401
from tests.production.conftest import T0, make_lot
from tests.sensors.conftest import hall, series  # noqa: F401
from tests.sensors.test_environment import HUMIDITY


def _made(session, bakery, hall):  # type: ignore[no-untyped-def]  # noqa: F811
    a = bakery.actor
    make_lot(session, hall, code="RM-SAKURA")
    batch = production.start_batch(
        session,
        BatchCreate(
            product_gtin=hall["product"].gtin,
            planned_quantity=30,
            operators=["WANG-03"],
            equipment=["OVEN-3"],
            location="HALL-1",
            started_at=T0,
        ),
        actor=a,
    )
    consumption.consume(
        session,
        batch.code,
        ConsumptionCreate(lot="RM-SAKURA", quantity=1.2, recorded_at=T0),
        actor=a,
    )
    production.complete_batch(
        session,
        batch.code,
        BatchComplete(produced_quantity=30, ended_at=T0 + timedelta(hours=1)),
        actor=a,
    )
    quality.record(
        session,
        batch.code,
        CheckpointCreate(
            stage="post_cooling",
            passed=True,
            notes="内部备注：色泽正常",
            inspector="WANG-03",
            checked_at=T0 + timedelta(hours=1, minutes=30),
        ),
        actor=a,
    )
    batch = production.pack_batch(
        session,
        batch.code,
        PackCreate(quantity=30, packed_at=T0 + timedelta(hours=2)),
        actor=a,
    )
    sensors.ingest(
        session, bakery.tenant.id, series("HALL-1-RH", T0, HUMIDITY), source="test"
    )
    session.commit()
    return batch


def _delivered(client, bakery, session, batch):  # type: ignore[no-untyped-def]
    """VAN-2 leaves 16:30 with 24, drops them at 城市书房 18:20; 18 are sold."""
    code = _trip(client, bakery, batch)
    h = bakery.auth("logistics")
    d = client.post(
        f"/api/v1/trips/{code}/deliveries",
        json={
            "point_of_sale": "CITY-LIB",
            "batch": batch.code,
            "quantity": 24,
            "at": ARRIVE,
        },
        headers=h,
    )
    assert d.status_code == 201, d.text
    shop = bakery.auth("store")
    r = client.post(
        "/api/v1/pos/CITY-LIB/receipts",
        json={
            "delivery_id": d.json()["id"],
            "quantity": 24,
            "receiver": "店员",
            "at": ARRIVE,
        },
        headers=shop,
    )
    assert r.status_code == 201, r.text
    r = client.post(
        "/api/v1/pos/CITY-LIB/sales",
        json={
            "batch": batch.code,
            "quantity": 18,
            "at": (T0 + timedelta(hours=5)).isoformat(),
        },
        headers=shop,
    )
    assert r.status_code == 201, r.text
    return code


def test_the_report_from_a_unit_qr_holds_every_fact_of_the_brief(
    client,
    session,
    bakery,
    hall,  # noqa: F811
):
    batch = _made(session, bakery, hall)
    trip = _delivered(client, bakery, session, batch)
    unit = packaging.units_of(session, batch)[3]
    uri = packaging.unit_link(hall["product"], batch, unit).uri()
    r = client.get("/api/v1/trace", params={"code": uri}, headers=bakery.headers)
    assert r.status_code == 200, r.text
    rep = r.json()
    assert (rep["batch"], rep["unit"]) == (batch.code, unit.serial)
    top = rep["anomalies"][0]
    assert top["section"] == "environment" and top["level"] == 1
    assert "湿度 75%，标准 ≤ 70%" in top["zh"]
    (m,) = rep["materials"]
    assert (m["lot"], m["supplier_lot"], m["qc_result"]) == (
        "RM-SAKURA",
        "LOT25S-45",
        "pass",
    )
    assert m["received_at"].startswith("2025-12-02")
    p = rep["production"]
    assert [o["code"] for o in p["operators"]] == ["WANG-03"]
    assert [e["code"] for e in p["equipment"]] == ["OVEN-3"]
    assert p["location"] == "HALL-1"
    assert [c["stage"] for c in rep["qc"]] == ["post_cooling"]
    (d,) = rep["distribution"]
    assert (d["trip"], d["vehicle"], d["loaded"]) == (trip, "VAN-2", 24)
    assert d["departed_at"] == "2025-12-03T16:30:00+08:00"  # 08:30 UTC
    assert [(x["point_of_sale"], x["quantity"]) for x in d["drops"]] == [
        ("CITY-LIB", 24)
    ]
    (shop,) = rep["points_of_sale"]
    assert (
        shop["point_of_sale"],
        shop["delivered"],
        shop["sold"],
        shop["on_shelf"],
    ) == ("CITY-LIB", 24, 18, 6)
    assert shop["received_at"] == "2025-12-03T18:20:00+08:00"
    assert rep["counts"]["sold"] == 18
    # what the shop and kitchen pages show for the batch, word for word
    from bakeprint.logistics import service as logistics
    from bakeprint.retail import service as retail

    rows = retail.stock_rows(session, bakery.tenant.id, batch=batch)
    assert rep["points_of_sale"] == [x.model_dump(mode="json") for x in rows]
    assert rep["kitchen_stock"] == logistics.kitchen_stock(session, batch) == 6
    head = events.head(session, bakery.tenant.id)
    assert head is not None
    assert rep["log"]["head_seq"] == head.last_seq
    assert rep["log"]["head_hash"] == head.last_hash
    assert rep["generated_by"] == "owner"
    # the same report from the serial typed in, and from the batch code
    for code in (unit.serial, batch.code):
        again = client.get(
            "/api/v1/trace", params={"code": code}, headers=bakery.headers
        ).json()
        assert again["batch"] == batch.code
        assert again["anomalies"] == rep["anomalies"]


def test_a_normal_batch_has_no_anomalies_and_a_late_reading_shows_at_once(
    client,
    session,
    bakery,
    hall,  # noqa: F811
):
    batch = _made(session, bakery, hall)
    # a spike arriving late, during the trip (cabin 0–8 °C): 11.5 °C
    depart = T0 + timedelta(hours=2, minutes=30)
    _delivered(client, bakery, session, batch)
    sensors.ingest(
        session,
        bakery.tenant.id,
        series("VAN-2-T", depart, [5.0, 5.5, 11.5, 11.0, 5.0], step_s=300),
        source="gateway",
    )
    session.commit()
    rep = client.get(
        "/api/v1/trace", params={"code": batch.code}, headers=bakery.headers
    ).json()
    sections = [(a["section"], a["level"]) for a in rep["anomalies"]]
    assert ("distribution", 2) in sections  # 11.5 is 44 % beyond 8 °C
    cabin = rep["distribution"][0]["cabin"][0]
    assert cabin["max"] == 11.5 and cabin["excursions"]


def test_another_bakery_and_bad_codes_get_nothing(client, session, bakery, hall):  # noqa: F811
    batch = _made(session, bakery, hall)
    other = make_bakery(session)
    session.commit()
    r = client.get("/api/v1/trace", params={"code": batch.code}, headers=other.headers)
    assert r.status_code == 404  # echoes what was typed, tells nothing more
    assert "WANG-03" not in r.text and "RM-SAKURA" not in r.text
    unit = packaging.units_of(session, batch)[0]
    r = client.get("/api/v1/trace", params={"code": unit.serial}, headers=other.headers)
    assert r.status_code == 404
    r = client.get("/api/v1/trace", params={"code": "  "}, headers=bakery.headers)
    assert r.status_code == 422
    r = client.get(
        "/api/v1/trace",
        params={"code": "https://x.example/01/12345678901234/21/A"},
        headers=bakery.headers,
    )
    assert r.status_code in (404, 422) and "error" in r.json()
    assert client.get("/api/v1/trace", params={"code": batch.code}).status_code == 401
    r = client.get(
        "/api/v1/trace", params={"code": batch.code}, headers=bakery.auth("store")
    )
    assert r.status_code == 403


def test_the_cli_prints_the_report_as_json(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("BAKEPRINT_DATABASE_URL", url)
    monkeypatch.setattr("bakeprint.config.settings.database_url", url)
    monkeypatch.delenv("BAKEPRINT_TENANT", raising=False)
    migrate.upgrade(get_database(url).engine)
    with session_scope() as s:
        bakery = make_bakery(s, slug="cli-trace")
        batch = pack_a_batch(s, bakery.actor, make_catalog(s, bakery.tenant.id))
        code = batch.code
    try:
        result = CliRunner().invoke(cli, ["trace", code, "--json"])
        assert result.exit_code == 0, result.output
        rep = json.loads(result.output)
        assert rep["batch"] == code and rep["production"]["operators"][0]["code"] == (
            "WANG-03"
        )
        human = CliRunner().invoke(cli, ["trace", code])
        assert human.exit_code == 0 and code in human.output
        bad = CliRunner().invoke(cli, ["trace", "NO-SUCH-BATCH"])
        assert bad.exit_code != 0 and len(bad.output.strip().splitlines()) == 1
    finally:
        get_database(url).dispose()


def test_the_trace_page_puts_anomalies_first_and_finds_any_code(
    client,
    session,
    bakery,
    hall,  # noqa: F811
):
    from tests.web.test_distribution_pages import login_as

    batch = _made(session, bakery, hall)
    _delivered(client, bakery, session, batch)
    unit = packaging.units_of(session, batch)[0]
    login_as(client, bakery)
    r = client.get("/lookup", params={"q": unit.serial}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/trace?code=")
    page = client.get(r.headers["location"]).text
    assert page.index('id="anomalies"') < page.index('class="list materials"')
    assert "湿度 75%，标准 ≤ 70%" in page and "<svg" in page
    assert (
        "RM-SAKURA" in page and "LOT25S-45" in page and "王某" in page
    )  # the operator, by name
    assert "内部备注" not in page  # QC notes stay on the batch page
    miss = client.get("/trace", params={"code": "XXXXXXXXXX"})
    assert miss.status_code in (404, 422) and 'role="alert"' in miss.text


def test_the_pdf_report_states_the_facts_who_when_and_the_log_head(
    client,
    session,
    bakery,
    hall,  # noqa: F811
):
    import io

    from pypdf import PdfReader

    batch = _made(session, bakery, hall)
    _delivered(client, bakery, session, batch)
    r = client.get(
        "/api/v1/trace.pdf", params={"code": batch.code}, headers=bakery.auth("auditor")
    )
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    head = events.head(session, bakery.tenant.id)
    assert head is not None
    for fact in (
        batch.code,
        "湿度 75%，标准 ≤ 70%",
        "RM-SAKURA",
        "LOT25S-45",
        "王某",
        "3号烤箱",
        "城市书房",
        "auditor-user",
        head.last_hash,
        f"#{head.last_seq}",
    ):
        assert fact in text.replace("\n", " "), fact
    assert (
        client.get(
            "/api/v1/trace.pdf",
            params={"code": batch.code},
            headers=bakery.auth("store"),
        ).status_code
        == 403
    )


def test_a_sold_out_shop_is_watched_until_its_last_unit_left(
    client,
    session,
    bakery,
    hall,  # noqa: F811
):
    from bakeprint.sensors import segments

    batch = _made(session, bakery, hall)
    _delivered(client, bakery, session, batch)  # 24 delivered, 18 sold at T0+5h
    last = T0 + timedelta(hours=7)
    r = client.post(
        "/api/v1/pos/CITY-LIB/sales",
        json={"batch": batch.code, "quantity": 6, "at": last.isoformat()},
        headers=bakery.auth("store"),
    )
    assert r.status_code == 201, r.text
    session.expire_all()
    (shop,) = [s for s in segments.of_batch(session, batch) if s.stage == "shop"]
    assert (shop.start, shop.end) == (
        T0 + timedelta(hours=4, minutes=20),
        last,
    )
