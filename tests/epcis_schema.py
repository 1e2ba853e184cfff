"""Validate what bakeprint produces against the official EPCIS 2.0 JSON schema
(tests/conformance/gs1-epcis, copied unchanged: see its README)."""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator


def _conformance() -> Path:
    """The official GS1 material kept with the tests ($BAKEPRINT_CONFORMANCE_DIR
    points elsewhere, e.g. at a newer copy being tried out)."""
    env = os.environ.get("BAKEPRINT_CONFORMANCE_DIR")
    where = Path(env) if env else Path(__file__).resolve().parent / "conformance"
    if not (where / "gs1-epcis" / "EPCIS-JSON-Schema.json").is_file():
        raise RuntimeError(f"GS1 conformance material not found in {where}")
    return where


CONFORMANCE = _conformance()
GS1_EPCIS = CONFORMANCE / "gs1-epcis"
CONTEXT = [
    "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
    {"bp": "https://bakeprint.dev/ns/epcis/"},
]


@lru_cache(maxsize=1)
def validator() -> Draft7Validator:
    schema = json.loads((GS1_EPCIS / "EPCIS-JSON-Schema.json").read_text("utf-8"))
    return Draft7Validator(schema)


def errors(doc: dict[str, Any]) -> list[str]:
    return [
        f"{'/'.join(str(p) for p in e.absolute_path) or '<root>'}: {e.message}"
        for e in validator().iter_errors(doc)
    ]


def assert_valid_event(body: dict[str, Any]) -> None:
    """One stored event body, as exported: with @context and an eventID."""
    doc = {
        "@context": CONTEXT,
        "eventID": "urn:uuid:00000000-0000-4000-8000-000000000000",
        **body,
    }
    problems = errors(doc)
    assert not problems, "\n".join(problems)


def assert_valid_document(doc: dict[str, Any]) -> None:
    problems = errors(doc)
    assert not problems, "\n".join(problems)
