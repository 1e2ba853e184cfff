"""A sensor over a time window, against its allowed range: count, min, max,
mean, minutes outside and excursions, computed from the hour blocks (only
the hours that cross the range are decoded reading by reading)."""

from __future__ import annotations

import functools
import itertools
import statistics
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    and_,
    bindparam,
    case,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from bakeprint.sensors import blocks
from bakeprint.sensors import service as sensors
from bakeprint.sensors.excursions import Excursion, beyond, detect
from bakeprint.sensors.models import (
    EnvironmentRange,
    Sensor,
    SensorBlock,
)
from bakeprint.sensors.service import Band


@dataclass
class SensorSummary:
    sensor: str
    kind: str
    unit: str
    low: float | None
    high: float | None
    readings: int
    min: float | None
    max: float | None
    mean: float | None
    minutes_outside: float
    excursions: list[Excursion]
    points: list[tuple[datetime, float]] = field(default_factory=list, repr=False)

    @property
    def ok(self) -> bool:
        return not self.excursions


def figures(x: SensorSummary) -> dict[str, Any]:
    """A sensor summary's own figures (all but its excursions and points)."""
    return {
        "sensor": x.sensor,
        "kind": x.kind,
        "unit": x.unit,
        "low": x.low,
        "high": x.high,
        "readings": x.readings,
        "min": x.min,
        "max": x.max,
        "mean": x.mean,
        "minutes_outside": x.minutes_outside,
    }


def sensor_dict(x: SensorSummary, points: bool) -> dict[str, Any]:
    d: dict[str, Any] = {
        **figures(x),
        "excursions": [
            {
                "start": e.start,
                "end": e.end,
                "peak": e.peak,
                "low": e.low,
                "high": e.high,
                "beyond_pct": e.beyond_pct,
                "minutes": e.minutes,
                "level": e.level,
            }
            for e in x.excursions
        ],
    }
    if points:
        d["points"] = [[t, v] for t, v in x.points]
    return d


def minutes_outside(
    points: list[tuple[datetime, float]],
    limits: Any,
    usual: float | None = None,
    end: datetime | None = None,
) -> float:
    """Time spent outside the band: each reading counts until the next one
    (capped at twice the usual interval, so a silent sensor does not inflate it)
    and never past ``end``, the window's end: readings every minute outside
    from 14:15 to 15:30 in a window ending 15:30 are 75 minutes, not 76 (the
    last reading starts no minute of the window)."""
    if not points:
        return 0.0
    gaps = [(b[0] - a[0]).total_seconds() for a, b in itertools.pairwise(points)]
    if usual is None:
        usual = statistics.median(gaps) if gaps else 60.0
    total = 0.0
    for i, (when, value) in enumerate(points):
        if beyond(value, *limits(when)) > 0:
            span = gaps[i] if i < len(gaps) else usual
            if end is not None:
                span = min(span, max(0.0, (end - when).total_seconds()))
            total += min(span, 2 * usual)
    return round(total / 60, 1)


def summarise(
    session: Session,
    sensor: Sensor,
    start: datetime,
    end: datetime,
    category: str | None,
    *,
    with_points: bool = False,
) -> SensorSummary:
    return summarise_many(
        session, [sensor], start, end, category, with_points=with_points
    )[0]


def summarise_many(
    session: Session,
    found: Sequence[Sensor],
    start: datetime,
    end: datetime,
    category: str | None,
    *,
    with_points: bool = False,
    all_ranges: Sequence[EnvironmentRange] | None = None,
) -> list[SensorSummary]:
    """Each sensor over [start, end] against its band (see ``summarise_windows``)."""
    return summarise_windows(
        session,
        [(found, start, end)],
        category,
        with_points=with_points,
        all_ranges=all_ranges,
    )[0]


# one window to read: (job index, sensors, start ms, end ms, end, band by sensor)
Window = tuple[int, Sequence[Sensor], int, int, datetime, dict[Any, Band]]


