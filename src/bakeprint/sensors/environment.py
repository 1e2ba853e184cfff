"""A batch's environment (R1.7): the readings of every place it was, while it
was there — the production location during production, the kitchen until it
left, the van during each trip, each shop that reports — against the allowed
range that applied then (place and product category, the stricter wins).

Computed from the raw readings (an hour block read per sensor per hour). What
was computed for a segment that has ended is stored with the batch
(``environment_summaries``) and reused while nothing it was computed from has
changed: the segment itself (place, start, end), the sensors there, the product
category, the bakery's range history, and the readings — a block of its
windows written after the summary was computed (a late reading) makes it be
computed again. So a late reading is reflected at once, and a closed batch's
environment is one row read instead of every hour of every sensor.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import logging
import statistics
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Engine,
    and_,
    bindparam,
    case,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bakeprint.catalog.models import Location, PointOfSale, Product
from bakeprint.db import among, upsert_insert, utcnow
from bakeprint.events.models import Event
from bakeprint.identity.models import Tenant
from bakeprint.production.models import Batch
from bakeprint.retail.models import ShopStock
from bakeprint.sensors import blocks
from bakeprint.sensors import service as sensors
from bakeprint.sensors.excursions import Excursion, beyond, detect
from bakeprint.sensors.models import (
    EnvironmentRange,
    EnvironmentSummary,
    Sensor,
    SensorBlock,
)
from bakeprint.sensors.service import Band

KITCHEN_MAX = timedelta(hours=24)  # after production, until it leaves
SHOP_MAX = timedelta(days=15)
# A segment is stored once it ended this long ago and its readings were last
# written this long ago, and a stored summary counts as computed this long
# before it was: a reading written by a transaction that had not committed
# yet when the summary was computed is still seen as late. So it must exceed
# the longest ingest transaction and the clock difference between servers.
SETTLE = timedelta(minutes=2)

log = logging.getLogger(__name__)


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


@dataclass
class Segment:
    stage: str  # production, kitchen, trip, shop
    place_kind: str
    place: str
    place_name: str
    start: datetime
    end: datetime
    ref: str = ""  # the trip code for a trip
    sensors: list[SensorSummary] = field(default_factory=list)
    place_id: Any = field(default=None, repr=False)
    sensor_ids: list[Any] = field(default_factory=list, repr=False)

    def as_dict(self, points: bool = False) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "place_kind": self.place_kind,
            "place": self.place,
            "place_name": self.place_name,
            "start": self.start,
            "end": self.end,
            "ref": self.ref,
            "sensors": [_sensor_dict(x, points) for x in self.sensors],
        }


def _figures(x: SensorSummary) -> dict[str, Any]:
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


def _sensor_dict(x: SensorSummary, points: bool) -> dict[str, Any]:
    d: dict[str, Any] = {
        **_figures(x),
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
    rows_of: dict[tuple[int, Any], list[Any]] = {
        (i, x.id): [] for i, found, *_ in windows for x in found
    }
    # One statement, one indexed range per window (UNION ALL: an OR of the
    # windows makes SQLite's planner scan the table). A block's data comes
    # back only when it must be decoded: it is not wholly inside the window
    # and the band (the same test as ``Band.holds``, written in SQL). Every
    # value is a named parameter, so the statement's shape repeats from batch
    # to batch and its compiled form is reused.
    params: dict[str, Any] = {"tenant": tenant_id}
    parts = []
    for i, found, a, b, _, bands in windows:
        w = f"w{i}_"
        params.update({w + "ids": [x.id for x in found], w + "h": blocks.hour_of(a)})
        params.update({w + "a": a, w + "b": b})
        if with_points:
            data: Any = SensorBlock.data
        else:
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
            data = case(
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
    query = parts[0] if len(parts) == 1 else union_all(*parts)
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


@dataclass
class _Context:
    timezone: str
    category: str | None
    location: Location | None


def _context(session: Session, batch: Batch) -> _Context:
    """The bakery's time zone, the product category and the production place,
    in one statement."""
    row = session.execute(
        select(Tenant.timezone, Product.category, Location)
        .select_from(Batch)
        .join(Tenant, Tenant.id == Batch.tenant_id)
        .join(
            Product,
            (Product.tenant_id == Batch.tenant_id) & (Product.id == Batch.product_id),
        )
        .outerjoin(
            Location,
            (Location.tenant_id == Batch.tenant_id)
            & (Location.id == Batch.location_id),
        )
        .where(Batch.tenant_id == batch.tenant_id, Batch.id == batch.id)
    ).one()
    return _Context(*row)


def contexts(session: Session, tenant_id: Any, ids: list[Any]) -> dict[Any, _Context]:
    """``_context`` of many batches of a bakery in one statement, by id."""
    return {
        bid: _Context(tz, category, loc)
        for bid, tz, category, loc in session.execute(
            select(Batch.id, Tenant.timezone, Product.category, Location)
            .select_from(Batch)
            .join(Tenant, Tenant.id == Batch.tenant_id)
            .join(
                Product,
                (Product.tenant_id == Batch.tenant_id)
                & (Product.id == Batch.product_id),
            )
            .outerjoin(
                Location,
                (Location.tenant_id == Batch.tenant_id)
                & (Location.id == Batch.location_id),
            )
            .where(Batch.tenant_id == tenant_id, among(session, Batch.id, ids))
        )
    }


def shop_stocks(session: Session, batch: Batch) -> list[Any]:
    """The batch's stock at each shop, with the shop: (ShopStock, PointOfSale)."""
    return [
        (stock, pos)
        for stock, pos in session.execute(
            select(ShopStock, PointOfSale)
            .join(
                PointOfSale,
                (PointOfSale.tenant_id == ShopStock.tenant_id)
                & (PointOfSale.id == ShopStock.point_of_sale_id),
            )
            .where(
                ShopStock.tenant_id == batch.tenant_id, ShopStock.batch_id == batch.id
            )
        )
    ]


