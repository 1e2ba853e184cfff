"""Sensors: registry, allowed ranges with history, and ingest of raw readings.

Ingest never fails on a bad reading: each one is stored, recognised as a
duplicate, or counted in the dead letters under its reason (rejects.py). Readings are
grouped by sensor and hour and merged into hour blocks (see blocks.py), so a
bulk upload of 100 000 readings touches a few hundred rows.
"""

from __future__ import annotations

import bisect
import json
import math
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bakeprint import localtime
from bakeprint.catalog import repository as catalog
from bakeprint.catalog.models import Location, PointOfSale, Vehicle
from bakeprint.chronology import CLOCK_SKEW  # the same allowance as every record
from bakeprint.db import slices, upsert_insert, utcnow
from bakeprint.errors import Conflict, Invalid, NotFound
from bakeprint.identity.service import Actor
from bakeprint.sensors import blocks, rejects
from bakeprint.sensors.models import (
    KINDS,
    DeadLetterGroup,
    EnvironmentRange,
    Sensor,
    SensorBlock,
)
from bakeprint.sensors.rejects import DeadLetters, Rejected

OLDEST = datetime(2000, 1, 1, tzinfo=UTC)
PLACES: dict[str, type[Any]] = {
    "location": Location,
    "vehicle": Vehicle,
    "point_of_sale": PointOfSale,
}


def ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


def from_ms(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1000, UTC)


# --- registry -----------------------------------------------------------------


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise Invalid(
            f"未知的传感器类型 {kind}；可选：{'、'.join(KINDS)}",
            f"unknown sensor kind {kind}; choose from {', '.join(KINDS)}",
            field="kind",
        )
    return kind


def _place(session: Session, tenant_id: uuid.UUID, place_kind: str, code: str) -> Any:
    if place_kind not in PLACES:
        raise Invalid(
            f"传感器只能装在位置、车辆或门店，不能是 {place_kind}",
            f"a sensor is placed at a location, vehicle or point_of_sale, "
            f"not {place_kind}",
            field="place",
        )
    return catalog.get(session, PLACES[place_kind], tenant_id, code)


def register(
    session: Session,
    *,
    code: str,
    kind: str,
    place_kind: str,
    place: str,
    name: str = "",
    actor: Actor,
) -> Sensor:
    t = actor.tenant_id
    code = code.strip()
    if not code or len(code) > 40 or "/" in code or "+" in code or "#" in code:
        raise Invalid(
            "传感器编号须为 1–40 个字符，不能含 / + #",
            "a sensor code is 1–40 characters without / + #",
            field="code",
        )
    if find(session, t, code) is not None:
        raise Conflict(
            f"传感器 {code} 已存在", f"sensor {code} already exists", field="code"
        )
    where = _place(session, t, place_kind, place)
    sensor = Sensor(
        tenant_id=t,
        code=code,
        name=name,
        kind=_kind(kind),
        unit=KINDS[kind][0],
        **{f"{place_kind}_id": where.id},
    )
    session.add(sensor)
    session.flush()
    return sensor


def find(session: Session, tenant_id: uuid.UUID, code: str) -> Sensor | None:
    return session.scalar(
        select(Sensor).where(Sensor.tenant_id == tenant_id, Sensor.code == code)
    )


def get(session: Session, tenant_id: uuid.UUID, code: str) -> Sensor:
    sensor = find(session, tenant_id, code)
    if sensor is None:
        raise NotFound(f"找不到传感器 {code}", f"sensor {code} not found")
    return sensor


def place_of(sensor: Sensor) -> tuple[str, uuid.UUID]:
    for kind in PLACES:
        pid = getattr(sensor, f"{kind}_id")
        if pid is not None:
            return kind, pid
    raise AssertionError("a sensor always has a place")


def sensors_at(
    session: Session, tenant_id: uuid.UUID, place_kind: str, place_id: uuid.UUID
) -> list[Sensor]:
    column = getattr(Sensor, f"{place_kind}_id")
    return list(
        session.scalars(
            select(Sensor)
            .where(Sensor.tenant_id == tenant_id, column == place_id)
            .order_by(Sensor.code)
        )
    )


# --- allowed ranges -------------------------------------------------------------