def summarise_windows(
    session: Session,
    jobs: Sequence[tuple[Sequence[Sensor], datetime, datetime]],
    category: str | None,
    *,
    with_points: bool = False,
    all_ranges: Sequence[EnvironmentRange] | None = None,
) -> list[list[SensorSummary]]:
    """Sensors over time windows (one job per place a batch was), each against
    its band.

    Only hours that cross the band are examined reading by reading (for the
    excursions and the minutes outside). An hour wholly inside the band and
    the window is taken from its rollup (count, min, max, sum) without being
    decoded; an edge hour inside the band is decoded for its statistics only.
    The result equals examining every reading (a test checks it). One
    statement serves every window: the rollups, with the data of only the
    blocks to decode.
    """
    live = [(i, js, st, en) for i, (js, st, en) in enumerate(jobs) if js]
    out: list[list[SensorSummary]] = [[] for _ in jobs]
    if not live:
        return out
    tenant_id = live[0][1][0].tenant_id
    if all_ranges is None:
        all_ranges = sensors.range_history(session, tenant_id)
    windows = _windows(live, category, all_ranges)
    rows_of: dict[tuple[int, Any], list[Any]] = {
        (i, x.id): [] for i, found, *_ in windows for x in found
    }
    query, params = _blocks_query(windows, tenant_id, with_points)
    with binary_results(session):
        for r in session.execute(query, params):
            rows_of[(r.w, r.sensor_id)].append(r)
    for rows in rows_of.values():
        rows.sort(key=lambda r: r.hour)
    for i, found, a, b, end, bands in windows:
        out[i] = [
            _summary(x, rows_of[(i, x.id)], bands[x.id], a, b, end, with_points)
            for x in found
        ]
    return out


def _windows(
    live: list[tuple[int, Sequence[Sensor], datetime, datetime]],
    category: str | None,
    all_ranges: Sequence[EnvironmentRange],
) -> list[Window]:
    """Each job's window in ms and each sensor's band over it (one band per
    kind and place)."""

    def band_of(sensor: Sensor, start: datetime, end: datetime) -> Band:
        place_kind, place_id = sensors.place_of(sensor)
        return Band(
            sensors.pick_ranges(
                all_ranges,
                sensor.kind,
                place_kind=place_kind,
                place_id=place_id,
                category=category,
                start=start,
                end=end,
            )
        )

    windows = []
    for i, found, start, end in live:
        a, b = sensors.ms(start), sensors.ms(end)
        cache: dict[tuple[str, Any], Band] = {}
        bands = {}
        for x in found:
            key = (x.kind, sensors.place_of(x))
            if key not in cache:
                cache[key] = band_of(x, start, end)
            bands[x.id] = cache[key]
        windows.append((i, found, a, b, end, bands))
    return windows


def _blocks_query(
    windows: list[Window], tenant_id: Any, with_points: bool
) -> tuple[Any, dict[str, Any]]:
    """One statement, one indexed range per window (UNION ALL: an OR of the
    windows makes SQLite's planner scan the table). A block's data comes
    back only when it must be decoded: it is not wholly inside the window
    and the band (the same test as ``Band.holds``, written in SQL). Every
    value is a named parameter, so the statement's shape repeats from batch
    to batch and its compiled form is reused."""
    params: dict[str, Any] = {"tenant": tenant_id}
    parts = []
    for i, found, a, b, _, bands in windows:
        w = f"w{i}_"
        params.update({w + "ids": [x.id for x in found], w + "h": blocks.hour_of(a)})
        params.update({w + "a": a, w + "b": b})
        data: Any = (
            SensorBlock.data
            if with_points
            else _data_unless_held(found, bands, w, params)
        )
        parts.append(
            select(
                literal_column(str(i)).label("w"),
                SensorBlock.sensor_id,
                SensorBlock.hour,
                SensorBlock.count.label("n"),
                SensorBlock.t_min,
                SensorBlock.t_max,
                SensorBlock.v_min,
                SensorBlock.v_max,
                SensorBlock.v_sum,
                data.label("data"),
            ).where(
                SensorBlock.tenant_id == bindparam("tenant"),
                SensorBlock.sensor_id.in_(bindparam(w + "ids", expanding=True)),
                SensorBlock.hour >= bindparam(w + "h"),
                SensorBlock.hour <= bindparam(w + "b"),
            )
        )
    return (parts[0] if len(parts) == 1 else union_all(*parts)), params