def _segments(
    session: Session,
    batch: Batch,
    ctx: _Context | None = None,
    legs: list[Any] | None = None,
    stocks: list[Any] | None = None,
    moves: list[Any] | None = None,
) -> list[Segment]:
    from bakeprint.logistics import service as logistics

    ctx = ctx or _context(session, batch)
    now = utcnow()
    tz = ctx.timezone
    out: list[Segment] = []
    if legs is None:
        legs = logistics.legs_of_batch(session, batch)
    first_departure = min(
        (leg.trip.departed_at for leg in legs if leg.trip.departed_at), default=None
    )
    loc = ctx.location
    if loc is not None:
        made_end = batch.ended_at or now
        out.append(
            Segment(
                "production",
                "location",
                loc.code,
                loc.name,
                batch.started_at,
                made_end,
                place_id=loc.id,
            )
        )
        if batch.ended_at is not None:
            if moves is None:
                from bakeprint.production import genealogy

                moves = genealogy.moves_of(session, batch)
            # where it waited: the production place, then each move (cold room…)
            stops = [(batch.ended_at, loc)] + [
                (m.moved_at, where) for m, where in moves
            ]
            last = stops[-1][0]
            kitchen_end = min(first_departure or last + KITCHEN_MAX, now)
            if first_departure is None:
                kitchen_end = min(kitchen_end, last + KITCHEN_MAX)
            for (since, where), (until, _next) in itertools.pairwise(
                [*stops, (kitchen_end, None)]
            ):
                until = min(until, kitchen_end)
                if until > since:
                    out.append(
                        Segment(
                            "kitchen",
                            "location",
                            where.code,
                            where.name,
                            since,
                            until,
                            place_id=where.id,
                        )
                    )
    for leg in legs:
        trip, load, vehicle = leg.trip, leg.load, leg.vehicle
        if trip.departed_at is None:
            continue
        all_dropped = load.delivered >= load.loaded
        end = (
            leg.last_drop
            if all_dropped and leg.last_drop
            else (trip.arrived_at or leg.last_drop or now)
        )
        out.append(
            Segment(
                "trip",
                "vehicle",
                vehicle.code,
                vehicle.name,
                trip.departed_at,
                end,
                ref=trip.code,
                place_id=vehicle.id,
            )
        )
    if stocks is None:
        stocks = shop_stocks(session, batch)
    gone = (
        _last_unit_left(session, batch)
        if any(s.received_at and s.on_shelf <= 0 for s, _ in stocks)
        else None
    )
    for stock, pos in stocks:
        if stock.received_at is None:
            continue
        end = min(now, stock.received_at + SHOP_MAX)
        if batch.best_before is not None:  # off the shelf by then
            off = datetime.combine(
                batch.best_before + timedelta(days=1), time.min, ZoneInfo(tz)
            )
            end = min(end, max(off, stock.received_at))
        if stock.on_shelf <= 0 and gone is not None:  # sold out: until then
            end = min(end, max(gone, stock.received_at))
        out.append(
            Segment(
                "shop",
                "point_of_sale",
                pos.code,
                pos.name,
                stock.received_at,
                end,
                place_id=pos.id,
            )
        )
    return out


