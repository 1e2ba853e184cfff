"""bakeprint's CBV vocabularies are exactly those of the official CBV context."""

from __future__ import annotations

import json

from bakeprint.events.service import BIZ_STEPS, DISPOSITIONS
from tests.epcis_schema import GS1_EPCIS


def _terms(name: str) -> set[str]:
    ctx = json.loads((GS1_EPCIS / "JSON-LD-Context" / name).read_text("utf-8"))
    return {k for k in ctx["@context"] if not k.startswith("@") and k != "cbv"}


def test_business_steps_match_the_cbv_context():
    assert set(BIZ_STEPS) == _terms("cbv-context-bizstep.jsonld")


def test_dispositions_match_the_cbv_context():
    assert set(DISPOSITIONS) == _terms("cbv-context-disposition.jsonld")