def _data_unless_held(
    found: Sequence[Sensor], bands: dict[Any, Band], w: str, params: dict[str, Any]
) -> Any:
    """A block's data, or NULL when it is wholly inside the window ``w`` and
    its sensor's band."""
    by_band: dict[int, tuple[Band, list[Any]]] = {}
    for x in found:
        by_band.setdefault(id(bands[x.id]), (bands[x.id], []))[1].append(x.id)
    whole = []
    for j, (band, ids) in enumerate(by_band.values()):
        g = f"{w}g{j}_"
        params[g + "ids"] = ids
        whole.append(
            and_(
                SensorBlock.sensor_id.in_(bindparam(g + "ids", expanding=True)),
                *_held(band, g, params),
            )
        )
    return case(
        (
            and_(
                SensorBlock.t_min >= bindparam(w + "a"),
                SensorBlock.t_max <= bindparam(w + "b"),
                or_(*whole),
            ),
            null(),
        ),
        else_=SensorBlock.data,
    )


@functools.cache
def _binary_cursor() -> type[Any]:
    # psycopg is imported here, on PostgreSQL only: on SQLite (and for every
    # CLI command that never reads sensor blocks) it is ~0.1 s of start-up
    import psycopg

    class BinaryCursor(psycopg.Cursor[Any]):
        def execute(self, *args: Any, **kw: Any) -> Any:
            kw["binary"] = True
            return super().execute(*args, **kw)

    return BinaryCursor


@contextmanager
def binary_results(session: Session) -> Iterator[None]:
    """On PostgreSQL, statements run inside ask for results in the binary
    format: block data then arrive as raw bytes instead of hex text, which
    halves the time of the blocks statement (~300 KB for a batch). The Python
    values are the same either way."""
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        yield
        return
    raw: Any = conn.connection.driver_connection
    before = raw.cursor_factory
    raw.cursor_factory = _binary_cursor()
    try:
        yield
    finally:
        raw.cursor_factory = before


def _held(band: Band, prefix: str, params: dict[str, Any]) -> list[Any]:
    """``Band.holds`` as conditions on a block's rollup (values in ``params``)."""
    out = []
    if band.strict_lo is not None:
        params[prefix + "lo"] = band.strict_lo
        out.append(SensorBlock.v_min >= bindparam(prefix + "lo"))
    if band.strict_hi is not None:
        params[prefix + "hi"] = band.strict_hi
        out.append(SensorBlock.v_max <= bindparam(prefix + "hi"))
    return out


def _summary(
    sensor: Sensor,
    rows: list[Any],
    band: Band,
    a: int,
    b: int,
    end: datetime,
    with_points: bool,
) -> SensorSummary:
    count = total = 0
    v_min: int | None = None
    v_max: int | None = None
    seq: list[tuple[datetime, float]] = []  # examined readings + inside markers
    decoded: list[tuple[datetime, float]] = []
    for r in rows:
        blob = r.data
        if blob is None:  # wholly inside the window and the band
            n, s_, lo, hi, first = r.n, r.v_sum, r.v_min, r.v_max, r.t_min
        else:
            stats = blocks.stats_in(r.hour, blob, a, b)
            if stats is None:
                continue
            n, s_, lo, hi, first = stats
            if with_points or not band.holds(lo, hi):
                conv = [
                    (sensors.from_ms(ts), v / blocks.SCALE)
                    for ts, v in blocks.decode(r.hour, blob)
                    if a <= ts <= b
                ]
                seq.extend(conv)
                if with_points:
                    decoded.extend(conv)
                first = -1
        count, total = count + n, total + s_
        v_min = lo if v_min is None else min(v_min, lo)
        v_max = hi if v_max is None else max(v_max, hi)
        if first >= 0:
            # its first reading, inside the band, ends any excursion before it
            v = lo if band.strict_lo is not None else hi
            seq.append((sensors.from_ms(first), v / blocks.SCALE))
    spans = [(r.t_max - r.t_min) / (r.n - 1) / 1000 for r in rows if r.n > 1]
    usual = statistics.median(spans) if spans else 60.0
    last = rows[-1].t_max if rows else None
    low, high = band(sensors.from_ms(min(last, b)) if last is not None else end)
    return SensorSummary(
        sensor=sensor.code,
        kind=sensor.kind,
        unit=sensor.unit,
        low=low,
        high=high,
        readings=count,
        min=v_min / blocks.SCALE if v_min is not None else None,
        max=v_max / blocks.SCALE if v_max is not None else None,
        mean=round(total / count / blocks.SCALE, 2) if count else None,
        minutes_outside=minutes_outside(seq, band, usual, end),
        excursions=detect(seq, band),
        points=decoded,
    )