def places_of(
    session: Session,
    batch: Batch,
    *,
    ctx: _Context | None = None,
    legs: list[Any] | None = None,
    stocks: list[Any] | None = None,
    moves: list[Any] | None = None,
) -> tuple[str | None, list[Segment]]:
    """The batch's product category and each place it was, when (no readings;
    ``ctx`` from ``contexts``, and its trips, shop stocks and moves when the
    caller read them for many batches at once)."""
    ctx = ctx or _context(session, batch)
    return ctx.category, _segments(session, batch, ctx, legs, stocks, moves)


def _last_unit_left(session: Session, batch: Batch) -> datetime | None:
    """When the batch's last sale, write-off or return happened (max() in
    Python: in SQL it tempts the planner to walk the time index from today)."""
    return max(
        session.scalars(
            select(Event.event_time).where(
                Event.tenant_id == batch.tenant_id,
                Event.subject == f"batch:{batch.code}",
                Event.kind.in_(("sold", "wasted", "returned")),
            )
        ),
        default=None,
    )


def batch_environment(
    session: Session,
    batch: Batch,
    *,
    with_points: bool = False,
    legs: list[Any] | None = None,
    stocks: list[Any] | None = None,
) -> list[Segment]:
    """Each place the batch was, with its sensors' summaries. Closed segments
    come from the stored summary while it is current; what had to be
    computed is stored for next time (in this transaction when it writes,
    else in a short one of its own that gives way to any other writer)."""
    kept, fresh = _environment(
        session, batch, with_points=with_points, legs=legs, stocks=stocks
    )
    if fresh is not None:
        save(session, batch, *fresh)
    return kept


def from_readings(session: Session, batch: Batch) -> list[Segment]:
    """The batch's environment computed from the readings, whatever is stored
    (and storing nothing)."""
    return _environment(session, batch, with_points=False, use_stored=False)[0]


def _environment(
    session: Session,
    batch: Batch,
    *,
    with_points: bool,
    legs: list[Any] | None = None,
    stocks: list[Any] | None = None,
    use_stored: bool = True,
) -> tuple[list[Segment], tuple[int, dict[str, Any]] | None]:
    """The segments, and (computed_at, body) to store when anything closed
    had to be computed (None when the stored one is current). ``legs``,
    ``stocks``: the batch's trips and ``shop_stocks`` when the caller has read
    them already."""
    ctx = _context(session, batch)
    category = ctx.category
    segments = _segments(session, batch, ctx, legs, stocks)
    all_ranges = sensors.range_history(session, batch.tenant_id)
    at: dict[tuple[str, Any], list[Sensor]] = defaultdict(list)
    for x in session.scalars(  # the bakery's sensors: a few dozen rows
        select(Sensor).where(Sensor.tenant_id == batch.tenant_id).order_by(Sensor.code)
    ):
        at[sensors.place_of(x)].append(x)
    found = [
        at.get((seg.place_kind, _place_id(session, batch.tenant_id, seg)), [])
        for seg in segments
    ]
    now = utcnow()
    computed_at = sensors.ms(now - SETTLE)
    closed = [seg.end <= now - SETTLE for seg in segments]
    results: list[list[SensorSummary] | None] = [None] * len(segments)
    keys: list[str] = []
    stored_keys: set[str] = set()
    if use_stored and not with_points:  # charts need the readings themselves
        fp = _ranges_fingerprint(all_ranges)
        keys = [
            _key(seg, xs, category, fp) for seg, xs in zip(segments, found, strict=True)
        ]
        stored = session.get(EnvironmentSummary, (batch.tenant_id, batch.id))
        if stored is not None:
            body = json.loads(stored.body)
            stored_keys = set(body)
            usable = [i for i, key in enumerate(keys) if closed[i] and key in body]
            late = _late(
                session,
                batch.tenant_id,
                [(i, found[i], segments[i].start, segments[i].end) for i in usable],
                stored.computed_at,
            )
            for i in usable:
                if i not in late:
                    results[i] = [_unpack(d) for d in body[keys[i]]]
    jobs = [
        (xs if results[i] is None else [], seg.start, seg.end)
        for i, (seg, xs) in enumerate(zip(segments, found, strict=True))
    ]
    computed = summarise_windows(
        session, jobs, category, with_points=with_points, all_ranges=all_ranges
    )
    kept = []
    for i, seg in enumerate(segments):
        got = results[i]
        seg.sensors = computed[i] if got is None else got
        seg.sensor_ids = [x.id for x in found[i]]
        if seg.sensors or seg.stage in ("production", "trip"):
            kept.append(seg)
    fresh = None
    if keys:
        computed_now = [i for i in range(len(keys)) if closed[i] and results[i] is None]
        # readings written since computed_at may still be settling: a summary
        # stored now would be out of date at once (and written on every read)
        settling = _late(
            session,
            batch.tenant_id,
            [(i, found[i], segments[i].start, segments[i].end) for i in computed_now],
            computed_at,
        )
        body_now = {
            keys[i]: [_pack(x) for x in seg.sensors]
            for i, seg in enumerate(segments)
            if closed[i] and i not in settling
        }
        if body_now and (set(computed_now) - settling or set(body_now) != stored_keys):
            fresh = (computed_at, body_now)
    return kept, fresh


