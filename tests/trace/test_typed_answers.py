"""The trace report, the impact scope and a recall's status are typed to the
leaf in the OpenAPI document (issue #18 item 4): no section is a free-form
object, so a client generated from ``/openapi.json`` knows every field — and
what the API answers validates against that document."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

from bakeprint.app import create_app
from bakeprint.packaging import service as packaging
from bakeprint.recall import service as recalls
from bakeprint.trace import scope
from tests.packaging.conftest import cat, pack_a_batch  # noqa: F401
from tests.sensors.conftest import hall, series  # noqa: F401
from tests.trace.test_report import _delivered, _made
from tests.trace.test_scope import chain  # noqa: F401

API = "/api/v1"
ANSWERS = [
    ("get", "/trace", "200"),
    ("get", "/scope", "200"),
    ("post", "/recalls", "201"),
    ("get", "/recalls/{code}", "200"),
    ("post", "/recalls/{code}/close", "200"),
    ("post", "/recalls/{code}/launch", "200"),
    ("post", "/recalls/{code}/discard", "200"),
    ("get", "/recalls/{code}/report", "200"),
]


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return create_app().openapi()


def _answer_schema(spec: dict[str, Any], method: str, path: str, status: str) -> Any:
    op = spec["paths"][API + path][method]
    return op["responses"][status]["content"]["application/json"]["schema"]


def _free_form(
    spec: dict[str, Any], schema: Any, where: str, seen: set[str]
) -> list[str]:
    """Where, under ``schema``, a value may be anything or an object whose
    fields are not named."""
    if not isinstance(schema, dict):
        return []
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        seen.add(name)
        return _free_form(spec, spec["components"]["schemas"][name], name, seen)
    described = {k: v for k, v in schema.items() if k not in ("title", "description")}
    if not described:
        return [f"{where}: any value"]
    types = schema.get("type")
    if (types == "object" or (isinstance(types, list) and "object" in types)) and (
        "properties" not in schema
    ):
        return [f"{where}: an object without named fields"]
    out: list[str] = []
    for name, sub in schema.get("properties", {}).items():
        out += _free_form(spec, sub, f"{where}.{name}", seen)
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        for i, sub in enumerate(schema.get(key, [])):
            out += _free_form(spec, sub, f"{where}[{key} {i}]", seen)
    for key in ("items", "additionalProperties"):
        out += _free_form(spec, schema.get(key), f"{where}[]", seen)
    return out


@pytest.mark.parametrize(("method", "path", "status"), ANSWERS)
def test_every_section_of_the_answer_is_described_field_by_field(
    spec: dict[str, Any], method: str, path: str, status: str
) -> None:
    schema = _answer_schema(spec, method, path, status)
    assert "$ref" in schema, schema  # a named model, not a free-form answer
    assert _free_form(spec, schema, path, set()) == []


def test_the_check_finds_a_free_form_section(spec: dict[str, Any]) -> None:
    # what the report's sections were before: dict[str, Any] and Any
    loose = {
        "type": "object",
        "properties": {
            "production": {"type": "object", "additionalProperties": True},
            "environment": {"type": "array", "items": {}},
        },
    }
    assert _free_form(spec, loose, "TraceReport", set()) == [
        "TraceReport.production: an object without named fields",
        "TraceReport.environment[]: any value",
    ]


def _check(
    spec: dict[str, Any], method: str, path: str, status: str, body: Any
) -> None:
    schema = {**_answer_schema(spec, method, path, status), **spec}
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in Draft202012Validator(schema).iter_errors(body)
    ]
    assert errors == []


def test_the_trace_report_validates_against_its_schema(
    client,
    session,
    bakery,
    hall,  # noqa: F811
    spec,
):
    batch = _made(session, bakery, hall)
    _delivered(client, bakery, session, batch)
    unit = packaging.units_of(session, batch)[0]
    uri = packaging.unit_link(hall["product"], batch, unit).uri()
    r = client.get(f"{API}/trace", params={"code": uri}, headers=bakery.headers)
    assert r.status_code == 200, r.text
    rep = r.json()
    # every section is filled, so each of them is checked
    for section in ("unit_state", "materials", "qc", "environment", "alerts"):
        assert rep[section], section
    assert rep["distribution"][0]["drops"] and rep["distribution"][0]["cabin"]
    assert any(x["excursions"] for seg in rep["environment"] for x in seg["sensors"])
    _check(spec, "get", "/trace", "200", rep)
    # the wrong shape is refused: the check is not a formality
    with pytest.raises(AssertionError):
        _check(spec, "get", "/trace", "200", {**rep, "counts": {"sold": "18"}})


def test_the_scope_and_a_recalls_answers_validate_against_their_schemas(
    client,
    session,
    bakery,
    chain,  # noqa: F811
    spec,
):
    h = bakery.headers
    r = client.get(f"{API}/scope", params={"lot": "SAK-1"}, headers=h)
    assert r.status_code == 200 and r.json()["batches"][0]["shops"], r.text
    _check(spec, "get", "/scope", "200", r.json())

    opened = client.post(
        f"{API}/recalls", json={"reason": "异味", "lot": "SAK-1"}, headers=h
    )
    assert opened.status_code == 201, opened.text
    _check(spec, "post", "/recalls", "201", opened.json())
    code = opened.json()["code"]
    client.post(
        f"{API}/recalls/{code}/confirmations",
        json={"point_of_sale": "MUSEUM", "batch": chain["b"][6].code, "pulled": 40},
        headers=h,
    )
    shown = client.get(f"{API}/recalls/{code}", headers=h).json()
    assert shown["shops"] and shown["notices"] and shown["batches"][0]["reasons"]
    _check(spec, "get", "/recalls/{code}", "200", shown)
    report = client.get(f"{API}/recalls/{code}/report", headers=h).json()
    _check(spec, "get", "/recalls/{code}/report", "200", report)
    closed = client.post(
        f"{API}/recalls/{code}/close", json={"note": "done"}, headers=h
    )
    _check(spec, "post", "/recalls/{code}/close", "200", closed.json())

    # a draft answers with the scope launching it would reach
    draft = recalls.draft(
        session, scope.Criteria(lot="SAK-1"), reason="待定", actor=bakery.actor
    )
    answer = client.get(f"{API}/recalls/{draft.code}", headers=h).json()
    assert answer["draft_scope"]["batches"]
    _check(spec, "get", "/recalls/{code}", "200", answer)
    discarded = client.post(
        f"{API}/recalls/{draft.code}/discard", json={"note": "不需要"}, headers=h
    )
    assert discarded.status_code == 200, discarded.text
    _check(spec, "post", "/recalls/{code}/discard", "200", discarded.json())
