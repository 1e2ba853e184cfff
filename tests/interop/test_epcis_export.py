"""EPCIS 2.0 export (issue 6 item 1): a batch's history and the REST binding's
GET /events, validated against the official EPCIS 2.0 JSON schema; query
parameters filter, pages follow the Link header without loss or repeat."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import func, select

from bakeprint.catalog.models import Product
from bakeprint.events.models import Event
from bakeprint.interop import epcis, ids
from bakeprint.packaging import service as packaging
from tests.epcis_schema import assert_valid_document
from tests.trace.test_scope import chain  # noqa: F401


def _all_pages(client, url, headers):  # type: ignore[no-untyped-def]
    seen, pages = [], 0
    while url:
        r = client.get(url, headers=headers)
        assert r.status_code == 200, r.text
        doc = r.json()
        assert_valid_document(doc)
        seen += doc["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        link = r.headers.get("link")
        url = link[1 : link.index(">")] if link else None
        pages += 1
    return seen, pages


def test_a_batch_exports_as_one_valid_epcis_document(client, session, bakery, chain):  # noqa: F811
    b3 = chain["b"][3]
    r = client.get(f"/api/v1/epcis/batches/{b3.code}", headers=bakery.auth("auditor"))
    assert r.status_code == 200, r.text
    assert b3.code in r.headers["content-disposition"]
    doc = r.json()
    assert_valid_document(doc)
    assert doc["type"] == "EPCISDocument" and doc["schemaVersion"] == "2.0"
    events = doc["epcisBody"]["eventList"]
    assert len({e["eventID"] for e in events}) == len(events)
    assert all(e["recordTime"].endswith("Z") for e in events)
    # its lot's intake is there, and the transformation names lot and batch
    product = session.get(Product, (bakery.tenant.id, b3.product_id))
    batch_class = ids.batch_class(product.gtin, b3.code)
    # one transformation (one transformationID): inputs as used, then output
    made = [e for e in events if e["type"] == "TransformationEvent"]
    assert len({e["transformationID"] for e in made}) == 1
    outputs = [q["epcClass"] for e in made for q in e.get("outputQuantityList", [])]
    assert outputs == [batch_class]
    inputs = {q["epcClass"] for e in made for q in e.get("inputQuantityList", [])}
    assert any("SAK-1" in c for c in inputs)
    assert any(
        e.get("ilmd", {}).get("cbvmda:bestBeforeDate") == b3.best_before.isoformat()
        for e in made
    )
    steps = {e.get("bizStep") for e in events}
    assert {"receiving", "commissioning", "departing", "retail_selling"} <= steps
    # nothing of the neighbours: b4 was made the same afternoon from SAK-2
    assert not any(chain["b"][4].code in json.dumps(e) for e in events)
    assert (
        client.get("/api/v1/epcis/batches/NOPE", headers=bakery.headers).status_code
        == 404
    )
    assert (
        client.get(
            f"/api/v1/epcis/batches/{b3.code}", headers=bakery.auth("store")
        ).status_code
        == 403
    )


def test_events_query_filters_and_pages(client, session, bakery, chain):  # noqa: F811
    h = bakery.headers
    total = session.scalar(
        select(func.count())
        .select_from(Event)
        .where(Event.tenant_id == bakery.tenant.id)
    )
    seen, pages = _all_pages(client, "/api/v1/epcis/events?perPage=7", h)
    assert len(seen) == total and pages == -(-total // 7)
    assert len({e["eventID"] for e in seen}) == total  # no repeat, no loss

    obj, _ = _all_pages(client, "/api/v1/epcis/events?eventType=TransformationEvent", h)
    assert obj and all(e["type"] == "TransformationEvent" for e in obj)
    steps, _ = _all_pages(
        client, "/api/v1/epcis/events?EQ_bizStep=departing|arriving&perPage=4", h
    )
    assert {e["bizStep"] for e in steps} == {"departing", "arriving"}
    full_uri, _ = _all_pages(
        client,
        "/api/v1/epcis/events?EQ_bizStep=https://ref.gs1.org/cbv/BizStep-departing",
        h,
    )
    assert len(full_uri) == len([e for e in steps if e["bizStep"] == "departing"])

    times = sorted(e["eventTime"] for e in seen)
    cut = times[len(times) // 2]
    before, _ = _all_pages(client, "/api/v1/epcis/events", h)  # the same again: stable
    assert [e["eventID"] for e in before] == [e["eventID"] for e in seen]
    from urllib.parse import quote

    early, _ = _all_pages(client, f"/api/v1/epcis/events?LT_eventTime={quote(cut)}", h)
    late, _ = _all_pages(client, f"/api/v1/epcis/events?GE_eventTime={quote(cut)}", h)
    assert len(early) + len(late) == total and early and late

    # a unit's EPC: the events that name it; the batch's class: its events
    b3 = chain["b"][3]
    unit = packaging.units_of(session, b3)[0]
    product = session.get(Product, (bakery.tenant.id, b3.product_id))
    uri = ids.unit_uri(product.gtin, b3.code, unit.serial)
    named, _ = _all_pages(
        client, f"/api/v1/epcis/events?MATCH_epc={quote(uri, safe='')}", h
    )
    assert named and all(uri in e["epcList"] for e in named)
    cls = ids.batch_class(product.gtin, b3.code)
    of_class, _ = _all_pages(
        client, f"/api/v1/epcis/events?MATCH_epcClass={quote(cls, safe='')}", h
    )
    assert of_class and all(cls in json.dumps(e) for e in of_class)


@pytest.mark.parametrize(
    "query, field",
    [
        ("eventType=SensorEvent", "eventType"),
        ("GE_eventTime=yesterday", "GE_eventTime"),
        ("GE_eventTime=2025-12-03T00:00:00", "GE_eventTime"),
        ("nextPageToken=bm9wZQ", "nextPageToken"),
        (
            "GE_eventTime=2025-12-04T00:00:00Z&LT_eventTime=2025-12-03T00:00:00Z",
            "GE_eventTime",
        ),
        ("perPage=0", "perPage"),
    ],
)
def test_bad_queries_say_which_parameter(client, bakery, query, field):  # type: ignore[no-untyped-def]
    r = client.get(f"/api/v1/epcis/events?{query}", headers=bakery.headers)
    assert r.status_code == 422
    assert field in r.text


def test_page_tokens_round_trip():
    assert epcis.untoken(epcis.token(12345)) == 12345


def test_the_command_line_writes_a_valid_file(tmp_path: Path, monkeypatch):  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from bakeprint.cli import app
    from bakeprint.db import get_database, session_scope
    from tests.factories import cli_database, make_bakery, make_catalog
    from tests.packaging.conftest import pack_a_batch

    url = cli_database(tmp_path, monkeypatch, "x.db")
    with session_scope() as s:
        bakery = make_bakery(s, slug="cli-epcis")
        code = pack_a_batch(s, bakery.actor, make_catalog(s, bakery.tenant.id)).code
    out = tmp_path / "b.jsonld"
    r = CliRunner().invoke(
        app, ["export", "epcis", "--batch", code, "--out", str(out), "--json"]
    )
    assert r.exit_code == 0, r.output
    doc = json.loads(out.read_text("utf-8"))
    assert_valid_document(doc)
    assert json.loads(r.stdout)["events"] == len(doc["epcisBody"]["eventList"]) > 0
    none = tmp_path / "none.jsonld"
    r = CliRunner().invoke(
        app,
        [
            "export",
            "epcis",
            "--from",
            "2001-01-01",
            "--to",
            "2001-01-02",
            "--out",
            str(none),
        ],
    )
    assert (
        r.exit_code == 0
        and json.loads(none.read_text())["epcisBody"]["eventList"] == []
    )
    bad = CliRunner().invoke(
        app, ["export", "epcis", "--from", "soon", "--out", str(none)]
    )
    assert bad.exit_code != 0 and "--from" in bad.output
    get_database(url).dispose()
    assert parse_qs(urlparse("http://x/?a=1").query) == {"a": ["1"]}