def save(
    session: Session, batch: Batch, computed_at: int, body: dict[str, Any]
) -> None:
    """Store a batch's closed segments. A writing session stores them in its
    own transaction; a reading one in a short transaction of its own, which
    waits at most a moment for the write lock and gives up quietly (the
    summary is derived data: the next reader computes it again)."""
    values = {
        "tenant_id": batch.tenant_id,
        "batch_id": batch.id,
        "computed_at": computed_at,
        "body": json.dumps(body, ensure_ascii=False, separators=(",", ":")),
    }
    conn = session.connection()
    if conn.get_execution_options().get("bp_write", False):
        session.execute(_upsert(session, values))
        return
    engine = session.get_bind()
    if not isinstance(engine, Engine):
        return
    sqlite = engine.dialect.name == "sqlite"
    try:
        with engine.connect() as c:
            if sqlite:
                c.exec_driver_sql("PRAGMA busy_timeout=200")
            else:
                c.exec_driver_sql("SET LOCAL lock_timeout = '200ms'")
            try:
                c.execute(_upsert(session, values))
                c.commit()
            finally:
                if sqlite:
                    c.rollback()
                    c.exec_driver_sql("PRAGMA busy_timeout=30000")
                    c.commit()
    except SQLAlchemyError as exc:  # busy, or the batch is gone: not stored
        log.info("environment of %s not stored: %s", batch.code, exc)


def _upsert(session: Session, values: dict[str, Any]) -> Any:
    stmt = upsert_insert(session)(EnvironmentSummary).values(**values)
    return stmt.on_conflict_do_update(
        index_elements=["tenant_id", "batch_id"],
        set_={"computed_at": values["computed_at"], "body": values["body"]},
    )


def _late(
    session: Session,
    tenant_id: Any,
    windows: list[tuple[int, list[Sensor], datetime, datetime]],
    since: int,
) -> set[int]:
    """The windows (by index) holding a block written after ``since``."""
    ids = {x.id for _, xs, _, _ in windows for x in xs}
    if not ids:
        return set()
    spans = [
        (i, {x.id for x in xs}, blocks.hour_of(sensors.ms(a)), sensors.ms(b))
        for i, xs, a, b in windows
    ]
    last = max(b for *_, b in spans)
    late: set[int] = set()
    # the index (tenant, sensor, written_at, hour) answers it; "+ 0" keeps
    # the planner off the hour index, whose range would be every hour before
    for sensor_id, hour in session.execute(
        select(SensorBlock.sensor_id, SensorBlock.hour).where(
            SensorBlock.tenant_id == tenant_id,
            SensorBlock.sensor_id.in_(ids),
            SensorBlock.written_at > since,
            SensorBlock.hour + 0 <= last,
        )
    ):
        for i, sids, h0, b in spans:
            if sensor_id in sids and h0 <= hour <= b:
                late.add(i)
    return late


def _ranges_fingerprint(ranges: Sequence[EnvironmentRange]) -> str:
    raw = [
        (
            r.kind,
            r.place_kind,
            str(r.place_id),
            r.category,
            r.low,
            r.high,
            sensors.ms(r.valid_from),
            sensors.ms(r.valid_to) if r.valid_to else None,
        )
        for r in ranges
    ]
    return hashlib.sha256(repr(raw).encode()).hexdigest()[:16]


def _key(seg: Segment, found: Sequence[Sensor], category: str | None, fp: str) -> str:
    """What a segment's summary was computed from, as a short digest."""
    raw = [
        seg.stage,
        seg.place_kind,
        str(seg.place_id),
        seg.ref,
        sensors.ms(seg.start),
        sensors.ms(seg.end),
        category,
        fp,
        [(str(x.id), x.code, x.kind, x.unit) for x in found],
    ]
    return hashlib.sha256(repr(raw).encode()).hexdigest()[:24]