def set_range(
    session: Session,
    *,
    kind: str,
    place_kind: str,
    place: str,
    low: float | None,
    high: float | None,
    valid_from: datetime | None = None,
    reason: str = "",
    actor: Actor,
) -> EnvironmentRange:
    """A new allowed range; the one it replaces is closed, not edited."""
    t = actor.tenant_id
    _kind(kind)
    if low is None and high is None:
        raise Invalid(
            "请至少填写下限或上限", "give a lower or an upper limit", field="high"
        )
    if low is not None and high is not None and low >= high:
        raise Invalid(
            f"下限 {low} 必须小于上限 {high}",
            f"the lower limit {low} must be below the upper limit {high}",
            field="low",
        )
    place_id, category = None, None
    if place_kind == "category":
        category = place.strip()
        if not category:
            raise Invalid("请填写产品类别", "give the product category", field="place")
    else:
        place_id = _place(session, t, place_kind, place).id
    when = valid_from or utcnow()
    current = session.scalars(
        select(EnvironmentRange)
        .where(
            EnvironmentRange.tenant_id == t,
            EnvironmentRange.kind == kind,
            EnvironmentRange.place_kind == place_kind,
            EnvironmentRange.place_id == place_id
            if place_id
            else EnvironmentRange.category == category,
            EnvironmentRange.valid_to.is_(None),
        )
        .with_for_update()
    ).all()
    for old in current:
        if old.valid_from >= when:
            since = localtime.text(old.valid_from)
            raise Conflict(
                f"已有从 {since} 起生效的范围；新范围须晚于它",
                f"a range already applies from {since}; a new one must start later",
                field="valid_from",
            )
        old.valid_to = when
    row = EnvironmentRange(
        tenant_id=t,
        kind=kind,
        place_kind=place_kind,
        place_id=place_id,
        category=category,
        low=low,
        high=high,
        valid_from=when,
        set_by=actor.username,
        reason=reason,
    )
    session.add(row)
    session.flush()
    return row


