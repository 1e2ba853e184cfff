"""The CBV 2.0 event hash against the reference generator (issue 21 item 4).

``tests/conformance/reference-prehashes/prehashes.json`` holds the pre-hash
string that the reference implementation (epcis-event-hash-generator 1.9.3,
run by ``generate.py`` beside it) builds for every event of the GS1, OpenEPCIS
and event-hash example documents kept in ``tests/conformance``. bakeprint's
string must be the same on every event, except where the reference is wrong:
``WRONG`` names each such event, the reason, and the piece of the reference's
string that shows the fault (so the list must shrink if the file is fixed).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from bakeprint.interop.event_hash import (
    document_events,
    document_hashes,
    document_ignore,
    prehash,
)
from tests.epcis_schema import CONFORMANCE

REFERENCE = json.loads(
    (CONFORMANCE / "reference-prehashes" / "prehashes.json").read_text("utf-8")
)

BOOLEAN = "writes JSON true/false as Python's True/False"
DIGITS = (
    "reads a digit-only stringValue as a number and writes it back mangled "
    "(111100001111000011110000 → 111100001111000003641344)"
)
CURIE = (
    "leaves CURIEs unexpanded when the prefix comes from the standard EPCIS "
    "context (gs1:, cbv:, cbvmda:) or from an event-level @context, which it "
    "hashes as if it were a field"
)
NAMESPACE = (
    "takes a user extension out of its element when the namespace IRI does not "
    "end in '/' (https://ns.example.com/epcis) and hashes it at event level"
)
MISPLACED = (
    "hashes a sensorReport's bizRules (a field EPCIS 2.0 allows there, outside "
    "the CBV order) as a second sensorElementList at the end of the event"
)
IGNORE = (
    "1.9.3 predates ignoreFields; the same generator's published 2025 vectors "
    "(epcis-event-hash/) leave the field out, and bakeprint matches those"
)
INVALID = (
    "the event holds a value EPCIS 2.0 does not allow (a bare word that is no "
    "CBV or GS1 term and no URI, a date that is not a dateTime, a field a "
    "quantity element cannot have, certificationInfo as an object): capture "
    "refuses it, so no hash is defined for it"
)
_SHORT = {
    "EH/": "epcis-event-hash/examples/",
    "GS1/": "gs1-epcis/JSON/",
    "OE/": "openepcis-test-resources/JSON/",
}
_WRONG: dict[tuple[str, int], tuple[str, str]] = {
    ("EH/epcisDocHavingEventWithIgnoreFields.jsonld", 0): (
        IGNORE,
        "{https://repository-x.example.com/}hash=",
    ),
    ("EH/epcisQueryDocHavingEventWithIgnoreFields.jsonld", 0): (
        IGNORE,
        "{https://repository-x.example.com/}hash=",
    ),
    (
        "GS1/WithFullCombinationOfFields/aggregation_event_all_possible_fields.jsonld",
        0,
    ): (BOOLEAN, "Value=True"),
    (
        "GS1/WithFullCombinationOfFields/association_event_all_possible_fields.jsonld",
        0,
    ): (BOOLEAN, "Value=True"),
    ("GS1/WithFullCombinationOfFields/object_event_all_possible_fields.jsonld", 0): (
        BOOLEAN,
        "Value=True",
    ),
    (
        "GS1/WithFullCombinationOfFields/transaction_event_all_possible_fields.jsonld",
        0,
    ): (BOOLEAN, "Value=True"),
    ("GS1/WithSensorData/SensorDataExample12.jsonld", 0): (CURIE, "cbvmda:lotNumber"),
    ("GS1/WithSensorData/SensorDataExample7.jsonld", 0): (
        DIGITS,
        "stringValue=111100001111000003641344",
    ),
    ("GS1/WithSensorData/SensorDataExample8.jsonld", 0): (
        MISPLACED,
        "sensorElementListsensorElementsensorReportbizRules",
    ),
    ("GS1/WithSensorData/SensorDataExample9.jsonld", 0): (BOOLEAN, "Value=True"),
    ("OE/Capture/Documents/AggregationEvent_all_possible_fields.json", 0): (
        BOOLEAN,
        "Value=True",
    ),
    ("OE/Capture/Documents/AggregationEvent_with_sensorData.json", 0): (
        MISPLACED,
        "sensorElementListsensorElementsensorReportbizRules",
    ),
    ("OE/Capture/Documents/AssociationEvent_all_possible_fields.json", 0): (
        BOOLEAN,
        "Value=True",
    ),
    ("OE/Capture/Documents/CurieString_document.json", 0): (
        CURIE,
        "=gs1:ALARM_CONDITION",
    ),
    ("OE/Capture/Documents/JumbledFieldsOrder.json", 0): (BOOLEAN, "Value=True"),
    ("OE/Capture/Documents/Namespaces_at_different_level.json", 0): (
        CURIE,
        "=gs1:ALARM_CONDITION",
    ),
    ("OE/Capture/Documents/Namespaces_at_different_level.json", 1): (
        CURIE,
        "=gs1:ALARM_CONDITION",
    ),
    ("OE/Capture/Documents/Namespaces_at_different_level.json", 2): (
        CURIE,
        "=gs1:ALARM_CONDITION",
    ),
    ("OE/Capture/Documents/Namespaces_at_different_level.json", 3): (
        CURIE,
        "=gs1:ALARM_CONDITION",
    ),
    ("OE/Capture/Documents/Namespaces_at_different_level.json", 4): (
        CURIE,
        "=gs1:ALARM_CONDITION",
    ),
    ("OE/Capture/Documents/ObjectEvent_all_possible_fields.json", 0): (
        BOOLEAN,
        "Value=True",
    ),
    ("OE/Capture/Documents/SensorData_with_combined_events.json", 5): (
        NAMESPACE,
        "{https://ns.example.com/epcis}someFurtherMetaData",
    ),
    ("OE/Capture/Documents/SensorData_with_combined_events.json", 6): (
        DIGITS,
        "stringValue=111100001111000003641344",
    ),
    ("OE/Capture/Documents/SensorData_with_combined_events.json", 7): (
        NAMESPACE,
        "{https://ns.example.com/epcis}someFurtherMetaData",
    ),
    ("OE/Capture/Documents/SensorData_with_combined_events.json", 8): (
        BOOLEAN,
        "Value=True",
    ),
    ("OE/Capture/Documents/SensorData_with_combined_events.json", 10): (
        INVALID,
        "type=EffectiveDoseRate",
    ),
    ("OE/Capture/Documents/SensorData_with_combined_events.json", 11): (
        CURIE,
        "cbvmda:lotNumber",
    ),
    ("OE/Capture/Documents/SensorData_with_combined_events.json", 12): (
        CURIE,
        "=cbv:Comp-longitude",
    ),
    ("OE/Capture/Documents/TransactionEvent_all_possible_fields.json", 0): (
        BOOLEAN,
        "Value=True",
    ),
    ("OE/Capture/Documents/TransactionEvent_with_userExtensions.json", 0): (
        INVALID,
        "type=EffectiveDoseRate",
    ),
    ("OE/Capture/Documents/TransformationEvent_with_userExtensions.json", 0): (
        CURIE,
        "cbvmda:lotNumber",
    ),
    ("OE/Capture/Documents/epcisDocWithSensorComponent.json", 0): (CURIE, "=gs1:Angle"),
    ("OE/Capture/Invalid/Combination_of_multiple_invalid_fields.json", 0): (
        INVALID,
        "bizStep=transforming",
    ),
    ("OE/Capture/Invalid/Combination_of_multiple_invalid_fields.json", 1): (
        INVALID,
        "disposition=in_transport",
    ),
    ("OE/Capture/Invalid/Combination_of_multiple_invalid_fields.json", 2): (
        INVALID,
        "sourceListtype=place",
    ),
    ("OE/Capture/Invalid/Combination_of_multiple_invalid_fields.json", 4): (
        INVALID,
        "eventTime=2026-07-22T00:00:00.000Z",
    ),
    (
        "OE/Capture/Invalid/Combination_of_non_standard_bizStep_and_disposition.json",
        0,
    ): (INVALID, "bizStep=transforming"),
    (
        "OE/Capture/Invalid/Combination_of_non_standard_bizStep_and_disposition.json",
        1,
    ): (INVALID, "disposition=in_transport"),
    ("OE/Capture/Invalid/ObjectEvent_with_invalid_certificationInfo.json", 0): (
        INVALID,
        "quantityListquantityElementepcClass",
    ),
    ("OE/Capture/Invalid/ObjectEvent_with_invalid_eventTime_format.json", 0): (
        INVALID,
        "eventTime=2026-07-22T00:00:00.000Z",
    ),
    ("OE/Capture/Invalid/ObjectEvent_with_non_standard_bizStep.json", 0): (
        INVALID,
        "bizStep=transforming",
    ),
    (
        "OE/Capture/Invalid/ObjectEvent_with_non_standard_bizStep_in_second_event.json",
        1,
    ): (INVALID, "bizStep=transforming"),
    ("OE/Capture/Invalid/ObjectEvent_with_non_standard_disposition.json", 0): (
        INVALID,
        "disposition=in_transport",
    ),
    ("OE/Capture/Invalid/ObjectEvent_with_unknown_field_in_quantityList.json", 0): (
        INVALID,
        "weight=5",
    ),
    ("OE/Query/CurieString_document.json", 0): (CURIE, "=gs1:ALARM_CONDITION"),
    ("OE/Query/Invalid/QueryDocument_with_invalid_eventType.json", 0): (
        CURIE,
        "=cbv:Comp-northing",
    ),
    ("OE/Query/JumbledFieldsOrder.json", 0): (BOOLEAN, "Value=True"),
    ("OE/Query/ObjectEventWithAllPossibleFields.json", 0): (BOOLEAN, "Value=True"),
    ("OE/Query/SensorData_with_combined_events.json", 5): (
        NAMESPACE,
        "{https://ns.example.com/epcis}someFurtherMetaData",
    ),
    ("OE/Query/SensorData_with_combined_events.json", 6): (
        DIGITS,
        "stringValue=111100001111000003641344",
    ),
    ("OE/Query/SensorData_with_combined_events.json", 7): (
        NAMESPACE,
        "{https://ns.example.com/epcis}someFurtherMetaData",
    ),
    ("OE/Query/SensorData_with_combined_events.json", 8): (BOOLEAN, "Value=True"),
    ("OE/Query/SensorData_with_combined_events.json", 10): (
        INVALID,
        "type=EffectiveDoseRate",
    ),
    ("OE/Query/SensorData_with_combined_events.json", 11): (CURIE, "cbvmda:lotNumber"),
    ("OE/Query/SensorData_with_combined_events.json", 12): (
        CURIE,
        "=cbv:Comp-longitude",
    ),
    ("OE/Query/TransactionEvent_with_userExtensions.json", 0): (
        INVALID,
        "type=EffectiveDoseRate",
    ),
}


def _long(name: str) -> str:
    for short, full in _SHORT.items():
        if name.startswith(short):
            return full + name.removeprefix(short)
    return name


WRONG = {(_long(name), i): why for (name, i), why in _WRONG.items()}
# Documents the reference cannot read at all (its error): bakeprint hashes them.
REFUSED_BY_REFERENCE = {
    "gs1-epcis/JSON/Example-TransactionEvents-2020_07_03y.jsonld",
    "gs1-epcis/JSON/WithFullCombinationOfFields/"
    "transformation_event_all_possible_fields.jsonld",
    "openepcis-test-resources/JSON/Capture/Documents/"
    "Combination_of_different_event.json",
    "openepcis-test-resources/JSON/Capture/Documents/TransactionEvent.json",
    "openepcis-test-resources/JSON/Capture/Documents/"
    "TransformationEvent_all_possible_fields.json",
    "openepcis-test-resources/JSON/Query/Combination_of_different_event.json",
}


def _ours(name: str) -> list[str]:
    doc: dict[str, Any] = json.loads((CONFORMANCE / name).read_text("utf-8"))
    if doc["type"].endswith("Event"):  # a lone event (Capture/Events/)
        return [prehash(doc)]
    ignore = document_ignore(doc)
    return [
        prehash(ev, context=doc.get("@context"), ignore=ignore)
        for ev in document_events(doc)
    ]


def test_the_reference_strings_cover_every_shared_example():
    docs = {
        p.relative_to(CONFORMANCE).as_posix()
        for folder in ("gs1-epcis/JSON", "openepcis-test-resources/JSON")
        for p in (CONFORMANCE / folder).rglob("*.json*")
        if "Queries" not in p.parts  # queries, not events
    }
    covered = set(REFERENCE["events"]) | set(REFERENCE["refused"])
    assert docs <= covered
    assert set(REFERENCE["refused"]) == REFUSED_BY_REFERENCE
    assert sum(map(len, REFERENCE["events"].values())) == 206
    assert REFERENCE["generator"] == "epcis-event-hash-generator 1.9.3"


@pytest.mark.parametrize("name", sorted(REFERENCE["events"]))
def test_the_pre_hash_string_is_the_reference_generators(name: str):
    ours = _ours(name)
    theirs = REFERENCE["events"][name]
    assert len(ours) == len(theirs)
    for i, (mine, ref) in enumerate(zip(ours, theirs, strict=True)):
        if (name, i) in WRONG:
            reason, shown = WRONG[name, i]
            assert mine != ref, f"event {i}: the reference is now right"
            assert shown in ref, f"event {i}: {reason}"
        else:
            assert mine == ref, f"event {i}"


def test_the_known_faults_are_real_events():
    for name, i in WRONG:
        assert i < len(REFERENCE["events"][name]), (name, i)


@pytest.mark.parametrize("name", sorted(REFUSED_BY_REFERENCE))
def test_documents_the_reference_cannot_read_still_hash(name: str):
    doc = json.loads((CONFORMANCE / name).read_text("utf-8"))
    hashes = document_hashes(doc)
    assert hashes and all(h.startswith("ni:///sha-256;") for h in hashes)