def _pack(x: SensorSummary) -> dict[str, Any]:
    return {
        **_figures(x),
        "excursions": [
            [
                sensors.ms(e.start),
                sensors.ms(e.end) if e.end is not None else None,
                e.peak,
                e.low,
                e.high,
                e.beyond_pct,
                e.minutes,
            ]
            for e in x.excursions
        ],
    }


def _unpack(d: dict[str, Any]) -> SensorSummary:
    return SensorSummary(
        **{k: v for k, v in d.items() if k != "excursions"},
        excursions=[
            Excursion(
                start=sensors.from_ms(a),
                end=sensors.from_ms(b) if b is not None else None,
                peak=peak,
                low=low,
                high=high,
                beyond_pct=pct,
                minutes=minutes,
            )
            for a, b, peak, low, high, pct, minutes in d["excursions"]
        ],
    )


def _place_id(session: Session, tenant_id: Any, seg: Segment) -> Any:
    if seg.place_id is not None:
        return seg.place_id
    model = sensors.PLACES[seg.place_kind]
    return session.scalar(
        select(model.id).where(model.tenant_id == tenant_id, model.code == seg.place)
    )


def anomalies(segments: list[Segment]) -> list[dict[str, Any]]:
    """Every excursion, most severe first, worded for the top of a trace. An
    excursion that runs on from one stage into the next (same sensor) is one."""
    out: list[dict[str, Any]] = []
    last: dict[str, dict[str, Any]] = {}
    for seg in segments:
        for s in seg.sensors:
            for e in s.excursions:
                prev = last.get(s.sensor)
                if prev is not None and (prev["end"] is None or e.start <= prev["end"]):
                    prev["level"] = max(prev["level"], e.level)
                    if beyond(e.peak, e.low, e.high) > beyond(
                        prev["peak"], e.low, e.high
                    ):
                        prev["peak"] = e.peak
                    prev["end"] = e.end
                    if e.end is not None:  # its length is the whole run's
                        span = (e.end - prev["start"]).total_seconds() / 60
                        prev["minutes"] = round(span, 1)
                    continue
                limit = (
                    f"≤ {e.high:g}"
                    if e.high is not None and e.peak > e.high
                    else f"≥ {e.low:g}"
                )
                item = {
                    "stage": seg.stage,
                    "place": seg.place_name,
                    "place_kind": seg.place_kind,
                    "place_code": seg.place,
                    "ref": seg.ref,  # the trip, for a van
                    "sensor": s.sensor,
                    "kind": s.kind,
                    "unit": s.unit,
                    "peak": e.peak,
                    "limit": limit,
                    "level": e.level,
                    "start": e.start,
                    "end": e.end,
                    "minutes": e.minutes,
                }
                last[s.sensor] = item
                out.append(item)
    for a in out:
        unit = "%" if a["kind"] == "humidity" else " °C"
        label_zh = "湿度" if a["kind"] == "humidity" else "温度"
        a["zh"] = f"{label_zh} {a['peak']:g}{unit}，标准 {a['limit']}{unit}"
        a["en"] = f"{a['kind']} {a['peak']:g}{unit}, standard {a['limit']}{unit}"
    return sorted(out, key=lambda a: (-a["level"], a["start"]))


def store_all(
    db: Any,
    tenant_id: Any,
    *,
    progress: Any = None,
    chunk: int = 200,
) -> dict[str, int]:
    """Compute and store the settled environment of every batch whose stored
    one is missing or out of date, oldest first, ``chunk`` batches a
    transaction (after a bulk load or an upgrade; readers would otherwise
    store each on first read)."""
    with db.session(write=False) as s:
        ids = list(
            s.scalars(
                select(Batch.id)
                .where(Batch.tenant_id == tenant_id)
                .order_by(Batch.started_at, Batch.id)
            )
        )
    stored = 0
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        with db.session() as s:
            for batch in s.scalars(
                select(Batch)
                .where(Batch.tenant_id == tenant_id, Batch.id.in_(part))
                .order_by(Batch.started_at, Batch.id)
            ):
                _, fresh = _environment(s, batch, with_points=False)
                if fresh is not None:
                    save(s, batch, *fresh)
                    stored += 1
        if progress is not None:
            progress("环境汇总 / batch environments", start + len(part), len(ids))
    return {"batches": len(ids), "stored": stored}
