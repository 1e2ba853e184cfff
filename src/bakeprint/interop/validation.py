"""EPCIS 2.0 documents checked against the official JSON schema (R5.4).

``data/epcis-2.0-json-schema.json`` is GS1's EPCIS 2.0 JSON schema (gs1/EPCIS
commit 2b888bef, copied unchanged; the same file as
``tests/conformance/gs1-epcis/EPCIS-JSON-Schema.json``). A document it
rejects is refused whole, each problem named by its JSON path. The schema
declares ``uri`` and ``date-time`` formats that a validator only checks when
asked to: they are what refuses a bare word that is not a CBV term
(``transforming``), an ILMD field without a namespace (``materialType``) or a
time written ``22-07-2026``, so both are checked here (RFC 3986 absolute URI,
RFC 3339 time).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from typing import Any

import fastjsonschema
from jsonschema import Draft7Validator, FormatChecker
from jsonschema.exceptions import ValidationError, best_match

from bakeprint.errors import BakeprintError

MAX_PROBLEMS = 20
# RFC 3986 absolute URI: a scheme, a colon, no white space (a CURIE such as
# ``cbvmda:lotNumber`` has this form too, as the schema intends).
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S*$")
# RFC 3339 date-time, offset required.
_DATE_TIME = re.compile(
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:"
    r"([0-5]\d|60)(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$",
    re.IGNORECASE,
)


class NotEpcis(BakeprintError):
    """A document the EPCIS 2.0 schema refuses: 400, as the REST binding's
    capture interface answers ("all events are rejected")."""

    status = 400
    code = "invalid_epcis"


class VersionNotSupported(BakeprintError):
    """A ``GS1-EPCIS-Version`` / ``GS1-CBV-Version`` other than 2.0 (406)."""

    status = 406
    code = "version_not_supported"


def _checker() -> FormatChecker:
    checker = FormatChecker(formats=())

    @checker.checks("uri")
    def _is_uri(value: object) -> bool:
        return not isinstance(value, str) or bool(_URI.match(value))

    @checker.checks("date-time")
    def _is_time(value: object) -> bool:
        return not isinstance(value, str) or bool(_DATE_TIME.match(value))

    return checker


def _schema() -> Any:
    text = (
        resources.files("bakeprint")
        .joinpath("data/epcis-2.0-json-schema.json")
        .read_text("utf-8")
    )
    return json.loads(text)


@lru_cache(maxsize=1)
def validator() -> Draft7Validator:
    """Every problem with its path (slow: ~0.1 s an event on a busy machine)."""
    return Draft7Validator(_schema(), format_checker=_checker())


@lru_cache(maxsize=1)
def _fast() -> Any:
    """The same schema compiled to Python (about 15 times faster, first
    problem only): a valid document is passed by it alone."""
    return fastjsonschema.compile(
        _schema(),
        formats={
            "uri": lambda v: bool(_URI.match(v)),
            "date-time": lambda v: bool(_DATE_TIME.match(v)),
        },
    )


def _path(e: ValidationError) -> str:
    return "/".join(str(p) for p in e.absolute_path) or "(document)"


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "…"


def _innermost(e: ValidationError) -> ValidationError:
    """Of an ``anyOf``/``if``-``then`` failure, the most specific reason."""
    while e.context:
        if all(c.validator == "required" for c in e.context):
            return e  # one of several fields is required: say which
        e = best_match(e.context)
    return e


def _is_name(e: ValidationError) -> bool:
    """The problem is a field's name (``propertyNames``), not its value."""
    return "propertyNames" in e.absolute_schema_path


def _reason(e: ValidationError) -> str:
    """One problem in words an integrator acts on."""
    where = e.absolute_path[-1] if e.absolute_path else None
    if e.context and all(c.validator == "required" for c in e.context):
        names = sorted({str(c.validator_value[0]) for c in e.context})
        return f"one of {', '.join(names)} is required"
    if e.validator == "required":
        return e.message.replace("is a required property", "is required")
    if _is_name(e):
        return (
            f"field {_short(e.instance)} is not an EPCIS 2.0 field here; an "
            "extension needs a namespace (prefix:name or a URI)"
        )
    if e.validator == "format" and e.validator_value == "uri":
        if where in ("bizStep", "disposition"):
            return (
                f"{_short(e.instance)} is not a CBV {where} term; "
                "another vocabulary must be written as a URI"
            )
        if e.parent is not None:  # one of a CBV term and a URI
            return f"{_short(e.instance)} is not a CBV term nor a URI"
        return f"{_short(e.instance)} is not a URI"
    if e.validator == "format" and e.validator_value == "date-time":
        return f"{_short(e.instance)} is not an ISO 8601 time with its offset"
    if e.validator == "additionalProperties":
        return e.message.replace(
            "Additional properties are not allowed", "unknown field"
        )
    if e.validator == "type":
        return f"{_short(e.instance)} must be of type {e.validator_value}"
    if e.validator in ("enum", "pattern", "const", "minimum", "maxLength"):
        return f"{_short(e.instance)} {e.message.split(' is ', 1)[-1]}"
    return e.message if len(e.message) <= 200 else e.message[:197] + "…"


def problems(doc: Any) -> list[str]:
    """Every problem the official schema finds, as ``path: reason``, one per
    path, in document order."""
    try:
        _fast()(doc)
        return []
    except fastjsonschema.JsonSchemaException as exc:
        first = str(exc)
    found = sorted(
        validator().iter_errors(doc),
        key=lambda e: [f"{p:09d}" if isinstance(p, int) else p for p in e.path],
    )
    out: list[str] = []
    said: set[tuple[str, bool]] = set()
    for e in found:
        inner = _innermost(e)
        where = (_path(inner), inner.validator == "required")
        if where in said and inner.validator != "required":
            continue
        said.add(where)
        line = f"{where[0]}: {_reason(inner)}"
        if line not in out:
            out.append(line)
    return out or [first]


DOCUMENTS = ("EPCISDocument", "EPCISQueryDocument")


def check_document(doc: Any) -> None:
    """Refuse anything but an EPCIS 2.0 document the official schema accepts
    (the schema alone would read another ``type`` as an extension event)."""
    if not isinstance(doc, dict):
        raise NotEpcis("EPCIS 文档应为 JSON 对象", "an EPCIS document is a JSON object")
    kind = doc.get("type")
    if kind not in DOCUMENTS:
        raise NotEpcis(
            f"type 应为 EPCISDocument 或 EPCISQueryDocument，而不是 {kind!r}",
            f"type must be EPCISDocument or EPCISQueryDocument, not {kind!r}",
            field="type",
        )
    check(doc)


def check(doc: Any) -> None:
    """Refuse a document (or one event) the official EPCIS 2.0 schema rejects."""
    found = problems(doc)
    if found:
        shown = found[:MAX_PROBLEMS]
        more = len(found) - len(shown)
        tail_zh = f"；另有 {more} 处" if more else ""
        tail_en = f"; and {more} more" if more else ""
        raise NotEpcis(
            "不符合 EPCIS 2.0 标准（官方 JSON schema），未保存任何事件："
            + "；".join(shown)
            + tail_zh,
            "not valid EPCIS 2.0 (the official JSON schema), nothing was stored: "
            + "; ".join(shown)
            + tail_en,
            field=shown[0].split(":", 1)[0],
            details={"problems": shown},
        )
