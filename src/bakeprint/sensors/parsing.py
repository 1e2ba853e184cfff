"""Turning what gateways send into readings: JSON lines, CSV, JSON, MQTT.

A line that cannot be read becomes a reading with no sensor and the line kept
as its payload, so it lands in the dead-letter table with the reason instead of
failing the whole upload. Only a body that is not an upload at all (CSV without
its header, an unknown content type) is refused as a whole.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from bakeprint.bodies import check_depth, too_deep
from bakeprint.errors import Invalid
from bakeprint.sensors.service import RawReading

TIME_KEYS = ("time", "at", "ts", "timestamp")
MAX_LINE = 4000


def _from_obj(obj: Any, line: str, sensor: str | None = None) -> RawReading:
    if not isinstance(obj, dict):
        return _malformed(line, "not a JSON object")
    at = next((obj[k] for k in TIME_KEYS if k in obj), None)
    return RawReading(
        sensor=str(sensor if sensor is not None else obj.get("sensor", "")),
        at=at,
        value=obj.get("value"),
        unit=obj.get("unit"),
        payload=line[:MAX_LINE],
    )


def _malformed(line: str, why: str, sensor: str = "") -> RawReading:
    return RawReading(sensor, None, None, payload=line[:MAX_LINE], error=why)


def json_lines(text: str) -> list[RawReading]:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    objs = None
    # fast path: every line one object, all parsed in one call (a line that is
    # not exactly one object makes the count or the parse differ: slow path)
    if all(line[0] == "{" and line[-1] == "}" for line in lines):
        try:
            objs = json.loads("[" + ",".join(lines) + "]")
        except ValueError:
            objs = None
    if isinstance(objs, list) and len(objs) == len(lines):
        return [_from_obj(obj, line) for obj, line in zip(objs, lines, strict=True)]
    out = []
    for line in lines:
        try:
            obj = json.loads(line)
        except ValueError:
            out.append(_malformed(line, "not JSON"))
            continue
        out.append(_from_obj(obj, line))
    return out


def csv_rows(text: str) -> list[RawReading]:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    time_key = next((k for k in TIME_KEYS if k in header), None)
    if "sensor" not in header or "value" not in header or time_key is None:
        raise Invalid(
            "CSV 第一行须为表头：sensor,time,value[,unit]",
            "the CSV's first line must be its header: sensor,time,value[,unit]",
        )
    reader.fieldnames = header
    out = []
    for row in reader:
        line = ",".join(str(v) for v in row.values() if v is not None)
        out.append(
            RawReading(
                sensor=(row.get("sensor") or "").strip(),
                at=(row.get(time_key) or "").strip(),
                value=(row.get("value") or "").strip(),
                unit=(row.get("unit") or "").strip() or None,
                payload=line[:MAX_LINE],
            )
        )
    return out


def json_document(text: str) -> list[RawReading]:
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise Invalid(
            f"JSON 无法解析：{exc}", f"the body is not valid JSON: {exc}"
        ) from None
    items = doc.get("readings") if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        raise Invalid(
            "JSON 须为读数数组，或含 readings 数组的对象",
            'the JSON must be a list of readings or {"readings": [...]}',
        )
    return [_from_obj(o, json.dumps(o, ensure_ascii=False)) for o in items]


def parse_body(content_type: str, body: bytes) -> list[RawReading]:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid("内容须为 UTF-8 编码", "the body must be UTF-8 text") from None
    kind = content_type.split(";")[0].strip().lower()
    if "json" in kind:
        check_depth(body)  # json.loads would raise RecursionError
    if kind in ("application/x-ndjson", "application/jsonl", "application/json-lines"):
        return json_lines(text)
    if kind in ("text/csv", "application/csv"):
        return csv_rows(text)
    if kind == "application/json":
        return json_document(text)
    raise Invalid(
        f"不支持的内容类型 {kind or '（空）'}：请用 application/x-ndjson、text/csv "
        "或 application/json",
        f"unsupported content type {kind or '(none)'}: send application/x-ndjson, "
        "text/csv or application/json",
    )


def mqtt_message(topic: str, payload: bytes) -> tuple[str, RawReading] | None:
    """``bakeprint/<tenant>/sensors/<sensor>`` → (tenant slug, reading), or None
    for a topic that is not ours."""
    parts = topic.split("/")
    if len(parts) != 4 or parts[0] != "bakeprint" or parts[2] != "sensors":
        return None
    tenant, sensor = parts[1], parts[3]
    try:
        line = payload.decode("utf-8")
    except UnicodeDecodeError:
        return tenant, _malformed(repr(payload[:200]), "not UTF-8 text", sensor)
    if too_deep(payload) is not None:
        return tenant, _malformed(line, "JSON nested too deeply", sensor)
    try:
        obj = json.loads(line)
    except ValueError:
        return tenant, _malformed(line, "not JSON", sensor)
    if not isinstance(obj, dict):
        return tenant, _malformed(line, "not a JSON object", sensor)
    return tenant, _from_obj(obj, line, sensor=sensor)
