"""EPCIS 2.0 capture (issue 6 item 2): every official example document is
accepted and stored as it came — exported again with the same identifiers,
times, quantities, steps and sensor reports, valid against the official
schema; capture is idempotent; a bad document is refused whole, naming the
path of each problem."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from bakeprint.cli import app as cli_app
from bakeprint.db import get_database, session_scope
from bakeprint.events.models import Event
from tests.epcis_schema import GS1_EPCIS, assert_valid_document, errors
from tests.factories import cli_database, make_bakery

EXAMPLES = sorted((GS1_EPCIS / "JSON").rglob("*.jsonld"))
KEPT = (
    "type",
    "eventTime",
    "eventTimeZoneOffset",
    "action",
    "bizStep",
    "disposition",
    "epcList",
    "quantityList",
    "inputQuantityList",
    "outputQuantityList",
    "childEPCs",
    "parentID",
    "readPoint",
    "bizLocation",
    "sourceList",
    "destinationList",
    "sensorElementList",
    "ilmd",
    "errorDeclaration",
)


def _events(doc):  # type: ignore[no-untyped-def]
    body = doc["epcisBody"]
    if doc["type"] == "EPCISQueryDocument":
        return body["queryResults"]["resultsBody"]["eventList"]
    return body["eventList"]


def _count(session) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(select(func.count()).select_from(Event))


def test_there_are_47_official_examples():
    assert len(EXAMPLES) == 47


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_official_example_is_captured_and_exported_unchanged(
    client, session, bakery, path: Path
):  # type: ignore[no-untyped-def]
    doc = json.loads(path.read_text("utf-8"))
    assert not errors(doc)  # the official schema accepts it: so must we
    h = bakery.auth("supplier")
    r = client.post("/api/v1/epcis/capture", content=path.read_bytes(), headers=h)
    assert r.status_code == 202, r.text
    got = r.json()
    assert got["success"] is True and got["running"] is False
    sent = _events(doc)
    assert got["received"] == len(sent) and got["stored"] >= 1
    assert got["stored"] + got["duplicates"] == len(sent)
    again = client.post("/api/v1/epcis/capture", json=doc, headers=h).json()
    assert again["stored"] == 0
    assert again["duplicates"] + again["errorDeclarations"] == len(sent)

    for ev, key in zip(sent, got["eventIDs"], strict=True):
        if "eventID" in ev:
            assert key == ev["eventID"]
        q = client.get("/api/v1/epcis/events?perPage=1000", headers=bakery.headers)
        out = {e["eventID"]: e for e in _events(q.json())}
        back = out[key]
        for field in KEPT:
            assert back.get(field) == ev.get(field), (field, path.name)
    page = client.get(
        "/api/v1/epcis/events?perPage=1000", headers=bakery.headers
    ).json()
    assert_valid_document(page)


BAD = [
    ({"type": "EPCISDocument", "schemaVersion": "2.0"}, "'epcisBody' is required"),
    ({"type": "Nope", "schemaVersion": "2.0"}, "EPCISDocument"),
    (
        {
            "type": "EPCISDocument",
            "schemaVersion": "1.2",
            "epcisBody": {"eventList": []},
        },
        "2.0",
    ),
]


def _doc(*events):  # type: ignore[no-untyped-def]
    return {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2025-12-02T08:00:00Z",
        "epcisBody": {"eventList": list(events)},
    }


GOOD = {
    "type": "ObjectEvent",
    "eventID": "urn:uuid:6a1a2c0e-1b6e-4ac0-9c6d-000000000001",
    "eventTime": "2025-12-02T08:00:00+08:00",
    "eventTimeZoneOffset": "+08:00",
    "action": "OBSERVE",
    "bizStep": "shipping",
    "epcList": [],
    "quantityList": [
        {
            "epcClass": "https://id.gs1.org/01/06901234900019/10/LOT25S-45",
            "quantity": 6,
            "uom": "KGM",
        }
    ],
}


@pytest.mark.parametrize(
    "event, path",
    [
        ({**GOOD, "eventTime": "2025-12-02 08:00"}, "eventList/1/eventTime"),
        ({**GOOD, "eventTimeZoneOffset": "8"}, "eventList/1/eventTimeZoneOffset"),
        ({**GOOD, "action": "SHIP"}, "eventList/1/action"),
        ({**GOOD, "type": "SensorEvent"}, "eventList/1/type"),
        ({**GOOD, "quantityList": [{"quantity": 3}]}, "eventList/1/quantityList/0"),
        (
            {**GOOD, "quantityList": [{"epcClass": "urn:x", "quantity": -1}]},
            "eventList/1/quantityList/0/quantity",
        ),
        ({**GOOD, "epcList": "urn:x"}, "eventList/1/epcList"),
        ({**GOOD, "readPoint": {"name": "x"}}, "eventList/1/readPoint: 'id'"),
    ],
)
def test_a_bad_event_refuses_the_whole_document(client, session, bakery, event, path):  # type: ignore[no-untyped-def]
    before = _count(session)
    ok = {**GOOD, "eventID": "urn:uuid:6a1a2c0e-1b6e-4ac0-9c6d-000000000002"}
    r = client.post(
        "/api/v1/epcis/capture", json=_doc(ok, event), headers=bakery.headers
    )
    assert r.status_code == 400 and path in r.text, r.text
    assert _count(session) == before  # the good one was not stored either


@pytest.mark.parametrize("doc, says", BAD)
def test_bad_documents_say_what_is_wrong(client, bakery, doc, says):  # type: ignore[no-untyped-def]
    r = client.post("/api/v1/epcis/capture", json=doc, headers=bakery.headers)
    assert r.status_code == 400 and says in r.text


def test_not_json_conflicts_and_who_may_capture(client, session, bakery):  # type: ignore[no-untyped-def]
    h = bakery.headers
    r = client.post("/api/v1/epcis/capture", content=b"{nope", headers=h)
    assert r.status_code == 400 and "JSON" in r.text
    assert (
        client.post("/api/v1/epcis/capture", json=_doc(GOOD), headers=h).status_code
        == 202
    )
    before = _count(session)
    changed = {**GOOD, "bizStep": "receiving"}
    r = client.post("/api/v1/epcis/capture", json=_doc(changed), headers=h)
    # the REST binding: accepted as a job, which failed and stored nothing
    assert r.status_code == 202 and r.json()["success"] is False
    job = client.get(r.headers["Location"], headers=h).json()
    assert job["success"] is False and GOOD["eventID"] in job["errors"][0]["title"]
    assert _count(session) == before
    twice = {**GOOD, "eventID": "urn:uuid:6a1a2c0e-1b6e-4ac0-9c6d-000000000003"}
    r = client.post(
        "/api/v1/epcis/capture", json=_doc(twice, {**twice, "action": "ADD"}), headers=h
    )
    assert r.status_code == 400 and twice["eventID"] in r.text
    # every repeated eventID is checked, not only the first one found
    other = {**GOOD, "eventID": "urn:uuid:6a1a2c0e-1b6e-4ac0-9c6d-000000000004"}
    r = client.post(
        "/api/v1/epcis/capture",
        json=_doc(twice, twice, other, {**other, "action": "ADD"}),
        headers=h,
    )
    assert r.status_code == 400 and other["eventID"] in r.text
    for role in ("store", "auditor", "logistics"):
        assert (
            client.post(
                "/api/v1/epcis/capture", json=_doc(GOOD), headers=bakery.auth(role)
            ).status_code
            == 403
        )
    # no eventID: known by its content
    anon = {k: v for k, v in GOOD.items() if k != "eventID"}
    first = client.post("/api/v1/epcis/capture", json=_doc(anon), headers=h).json()
    assert first["stored"] == 1 and first["eventIDs"][0].startswith("ni:///sha-256;")
    second = client.post("/api/v1/epcis/capture", json=_doc(anon), headers=h).json()
    kept = ("captureID", "createdAt", "finishedAt")
    assert {k: v for k, v in second.items() if k not in kept} == {
        **{k: v for k, v in first.items() if k not in kept},
        "stored": 0,
        "duplicates": 1,
    }
    cls = quote(GOOD["quantityList"][0]["epcClass"], safe="")
    found = client.get(f"/api/v1/epcis/events?MATCH_epcClass={cls}", headers=h).json()
    assert len(_events(found)) == 2


def test_the_command_line_imports_a_file(tmp_path: Path, monkeypatch):  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from bakeprint.cli import app
    from bakeprint.db import get_database, session_scope
    from tests.factories import cli_database, make_bakery

    url = cli_database(tmp_path, monkeypatch, "c.db")
    with session_scope() as s:
        make_bakery(s, slug="cli-capture")
    f = tmp_path / "doc.jsonld"
    f.write_text(json.dumps(_doc(GOOD)), "utf-8")
    run = CliRunner().invoke
    r = run(app, ["import", "epcis", str(f), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["stored"] == 1
    assert (
        json.loads(run(app, ["import", "epcis", str(f), "--json"]).stdout)["duplicates"]
        == 1
    )
    bad = tmp_path / "bad.jsonld"
    bad.write_text("[]", "utf-8")
    r = run(app, ["import", "epcis", str(bad)])
    assert r.exit_code != 0 and len(r.output.strip().splitlines()) == 1
    get_database(url).dispose()


def _shipment(source: str, epc_class: str, event_id: str) -> dict:  # type: ignore[type-arg]
    return {
        "type": "ObjectEvent",
        "eventID": event_id,
        "eventTime": "2025-12-01T16:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "action": "ADD",  # the schema allows ilmd only with ADD
        "bizStep": "shipping",
        "disposition": "in_transit",
        "epcList": [],
        "quantityList": [{"epcClass": epc_class, "quantity": 6, "uom": "KGM"}],
        "sourceList": [{"type": "owning_party", "source": source}],
        "destinationList": [
            {
                "type": "owning_party",
                "destination": "https://id.gs1.org/417/6901234000016",
            }
        ],
        "ilmd": {"cbvmda:itemExpirationDate": "2025-12-20"},
    }


def test_a_suppliers_shipping_event_announces_a_lot_that_intake_receives(
    client, session, bakery
):  # type: ignore[no-untyped-def]
    from tests.factories import make_catalog

    cat = make_catalog(session, bakery.tenant.id)
    cat["sakura"].gtin = "06901234900019"
    session.commit()
    h = bakery.headers
    from bakeprint.gs1 import check_digit

    gln = "690123400002" + str(check_digit("690123400002"))
    wrong = gln[:-1] + str((int(gln[-1]) + 1) % 10)
    r = client.patch("/api/v1/catalog/suppliers/B", json={"gln": wrong}, headers=h)
    assert (
        r.status_code == 422 and "check digit" in r.text.lower()
    ) or "校验位" in r.text
    r = client.patch("/api/v1/catalog/suppliers/B", json={"gln": gln}, headers=h)
    assert r.status_code == 200 and r.json()["gln"] == gln

    lot = "https://id.gs1.org/01/06901234900019/10/LOT25S-77"
    doc = _doc(
        _shipment(
            f"https://id.gs1.org/417/{gln}",
            lot,
            "urn:uuid:00000000-0000-4000-8000-0000000000a1",
        ),
        _shipment(  # a product this bakery does not buy
            f"https://id.gs1.org/417/{gln}",
            "https://id.gs1.org/01/06901234999996/10/X1",
            "urn:uuid:00000000-0000-4000-8000-0000000000a2",
        ),
        _shipment(  # not from a supplier of ours
            "https://id.gs1.org/417/4012345000009",
            lot,
            "urn:uuid:00000000-0000-4000-8000-0000000000a3",
        ),
    )
    got = client.post(
        "/api/v1/epcis/capture", json=doc, headers=bakery.auth("supplier")
    )
    assert got.status_code == 202, got.text
    body = got.json()
    assert body["stored"] == 3
    assert body["incoming_lots"] == [
        {
            "supplier_lot": "LOT25S-77",
            "quantity": 6,
            "unit": "kg",
            "expires_on": "2025-12-20",
        }
    ]
    assert any("06901234999996" in n for n in body["notes"])
    (inc,) = client.get("/api/v1/epcis/incoming-lots", headers=h).json()
    assert (
        inc["status"] == "announced" and inc["supplier"] == "B" and inc["lot"] is None
    )

    intake = client.post(
        "/api/v1/lots",
        json={
            "material": "SAKURA",
            "supplier": "B",
            "supplier_lot": "LOT25S-77",
            "received_at": "2025-12-02T07:00:00+08:00",
            "quantity": 6,
            "unit": "kg",
            "expires_on": "2025-12-20",
            "qc_result": "pass",
            "quality_score": 95,
        },
        headers=h,
    )
    assert intake.status_code == 201, intake.text
    (inc,) = client.get("/api/v1/epcis/incoming-lots", headers=h).json()
    assert inc["status"] == "received" and inc["lot"] == intake.json()["code"]

    # the same announcement by an EPC URN party and an LGTIN class
    cp = gln[:7]
    urn_doc = _doc(
        _shipment(
            f"urn:epc:id:pgln:{cp}.{gln[7:12]}",
            f"urn:epc:class:lgtin:{cp}.0{'06901234900019'[8:13]}.LOT25S-78",
            "urn:uuid:00000000-0000-4000-8000-0000000000a4",
        )
    )
    urn = client.post("/api/v1/epcis/capture", json=urn_doc, headers=h).json()
    assert [x["supplier_lot"] for x in urn["incoming_lots"]] == ["LOT25S-78"]

    # the supplier declares that shipment erroneous: the lot is no longer due
    (shipped,) = urn_doc["epcisBody"]["eventList"]
    declared = {
        **shipped,
        "errorDeclaration": {
            "declarationTime": "2025-12-02T09:00:00+08:00",
            "reason": "incorrect_data",
        },
    }
    r = client.post("/api/v1/epcis/capture", json=_doc(declared), headers=h).json()
    assert r["errorDeclarations"] == 1
    status = {
        x["supplier_lot"]: x["status"]
        for x in client.get("/api/v1/epcis/incoming-lots", headers=h).json()
    }
    assert status == {"LOT25S-77": "received", "LOT25S-78": "withdrawn"}


def test_an_oversized_document_is_refused_before_it_is_read(
    client, session, bakery, monkeypatch
):  # type: ignore[no-untyped-def]
    monkeypatch.setattr("bakeprint.interop.endpoints.MAX_DOCUMENT", 2000)
    before = _count(session)
    big = _doc(
        *[
            {**GOOD, "eventID": f"urn:uuid:00000000-0000-4000-8000-{i:012d}"}
            for i in range(20)
        ]
    )
    r = client.post("/api/v1/epcis/capture", json=big, headers=bakery.headers)
    assert r.status_code == 413 and "at most 2 KB" in r.json()["error"]["message_en"]
    assert _count(session) == before
    small = client.post(
        "/api/v1/epcis/capture", json=_doc(GOOD), headers=bakery.headers
    )
    assert small.status_code == 202


def test_a_document_nested_5000_deep_is_a_400_and_stores_nothing(
    client, session, bakery
):  # type: ignore[no-untyped-def]
    """Issue #17 item 6: it was a RecursionError — a 500 and a traceback."""
    before = _count(session)
    for content_type in ("application/ld+json", "text/plain"):
        r = client.post(
            "/api/v1/epcis/capture",
            content=b"[" * 5000 + b"]" * 5000,
            headers={
                **bakery.headers,
                "Content-Type": content_type,
                "Accept-Language": "en",
            },
        )
        assert r.status_code == 400
        assert r.json()["error"]["message"].startswith(
            "the JSON nests deeper than 64 levels"
        )
    deep_token = base64.urlsafe_b64encode(b"[" * 5000).decode()
    r = client.get(
        f"/api/v1/epcis/events?nextPageToken={deep_token}", headers=bakery.headers
    )
    assert r.status_code == 422 and r.json()["error"]["field"] == "nextPageToken"
    assert _count(session) == before


def test_the_command_line_refuses_a_deeply_nested_file_in_one_line(
    tmp_path: Path, monkeypatch
):  # type: ignore[no-untyped-def]
    url = cli_database(tmp_path, monkeypatch, "deep.db")
    with session_scope() as s:
        make_bakery(s, slug="cli-deep")
    f = tmp_path / "deep.jsonld"
    f.write_text("[" * 5000 + "]" * 5000, "utf-8")
    r = CliRunner().invoke(cli_app, ["import", "epcis", str(f)])
    assert r.exit_code != 0 and len(r.output.strip().splitlines()) == 1
    assert "64" in r.output
    get_database(url).dispose()
