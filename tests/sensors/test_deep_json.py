"""JSON nested 5000 deep (issue #17, item 6) from a gateway: over HTTP a 400
that stores nothing (it was a RecursionError: a 500, a traceback and a reset
connection), over MQTT a dead letter with the reason (it would have stopped
the listener's message), from a file on the command line a readable error."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bakeprint.bodies import TooDeep
from bakeprint.sensors import parsing
from bakeprint.sensors.models import SensorBlock

DEEP = b"[" * 5000 + b"]" * 5000


@pytest.mark.parametrize("content_type", ["application/json", "application/x-ndjson"])
def test_an_upload_nested_5000_deep_is_a_400_and_stores_nothing(
    client, session, bakery, hall, content_type
):  # type: ignore[no-untyped-def]
    before = session.scalar(select(func.count()).select_from(SensorBlock))
    r = client.post(
        "/api/v1/sensors/readings",
        content=DEEP,
        headers={**bakery.headers, "Content-Type": content_type},
    )
    assert r.status_code == 400
    assert r.json()["error"]["message"].startswith("JSON 嵌套超过 64 层")
    assert session.scalar(select(func.count()).select_from(SensorBlock)) == before


def test_an_mqtt_message_nested_5000_deep_is_a_dead_letter() -> None:
    got = parsing.mqtt_message("bakeprint/shiguang/sensors/HALL-1-T", DEEP)
    assert got is not None
    tenant, reading = got
    assert tenant == "shiguang" and reading.sensor == "HALL-1-T"
    assert reading.error == "JSON nested too deeply"


def test_a_file_nested_5000_deep_is_refused_before_parsing() -> None:
    with pytest.raises(TooDeep):
        parsing.parse_body("application/json", DEEP)
    # CSV is not JSON: brackets in it are just text
    rows = parsing.parse_body(
        "text/csv", b"sensor,time,value\nS1,2025-01-01T00:00:00+08:00," + b"[" * 100
    )
    assert len(rows) == 1
