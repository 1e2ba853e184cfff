"""The FSMA-204-style sortable spreadsheet (issue 6 item 5): for a lot, a
product or a date range, one row per critical tracking event with its key
data elements, as CSV, XLSX and JSON — exactly the events the lot reaches."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select

from bakeprint.catalog.models import PointOfSale, Supplier
from bakeprint.interop import kde
from tests.trace.test_scope import chain  # noqa: F401


def _json(client, headers, **params):  # type: ignore[no-untyped-def]
    r = client.get("/api/v1/kde", params={**params, "format": "json"}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def test_a_suspect_lot_reaches_exactly_its_batches(client, bakery, chain):  # noqa: F811
    b = chain["b"]
    rows = _json(client, bakery.auth("auditor"), lot="SAK-1")
    made = {r["traceability_lot_code"] for r in rows if r["cte"] == "transformation"}
    # b7's use of SAK-1 was corrected to zero: not reached
    assert made == {x.code for x in (b[1], b[3], b[5], b[6], b[8])}
    # receiving (21 CFR 1.1345): the lot code the supplier assigned, and the
    # supplier as its source; our intake record as the reference document
    got = [r for r in rows if r["reference_document_number"] == "SAK-1"]
    assert len(got) == 1 and got[0]["cte"] == "receiving"
    assert got[0]["traceability_lot_code"] == "LOT25S-45"
    assert got[0]["tlc_source"] == got[0]["previous_source"] == "供应商B (B)"
    assert got[0]["reference_document_type"] == "intake"
    assert got[0]["location"].split(", ")[0] == bakery.tenant.name
    # the supplier's lot number finds the same
    assert _json(client, bakery.headers, lot="LOT25S-45") == rows
    # rows are in time order
    assert [r["date"] + r["time"] for r in rows] == sorted(
        r["date"] + r["time"] for r in rows
    )
    # times carry the bakery's UTC offset
    assert all(re.fullmatch(r"\d\d:\d\d \+08:00", r["time"]) for r in rows)


def test_a_transformation_has_one_row_per_input_lot(client, session, bakery, chain):  # noqa: F811
    b6 = chain["b"][6]  # made with SAK-1 (LOT25S-45) and FL-1 (LOT25A-19)
    rows = _json(client, bakery.headers, lot=b6.code)
    made = [r for r in rows if r["cte"] == "transformation"]
    assert [
        (r["input_traceability_lot_code"], r["input_product_description"]) for r in made
    ] == [("LOT25A-19", "低筋面粉"), ("LOT25S-45", "樱花蜜饯")]
    assert {r["traceability_lot_code"] for r in made} == {b6.code}
    assert all(r["input_quantity"] > 0 and r["input_unit"] == "kg" for r in made)
    assert all(r["reference_document_type"] == "batch" for r in made)
    assert all(r["tlc_source"] == made[0]["location"] for r in made)


def test_a_batch_with_its_shipments_and_receipts(client, session, bakery, chain):  # noqa: F811
    b3 = chain["b"][3]
    shop = session.scalar(
        select(PointOfSale).where(
            PointOfSale.tenant_id == bakery.tenant.id, PointOfSale.code == "CITY-LIB"
        )
    )
    shop.address = "上海市静安区南京西路 1 号"
    session.flush()
    rows = _json(client, bakery.headers, lot=b3.code)
    (made,) = [r for r in rows if r["cte"] == "transformation"]
    assert made["traceability_lot_code"] == b3.code
    assert made["input_traceability_lot_code"] == "LOT25S-45"
    assert made["input_quantity"] == 0.5 and made["input_unit"] == "kg"
    assert made["quantity"] == 40 and made["unit"] == "pcs"
    city = "城市书房 (CITY-LIB), 上海市静安区南京西路 1 号"
    shipped = {
        r["subsequent_recipient"]: r["quantity"] for r in rows if r["cte"] == "shipping"
    }
    assert shipped == {city: 24, "博物馆 (MUSEUM)": 10}
    received = {
        r["location"]: (r["quantity"], r["previous_source"])
        for r in rows
        if r["cte"] == "receiving" and r["traceability_lot_code"] == b3.code
    }
    assert received == {
        city: (24, made["location"]),
        "博物馆 (MUSEUM)": (10, made["location"]),
    }
    trips = [r for r in rows if r["reference_document_type"] == "trip"]
    assert len(trips) == 4
    assert all(r["reference_document_number"].startswith("T-") for r in trips)


def test_a_suppliers_address_and_phone_are_in_its_location_description(
    client,
    session,
    bakery,
    chain,  # noqa: F811
):  # type: ignore[no-untyped-def]
    sup = session.scalar(
        select(Supplier).where(
            Supplier.tenant_id == bakery.tenant.id, Supplier.code == "B"
        )
    )
    sup.region = "浙江省杭州市"
    sup.contact = "李经理 0571-8888 6666"
    session.flush()
    (got,) = [
        r
        for r in _json(client, bakery.headers, lot="SAK-1")
        if r["reference_document_number"] == "SAK-1"
    ]
    assert got["tlc_source"] == "供应商B (B), 浙江省杭州市, 李经理 0571-8888 6666"


ENGLISH_HEADER = [
    "Critical tracking event (CTE)",
    "Traceability lot code (TLC)",
    "Product description",
    "Quantity",
    "Unit of measure",
    "Location description",
    "Date",
    "Time (with UTC offset)",
    "Immediate previous source location",
    "Immediate subsequent recipient location",
    "Traceability lot code source location",
    "Reference document type",
    "Reference document number",
    "Input traceability lot code",
    "Input product description",
    "Input quantity",
    "Input unit of measure",
    "Product identifier (GTIN)",
]


def test_files_are_sortable_and_open_in_excel(client, bakery, chain):  # noqa: F811
    b3 = chain["b"][3]
    rows = _json(client, bakery.headers, lot=b3.code)
    x = client.get("/api/v1/kde", params={"lot": b3.code}, headers=bakery.headers)
    assert x.status_code == 200
    assert x.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert f"kde-{b3.code}.xlsx" in x.headers["content-disposition"]
    ws = load_workbook(io.BytesIO(x.content)).active
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    values = list(ws.iter_rows(values_only=True))
    assert len(values) == len(rows) + 1
    assert (
        "追溯批号" in values[0][1] and values[1][1] == rows[0]["traceability_lot_code"]
    )
    c = client.get(
        "/api/v1/kde", params={"lot": b3.code, "format": "csv"}, headers=bakery.headers
    )
    assert c.content.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(c.content.decode("utf-8-sig"))))
    assert (
        len(table) == len(rows) + 1 and table[1][1] == rows[0]["traceability_lot_code"]
    )
    assert {t[11] for t in table[1:] if t[0] == "发货"} == {"配送单"}


def test_the_english_export_uses_english_names_and_words(client, bakery, chain):  # noqa: F811
    b6 = chain["b"][6]
    en = client.get(
        "/api/v1/kde",
        params={"lot": b6.code, "format": "csv"},
        headers={**bakery.headers, "Accept-Language": "en"},
    )
    table = list(csv.reader(io.StringIO(en.content.decode("utf-8-sig"))))
    assert table[0] == ENGLISH_HEADER
    made = [t for t in table[1:] if t[0] == "Transformation"]
    assert [t[14] for t in made] == ["Cake flour", "Candied sakura"]
    assert all(t[11] == "Batch production record" for t in made)
    assert {t[0] for t in table[1:]} <= {"Receiving", "Transformation", "Shipping"}
    # no Chinese where an English name exists (places have one name only)
    assert not any("樱花" in t[2] + t[14] or "面粉" in t[2] + t[14] for t in table)
    zh = client.get(
        "/api/v1/kde", params={"lot": b6.code, "format": "csv"}, headers=bakery.headers
    )
    assert "樱花蜜饯" in zh.content.decode("utf-8-sig")


def test_dates_and_products_narrow_it(client, bakery, chain):  # noqa: F811
    b = chain["b"]
    day1 = b[1].production_date.isoformat()
    rows = _json(client, bakery.headers, **{"from": day1, "to": day1})
    assert rows and all(r["date"] == day1 for r in rows)
    assert {
        r["traceability_lot_code"] for r in rows if r["cte"] == "transformation"
    } == {x.code for x in b[1:5]}
    gtin = rows[0]["product_id"] if rows[0]["cte"] != "receiving" else None
    product_rows = _json(client, bakery.headers, product="FLOUR")
    assert product_rows and all(r["cte"] == "receiving" for r in product_rows)
    assert gtin is None or _json(client, bakery.headers, product=gtin)


def test_bad_requests_say_what_to_fix(client, bakery, chain):  # noqa: F811
    h = bakery.headers
    assert client.get("/api/v1/kde", headers=h).status_code == 422
    nope = client.get("/api/v1/kde", params={"lot": "NOPE"}, headers=h)
    assert nope.status_code == 404 and "NOPE" in nope.text
    back = client.get(
        "/api/v1/kde", params={"from": "2025-12-05", "to": "2025-12-01"}, headers=h
    )
    assert back.status_code == 422
    pdf = client.get("/api/v1/kde", params={"lot": "SAK-1", "format": "pdf"}, headers=h)
    assert pdf.status_code == 422 and "csv" in pdf.text
    assert (
        client.get(
            "/api/v1/kde", params={"lot": "SAK-1"}, headers=bakery.auth("store")
        ).status_code
        == 403
    )


def test_the_command_line_writes_csv_and_xlsx(tmp_path: Path, monkeypatch):  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from bakeprint.cli import app
    from bakeprint.db import get_database, session_scope
    from tests.factories import cli_database, make_bakery, make_catalog
    from tests.packaging.conftest import pack_a_batch

    url = cli_database(tmp_path, monkeypatch, "x.db")
    with session_scope() as s:
        bakery = make_bakery(s, slug="cli-kde")
        code = pack_a_batch(s, bakery.actor, make_catalog(s, bakery.tenant.id)).code
    run = CliRunner().invoke
    for name in ("k.csv", "k.xlsx"):
        r = run(
            app,
            ["export", "kde", "--lot", code, "--out", str(tmp_path / name), "--json"],
        )
        assert r.exit_code == 0, r.output
        assert (
            json.loads(r.stdout)["rows"] >= 1 and (tmp_path / name).stat().st_size > 100
        )
    bad = run(app, ["export", "kde", "--lot", code, "--out", str(tmp_path / "k.txt")])
    assert bad.exit_code != 0 and ".xlsx" in bad.output
    bad = run(
        app, ["export", "kde", "--from", "soon", "--out", str(tmp_path / "k.csv")]
    )
    assert bad.exit_code != 0 and "--from" in bad.output
    get_database(url).dispose()
    assert kde.COLUMNS["traceability_lot_code"][1] == "Traceability lot code (TLC)"