def ranges_for(
    session: Session,
    tenant_id: uuid.UUID,
    kind: str,
    *,
    place_kind: str | None = None,
    place_id: uuid.UUID | None = None,
    category: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[EnvironmentRange]:
    """Ranges for a place and/or a category that overlap [start, end]."""
    return pick_ranges(
        range_history(session, tenant_id),
        kind,
        place_kind=place_kind,
        place_id=place_id,
        category=category,
        start=start,
        end=end,
    )


def pick_ranges(
    ranges: Iterable[EnvironmentRange],
    kind: str,
    *,
    place_kind: str | None = None,
    place_id: uuid.UUID | None = None,
    category: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[EnvironmentRange]:
    """Of the bakery's ranges (a small table, loaded whole), those of ``kind``
    for the place and/or the product category that overlap [start, end]."""
    if not (place_kind and place_id) and not category:
        return []
    return sorted(
        (
            r
            for r in ranges
            if r.kind == kind
            and (
                (
                    (place_kind and place_id)
                    and r.place_kind == place_kind
                    and r.place_id == place_id
                )
                or (category and r.place_kind == "category" and r.category == category)
            )
            and (end is None or r.valid_from <= end)
            and (start is None or r.valid_to is None or r.valid_to > start)
        ),
        key=lambda r: r.valid_from,
    )


def limits_at(
    ranges: Sequence[EnvironmentRange], when: datetime
) -> tuple[float | None, float | None]:
    """The strictest band of the ranges in force at ``when``."""
    low: float | None = None
    high: float | None = None
    for r in ranges:
        if r.valid_from <= when and (r.valid_to is None or when < r.valid_to):
            if r.low is not None:
                low = r.low if low is None else max(low, r.low)
            if r.high is not None:
                high = r.high if high is None else min(high, r.high)
    return low, high


class Band:
    """The strictest allowed band at any instant, from a set of ranges.

    Ranges change rarely, so the band is piecewise constant: breakpoints are
    found once and a lookup is a bisection. ``holds`` says whether values lie
    inside the band whatever the time (the strictest limits of all).
    """

    def __init__(self, ranges: Sequence[EnvironmentRange]) -> None:
        self.cuts = sorted(
            {r.valid_from for r in ranges}
            | {r.valid_to for r in ranges if r.valid_to is not None}
        )
        self.bands = [limits_at(ranges, c) for c in self.cuts]
        lows = [r.low for r in ranges if r.low is not None]
        highs = [r.high for r in ranges if r.high is not None]
        self.strict_lo = blocks.to_milli(max(lows)) if lows else None
        self.strict_hi = blocks.to_milli(min(highs)) if highs else None

    def __call__(self, when: datetime) -> tuple[float | None, float | None]:
        i = bisect.bisect_right(self.cuts, when)
        return self.bands[i - 1] if i else (None, None)

    def holds(self, v_min: int, v_max: int) -> bool:
        """True when values in [v_min, v_max] (thousandths) are inside the band
        at any time."""
        return (self.strict_lo is None or v_min >= self.strict_lo) and (
            self.strict_hi is None or v_max <= self.strict_hi
        )


def range_history(session: Session, tenant_id: uuid.UUID) -> list[EnvironmentRange]:
    return list(
        session.scalars(
            select(EnvironmentRange)
            .where(EnvironmentRange.tenant_id == tenant_id)
            .order_by(
                EnvironmentRange.kind,
                EnvironmentRange.place_kind,
                EnvironmentRange.valid_from,
            )
        )
    )


# --- ingest ---------------------------------------------------------------------


@dataclass
class RawReading:
    """A reading as it arrived: nothing about it is trusted yet."""

    sensor: str
    at: Any
    value: Any
    unit: Any = None
    payload: str = ""
    error: str = ""  # why it could not even be read (malformed JSON…)


@dataclass
class IngestResult:
    accepted: int = 0
    duplicates: int = 0
    dead: DeadLetters = field(default_factory=DeadLetters)
    touched: dict[uuid.UUID, tuple[int, int]] = field(default_factory=dict)

    @property
    def rejected(self) -> int:
        return self.dead.total

    def as_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "dead_letter_groups": len(self.dead.groups),
            "reasons": self.dead.summary(),
        }


def parse_time(value: Any, now: datetime | None = None) -> datetime:
    if isinstance(value, datetime):
        when = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise Rejected("time is not a number")
        seconds = value / 1000 if value > 1e11 else value  # ms or s since epoch
        when = datetime.fromtimestamp(seconds, UTC)
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            when = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise Rejected(
                "unreadable time", f"unreadable time {text[:40]!r}"
            ) from None
    else:
        raise Rejected("no time")
    if when.tzinfo is None:
        raise Rejected("time without a time zone offset")
    when = when.astimezone(UTC)
    if when < OLDEST:
        raise Rejected(
            "time is before the year 2000",
            f"time {localtime.text(when)} is before the year 2000",
        )
    if when > (now or utcnow()) + CLOCK_SKEW:
        raise Rejected(
            "time is in the future", f"time {localtime.text(when)} is in the future"
        )
    return when


def _value(sensor: Sensor, value: Any, unit: Any) -> int:
    _, spellings, (lo, hi) = KINDS[sensor.kind]
    if unit not in (None, "") and str(unit).strip() not in spellings:
        raise Rejected(
            f"unit is not {sensor.unit} ({sensor.kind})",
            f"unit {str(unit)[:20]!r} is not {sensor.unit} ({sensor.kind})",
        )
    if type(value) is float or type(value) is int:  # the common case, fast
        number = float(value)
        if lo <= number <= hi:
            return blocks.to_milli(number)
    if isinstance(value, bool) or value is None:
        raise Rejected("no value")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise Rejected(
            "value is not a number", f"value {str(value)[:40]!r} is not a number"
        ) from None
    if not math.isfinite(number):
        raise Rejected("value is not a finite number")
    if not lo <= number <= hi:
        possible = f"possible: {lo:g} to {hi:g} {sensor.unit}"
        raise Rejected(
            f"impossible {sensor.kind} ({possible})",
            f"{sensor.kind} {number:g} {sensor.unit} is impossible ({possible})",
        )
    return blocks.to_milli(number)


def _dead(result: IngestResult, raw: RawReading, why: Rejected) -> None:
    payload = raw.payload or json.dumps(
        {"sensor": raw.sensor, "at": str(raw.at), "value": str(raw.value)},
        ensure_ascii=False,
    )
    result.dead.add(str(raw.sensor or ""), why, payload)


def ingest(
    session: Session,
    tenant_id: uuid.UUID,
    readings: Iterable[RawReading],
    *,
    source: str,
    check_alerts: bool = True,
) -> IngestResult:
    """Store readings (one transaction: the caller commits)."""
    result = IngestResult(dead=DeadLetters(source))
    batch = list(readings)
    codes = {str(raw.sensor or "").strip() for raw in batch}
    known: dict[str, Sensor | None] = dict.fromkeys(codes)
    named = sorted(c for c in codes if c)
    for part in slices(named, 500):  # one query for the upload's sensors
        for found in session.scalars(
            select(Sensor).where(Sensor.tenant_id == tenant_id, Sensor.code.in_(part))
        ):
            known[found.code] = found
    grouped: dict[tuple[uuid.UUID, int], list[tuple[int, int]]] = defaultdict(list)
    now = utcnow()
    for raw in batch:
        code = str(raw.sensor or "").strip()
        sensor = known.get(code)
        try:
            if raw.error:
                raise Rejected(raw.error)
            if sensor is None:
                # the code is the group's sensor: naming it keeps the reason
                # the same for every reading of that sensor
                raise Rejected(
                    f"unknown sensor {code[:120]!r}" if code else "no sensor"
                )
            if not sensor.active:
                raise Rejected(f"sensor {code} is retired")
            ts = ms(parse_time(raw.at, now))
            grouped[(sensor.id, ts - ts % blocks.HOUR_MS)].append(
                (ts, _value(sensor, raw.value, raw.unit))
            )
        except Rejected as exc:
            _dead(result, raw, exc)
    by_id = {s.id: s for s in known.values() if s is not None}
    _store(session, tenant_id, grouped, by_id, result)
    result.dead.store(session, tenant_id, now)
    if check_alerts and result.touched:
        from bakeprint.sensors import watch

        watch.scan(session, tenant_id, result.touched)
    session.flush()
    return result


def _store(
    session: Session,
    tenant_id: uuid.UUID,
    grouped: dict[tuple[uuid.UUID, int], list[tuple[int, int]]],
    sensors: dict[uuid.UUID, Sensor],
    result: IngestResult,
) -> None:
    written_at = ms(utcnow())  # a stored environment older than this is stale
    by_sensor: dict[uuid.UUID, list[int]] = defaultdict(list)
    for sensor_id, hour in grouped:
        by_sensor[sensor_id].append(hour)
    for sensor_id, hours in by_sensor.items():
        # make sure every hour's row exists first, so FOR UPDATE locks them
        # all: two uploads opening the same new hour at once queue on it
        # instead of both inserting it
        for part in slices(hours, 1000):  # 10 parameters a row
            _open_hours(session, tenant_id, sensor_id, part)
        existing = {
            b.hour: b
            for b in session.scalars(
                select(SensorBlock)
                .where(
                    SensorBlock.tenant_id == tenant_id,
                    SensorBlock.sensor_id == sensor_id,
                    SensorBlock.hour.in_(hours),
                )
                .with_for_update()
            )
        }
        sensor = sensors[sensor_id]
        for hour in sorted(hours):
            block = existing.get(hour)
            merged = blocks.merge(
                hour,
                block.data if block and block.count else None,
                grouped[(sensor_id, hour)],
            )
            result.accepted += merged.added
            result.duplicates += merged.duplicates
            for ts, stored, offered in merged.conflicts:
                _dead(
                    result,
                    RawReading(sensor.code, from_ms(ts).isoformat(), offered / 1000),
                    Rejected(
                        "a different value is already stored for this sensor and time",
                        f"{offered / 1000:g} offered, {stored / 1000:g} already stored "
                        "for this sensor and time",
                    ),
                )
            if merged.added == 0:
                if block is not None and block.count == 0:
                    session.delete(block)  # opened above, nothing to keep
                continue
            values = {
                "count": merged.count,
                "t_min": merged.t_min,
                "t_max": merged.t_max,
                "v_min": merged.v_min,
                "v_max": merged.v_max,
                "v_sum": merged.v_sum,
                "data": merged.blob,
                "written_at": written_at,
            }
            if block is None:
                session.add(
                    SensorBlock(
                        tenant_id=tenant_id, sensor_id=sensor_id, hour=hour, **values
                    )
                )
            else:
                for k, v in values.items():
                    setattr(block, k, v)
            lo, hi = result.touched.get(sensor_id, (merged.t_min, merged.t_max))
            result.touched[sensor_id] = (
                min(lo, merged.t_min),
                max(hi, merged.t_max),
            )


def _open_hours(
    session: Session,
    tenant_id: uuid.UUID,
    sensor_id: uuid.UUID,
    hours: Sequence[int],
) -> None:
    """Insert an empty row for each hour that has none (no-op for the rest)."""
    session.execute(
        upsert_insert(session)(SensorBlock)
        .values(
            [
                {
                    "tenant_id": tenant_id,
                    "sensor_id": sensor_id,
                    "hour": hour,
                    "count": 0,
                    "t_min": hour,
                    "t_max": hour,
                    "v_min": 0,
                    "v_max": 0,
                    "v_sum": 0,
                    "data": b"",
                }
                for hour in hours
            ]
        )
        .on_conflict_do_nothing(index_elements=["tenant_id", "sensor_id", "hour"])
    )


def readings(
    session: Session, sensor: Sensor, start: datetime, end: datetime
) -> list[tuple[datetime, float]]:
    """Raw readings of a sensor in [start, end], in time order."""
    return [
        (from_ms(ts), v / 1000) for ts, v in raw_points(session, sensor, start, end)
    ]


def raw_points(
    session: Session, sensor: Sensor, start: datetime, end: datetime
) -> list[tuple[int, int]]:
    a, b = ms(start), ms(end)
    rows = session.execute(
        select(SensorBlock.hour, SensorBlock.data)
        .where(
            SensorBlock.tenant_id == sensor.tenant_id,
            SensorBlock.sensor_id == sensor.id,
            SensorBlock.hour >= blocks.hour_of(a),
            SensorBlock.hour <= b,
        )
        .order_by(SensorBlock.hour)
    ).all()
    out: list[tuple[int, int]] = []
    for hour, data in rows:
        out.extend(p for p in blocks.decode(hour, data) if a <= p[0] <= b)
    return out


def dead_letters(
    session: Session, tenant_id: uuid.UUID, limit: int = 100
) -> list[DeadLetterGroup]:
    return rejects.groups(session, tenant_id, limit)
