"""``bakeprint bench dataset``: a deterministic bakery chain to measure against.

Sizes (one bakery each, its own tenant ``bench-s`` / ``bench-m`` / ``bench-l``):

====  ======  =====  ==========  ===========  ==========  ============
size  shops   days   batches     units        events      readings
====  ======  =====  ==========  ===========  ==========  ============
S     5       14     ~230        ~23 k        ~25 k       ~0.5 M
M     12      90     ~5.9 k      ~0.6 M       ~0.6 M      ~9 M
L     50      365    ~100 k      ~10 M        ~11 M       ~95 M
====  ======  =====  ==========  ===========  ==========  ============

The master data (lines, products, recipes, materials, suppliers, ovens, vans,
users) is made through the real services, as the demo does. The daily history
is written straight into the tables, because the service path (a few ms per
event) would take most of a day for L; what it writes is what the services
would: batches with operators, equipment, bake records, checkpoints and
consumption of material lots (first-expiring lot of each material, a lot lasting
several days, so one flour lot feeds ~1,100 batches at L), packed units with
check-charactered serials, trips by van to the shops, per-shop stock, each
package sold by scanning its serial over the following days, and what is left
at the best-before date wasted. Every step is an EPCIS event of the same shape
as the services write, appended to the bakery's hash chain (``bakeprint verify``
passes). A year of 10 s readings is filled for the kitchen's sensors and the
vans' cabin thermometers.

Each day is one transaction, in time order: day ``d`` holds that day's
production and deliveries and the sales and waste that happen on ``d`` of
earlier batches, so the chain's order is time order. Counts that only settle
later (a unit's status, a shop's sold/wasted) are written with the day the batch
is made, at their values on the last day of the dataset. Re-running the command
resumes after the last finished day; everything is derived from the size and
the day, so a resumed run and an uninterrupted one write the same rows.
"""

from __future__ import annotations

import math
import random
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, func, insert, select, update
from sqlalchemy.orm import Session

from bakeprint.db import Database, slices
from bakeprint.events.hashing import chain_hash, row_payload
from bakeprint.events.models import ChainHead, Event
from bakeprint.interop import ids
from bakeprint.logistics.models import Delivery, Trip, TripLoad
from bakeprint.materials.models import LotCodeSequence, MaterialLot
from bakeprint.packaging import serials
from bakeprint.packaging.models import Unit
from bakeprint.production.models import (
    BakeRecord,
    Batch,
    BatchCodeSequence,
    BatchEquipment,
    BatchOperator,
    Consumption,
)
from bakeprint.quality.models import Checkpoint
from bakeprint.retail.models import ShopStock
from bakeprint.sequences import CodeSequence

Progress = Callable[[str, int, int], None]
TZ_NAME = "Asia/Shanghai"
TZ = ZoneInfo(TZ_NAME)
FIRST_DAY = date(2025, 1, 6)


@dataclass(frozen=True)
class Size:
    name: str
    shops: int
    days: int
    hall_sensors: int

    @property
    def slug(self) -> str:
        return f"bench-{self.name.lower()}"

    @property
    def batches_a_day(self) -> int:
        return max(8, round(self.shops * 5.5))

    @property
    def vans(self) -> int:
        return max(2, math.ceil(self.shops / 5))

    @property
    def last_day(self) -> date:
        return FIRST_DAY + timedelta(days=self.days - 1)


SIZES = {
    "S": Size("S", shops=5, days=14, hall_sensors=2),
    "M": Size("M", shops=12, days=90, hall_sensors=8),
    "L": Size("L", shops=50, days=365, hall_sensors=20),
}

# product -> line, sessions; the limited-edition box is left out (certificates
# are signed one by one and are not what these figures are about)
PLAN = [
    ("SAKURA", "SS"),
    ("MATCHA", "SS"),
    ("OSMAN", "SS"),
    ("TOWER", "CS"),
    ("YOLK", "CS"),
]
# material -> days one delivered lot lasts (the lot is sized for that)
LASTS = {
    "FLOUR": 4,
    "BUTTER": 3,
    "SUGAR": 7,
    "EGG": 1,
    "CREAM": 1,
    "SAKURA-P": 2,
    "MATCHA-P": 7,
    "REDBEAN": 2,
    "OSMANTHUS": 3,
    "YOLK-S": 2,
    "ICING": 7,
    "ALMOND": 7,
}
OVENS = {("SS", "AM"): "OVEN-1", ("SS", "PM"): "OVEN-3", ("CS", "AM"): "OVEN-2"}
OPERATORS = {"AM": ["LI-01", "ZHANG-02"], "PM": ["WANG-03", "CHEN-04"]}
START = {"AM": time(7, 30), "PM": time(13, 0)}
SERIAL_SPACE = len(serials.ALPHABET) ** serials.BODY
SERIAL_MUL = 0x5DEECE66D  # odd and not a multiple of 31: a bijection mod 31⁸


def serial_for(number: int) -> str:
    """A unique, random-looking serial for the dataset's ``number``-th unit."""
    n = (number * SERIAL_MUL + 0xB) % SERIAL_SPACE
    body = []
    for _ in range(serials.BODY):
        n, r = divmod(n, len(serials.ALPHABET))
        body.append(serials.ALPHABET[r])
    text = "".join(body)
    return text + serials.check_char(text)


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def local(day: date, clock: time, minutes: float = 0) -> datetime:
    return datetime.combine(day, clock, TZ) + timedelta(minutes=minutes)


# ---------------------------------------------------------------- master data


@dataclass
class World:
    """What the daily writer needs to know about the bakery, by code."""

    size: Size
    tenant_id: uuid.UUID
    products: dict[str, dict[str, Any]]
    materials: dict[str, dict[str, Any]]
    operators: dict[str, uuid.UUID]
    equipment: dict[str, uuid.UUID]
    locations: dict[str, uuid.UUID]
    shops: list[tuple[uuid.UUID, str]]
    vans: list[tuple[uuid.UUID, str]]
    plans: dict[int, list[PlannedBatch]] = field(default_factory=dict)

    def plan(self, d: int) -> list[PlannedBatch]:
        """Day ``d``'s plan, kept while later days still sell from it."""
        if d not in self.plans:
            for old in [k for k in self.plans if k < d - 20]:
                del self.plans[old]
            self.plans[d] = plan_day(self, d)
        return self.plans[d]

    def route(self, van: int) -> list[int]:
        return list(range(van, len(self.shops), len(self.vans)))

    def van_of(self, shop: int) -> int:
        return shop % len(self.vans)


def setup(session: Session, size: Size) -> uuid.UUID:
    """The bakery with its catalog, users, shops, vans and sensors."""
    from bakeprint.catalog.models import PointOfSale, Vehicle
    from bakeprint.demo.loader import build_catalog, build_users
    from bakeprint.identity import service as identity
    from bakeprint.logistics.service import cabin_sensor
    from bakeprint.sensors import service as sensors

    tenant = identity.create_tenant(
        session,
        slug=size.slug,
        name=f"基准数据集 {size.name}（{size.shops} 店 × {size.days} 天）",
        timezone=TZ_NAME,
    )
    catalog = build_catalog(session, tenant.id)
    users = build_users(session, tenant.id, catalog)
    rng = random.Random(f"{size.name}-shops")
    for i in range(len(catalog.points_of_sale), size.shops):
        session.add(
            PointOfSale(
                tenant_id=tenant.id,
                code=f"SHOP-{i + 1:03d}",
                name=f"第 {i + 1} 号门店",
                kind="shop",
                address=f"城市大道 {i + 1} 号",
                distance_km=round(rng.uniform(3, 25), 1),
            )
        )
    for i in range(len(catalog.vehicles), size.vans):
        session.add(
            Vehicle(
                tenant_id=tenant.id,
                code=f"VAN-{i + 1}",
                name=f"{i + 1}号车",
                plate=f"沪A·D{1001 + i}",
                emission_kg_per_km=0.23,
            )
        )
    session.flush()
    owner = identity.actor_for(users["owner"], via="bench")
    for v in session.scalars(select(Vehicle).where(Vehicle.tenant_id == tenant.id)):
        cabin_sensor(session, v)
    for i in range(size.hall_sensors):
        kind = "humidity" if i % 2 == 0 else "temperature"
        sensors.register(
            session,
            code=f"H{i:02d}-{'RH' if kind == 'humidity' else 'T'}",
            kind=kind,
            place_kind="location",
            place="HALL-1",
            actor=owner,
        )
    sensors.set_range(
        session,
        kind="humidity",
        place_kind="location",
        place="HALL-1",
        low=None,
        high=70.0,
        valid_from=datetime(2000, 1, 1, tzinfo=UTC),
        actor=owner,
    )
    return tenant.id


def world(session: Session, size: Size, tenant_id: uuid.UUID) -> World:
    from bakeprint.catalog.models import (
        Equipment,
        Location,
        MaterialType,
        Operator,
        PointOfSale,
        Product,
        ProductLine,
        RecipeVariant,
        Supplier,
        Vehicle,
    )
    from bakeprint.demo import data as D

    t = tenant_id
    by_gtin_body = {row[2]: row[0] for row in D.PRODUCTS}
    lines = {
        x.id: x.code
        for x in session.scalars(select(ProductLine).where(ProductLine.tenant_id == t))
    }
    variants = {
        (v.product_id, v.code): v
        for v in session.scalars(
            select(RecipeVariant).where(RecipeVariant.tenant_id == t)
        )
    }
    products = {}
    for p in session.scalars(select(Product).where(Product.tenant_id == t)):
        code = by_gtin_body[p.gtin[1:-1]]
        v = variants[(p.id, "F1")]
        products[code] = {
            "id": p.id,
            "gtin": p.gtin,
            "line": lines[p.line_id],
            "shelf": p.shelf_life_days,
            "variant_id": v.id,
            "temp": v.target_oven_temp_c,
            "minutes": v.target_bake_minutes,
        }
    suppliers = {
        s.id: s.code
        for s in session.scalars(select(Supplier).where(Supplier.tenant_id == t))
    }
    supplier_ids = {code: sid for sid, code in suppliers.items()}
    materials = {}
    for m in session.scalars(select(MaterialType).where(MaterialType.tenant_id == t)):
        supplier, _, shelf = D.SUPPLY[m.code]
        materials[m.code] = {
            "id": m.id,
            "unit": m.unit,
            "supplier": supplier,
            "supplier_id": supplier_ids[supplier],
            "shelf": shelf,
        }

    def codes(model: Any) -> dict[str, uuid.UUID]:
        return {
            x.code: x.id
            for x in session.scalars(
                select(model).where(model.tenant_id == t).order_by(model.code)
            )
        }

    shops = sorted(codes(PointOfSale).items(), key=lambda kv: kv[0])
    vans = sorted(codes(Vehicle).items(), key=lambda kv: int(kv[0].split("-")[1]))
    return World(
        size=size,
        tenant_id=t,
        products=products,
        materials=materials,
        operators=codes(Operator),
        equipment=codes(Equipment),
        locations=codes(Location),
        shops=[(i, c) for c, i in shops],
        vans=[(i, c) for c, i in vans],
    )


# ---------------------------------------------------------------- the plan


@dataclass
class Drop:
    shop: int  # index into World.shops
    first: int  # first unit number in this drop
    quantity: int
    sales: list[datetime]  # one per unit sold, in order, all of them
    wasted_at: datetime | None  # leftovers removed at the best-before date


@dataclass
class PlannedBatch:
    index: int
    id: uuid.UUID
    code: str
    product: str
    line: str
    session: str
    seq: int
    planned: int
    produced: int
    start: datetime
    best_before: date
    drops: list[Drop] = field(default_factory=list)


def plan_day(w: World, d: int) -> list[PlannedBatch]:
    """The batches of day ``d`` (0-based) and where their units go: a pure
    function of the size and the day, so resuming needs nothing stored."""
    size, day = w.size, FIRST_DAY + timedelta(days=d)
    rng = random.Random(f"{size.name}-day-{d}")
    n = size.batches_a_day
    seqs: dict[tuple[str, str], int] = defaultdict(int)
    out = []
    for i in range(n):
        product, line = PLAN[i % len(PLAN)]
        sess = "AM" if i < n // 2 else "PM"
        seqs[(line, sess)] += 1
        seq = seqs[(line, sess)]
        planned = rng.choice(range(60, 141, 10))
        produced = planned - rng.randint(0, 3)
        slot = i if sess == "AM" else i - n // 2
        start = local(day, START[sess], (slot % 12) * 20)
        shelf = w.products[product]["shelf"]
        b = PlannedBatch(
            index=i,
            id=_uuid(rng),
            code=f"{day:%y%m%d}-{line}-{sess}-{seq:03d}",
            product=product,
            line=line,
            session=sess,
            seq=seq,
            planned=planned,
            produced=produced,
            start=start,
            best_before=day + timedelta(days=shelf),
        )
        k = min(len(w.shops), rng.randint(2, 4))
        shops = sorted(rng.sample(range(len(w.shops)), k))
        cuts = sorted(rng.sample(range(1, produced), k - 1)) if k > 1 else []
        bounds = [0, *cuts, produced]
        for j, shop in enumerate(shops):
            qty = bounds[j + 1] - bounds[j]
            b.drops.append(_drop(w, b, shop, bounds[j] + 1, qty, rng))
        out.append(b)
    return out


def _drop(
    w: World, b: PlannedBatch, shop: int, first: int, qty: int, rng: random.Random
) -> Drop:
    day = b.start.date()
    shelf = (b.best_before - day).days
    sold = round(qty * rng.uniform(0.55, 1.0))
    weights = [0.5**k for k in range(shelf)]
    per_day = [0] * shelf
    for _ in range(sold):
        per_day[rng.choices(range(shelf), weights)[0]] += 1
    sales = []
    for k, count in enumerate(per_day):
        opens = local(day + timedelta(days=k), time(10, 0))
        if k == 0:
            opens = max(opens, b.start + timedelta(hours=4))
        close = local(day + timedelta(days=k), time(20, 0))
        span = (close - opens).total_seconds()
        sales += sorted(
            opens + timedelta(seconds=int(rng.uniform(0, span))) for _ in range(count)
        )
    wasted_at = local(b.best_before + timedelta(days=1), time(9, 0))
    return Drop(shop, first, qty, sales, wasted_at if sold < qty else None)


# ---------------------------------------------------------------- the writer


class Chain:
    """Events of one day: bodies as ``events.service.append`` writes them,
    hashed onto the bakery's chain in time order."""

    def __init__(self, w: World, slug: str, rng: random.Random) -> None:
        self.w, self.slug, self.rng = w, slug, rng
        self.pending: list[tuple[datetime, int, dict[str, Any]]] = []

    def add(
        self,
        *,
        kind: str,
        subject: str,
        event_type: str,
        biz_step: str,
        when: datetime,
        actor: str,
        action: str | None = "OBSERVE",
        disposition: str | None = None,
        fields: dict[str, Any] | None = None,
        ext: dict[str, Any] | None = None,
    ) -> None:
        body: dict[str, Any] = {
            "type": event_type,
            "eventTime": when.astimezone(TZ).isoformat(timespec="milliseconds"),
            "eventTimeZoneOffset": "+08:00",
        }
        if action:
            body["action"] = action
        body["bizStep"] = biz_step
        if disposition:
            body["disposition"] = disposition
        body.update(fields or {})
        for key, value in (ext or {}).items():
            body[f"bp:{key}"] = value
        row = {
            "event_id": f"urn:uuid:{_uuid(self.rng)}",
            "event_type": event_type,
            "action": action,
            "biz_step": biz_step,
            "event_time": when.astimezone(UTC),
            "event_tz": "+08:00",
            "subject": subject,
            "kind": kind,
            "actor": actor,
            "corrects_seq": None,
            "body": body,
        }
        self.pending.append((when, len(self.pending), row))

    def write(self, session: Session) -> int:
        t = self.w.tenant_id
        head = session.get(ChainHead, t)
        assert head is not None
        seq, prev = head.last_seq, head.last_hash
        rows = []
        for _, _, row in sorted(self.pending, key=lambda x: (x[0], x[1])):
            seq += 1
            row["seq"] = seq
            # recorded a minute after it happened: record order is time order
            row["record_time"] = row["event_time"] + timedelta(minutes=1)
            digest = chain_hash(prev, row_payload(**row))
            rows.append({"tenant_id": t, "prev_hash": prev, "hash": digest, **row})
            prev = digest
        bulk_insert(session, Event, rows)
        head.last_seq, head.last_hash = seq, prev
        return len(rows)


def bulk_insert(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    """Insert many rows: COPY on PostgreSQL (several times faster than
    pipelined INSERTs at these sizes), batched INSERTs on SQLite."""
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        for chunk in slices(rows):
            session.execute(insert(model), chunk)
        return
    from psycopg.types.json import Json

    table = model.__table__
    cols = [c.name for c in table.columns]
    fill: dict[str, Any] = {}
    for c in table.columns:
        d: Any = c.default
        if c.name not in rows[0] and d is not None:
            fill[c.name] = d.arg if d.is_callable else (lambda _ctx, v=d.arg: v)
    json_cols = {c.name for c in table.columns if isinstance(c.type, JSON)}
    raw = session.connection().connection.driver_connection
    assert raw is not None
    with (
        raw.cursor() as cur,
        cur.copy(f"COPY {table.name} ({', '.join(cols)}) FROM STDIN") as copy,
    ):
        for row in rows:
            values = []
            for c in cols:
                if c in row:
                    v = row[c]
                elif c in fill:
                    v = fill[c](None)
                else:
                    v = None
                values.append(Json(v) if c in json_cols and v is not None else v)
            copy.write_row(values)


def _where(slug: str, kind: str, code: str) -> dict[str, Any]:
    urn = ids.location_urn(slug, kind, code)
    return {"readPoint": {"id": urn}, "bizLocation": {"id": urn}}


def _qty(gtin: str, code: str, quantity: float, uom: str | None = None) -> Any:
    q: dict[str, Any] = {"epcClass": ids.batch_class(gtin, code), "quantity": quantity}
    if uom:
        q["uom"] = uom
    return [q]


@dataclass
class Lot:
    id: uuid.UUID
    code: str
    supplier_lot: str


@cache
def _used_materials() -> frozenset[str]:
    """The materials the planned products' recipes use."""
    from bakeprint.demo import data as D

    return frozenset(m for product, _ in PLAN for m, _ in D.RECIPES[product])


def _lot_plan(w: World, d: int) -> list[str]:
    """Materials whose lot is delivered on day ``d`` (in a fixed order): those
    the planned products use, each on its rhythm."""
    used = _used_materials()
    return [m for m in sorted(w.materials) if m in used and d % LASTS[m] == 0]


def _lot_id(w: World, material: str, start_day: int) -> Lot:
    rng = random.Random(f"{w.size.name}-lot-{material}-{start_day}")
    day = FIRST_DAY + timedelta(days=start_day)
    n = _lot_plan(w, start_day).index(material) + 1
    supplier = w.materials[material]["supplier"]
    return Lot(
        id=_uuid(rng),
        code=f"RM-{day:%Y%m%d}-{n:03d}",
        supplier_lot=f"LOT{day:%y%m%d}{supplier}-{n}",
    )


def _need_per_day(w: World) -> dict[str, float]:
    """The most a day's batches can use of each material (140 units each)."""
    from bakeprint.demo import data as D

    need: dict[str, float] = defaultdict(float)
    for i in range(w.size.batches_a_day):
        for material, per100 in D.RECIPES[PLAN[i % len(PLAN)][0]]:
            need[material] += per100 * 1.4
    return need


def write_day(session: Session, w: World, d: int) -> dict[str, int]:
    """Day ``d``: lots delivered, batches made, packed, shipped; sales and waste
    of that day (of batches made that day or earlier). One transaction."""
    from bakeprint.demo import data as D

    t, slug = w.tenant_id, w.size.slug
    day = FIRST_DAY + timedelta(days=d)
    rng = random.Random(f"{w.size.name}-rows-{d}")
    chain = Chain(w, slug, rng)
    rows: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    need = _need_per_day(w)
    delivered = _lot_plan(w, d)
    # the lot of each material in use today (delivered today or earlier)
    lots = {m: _lot_id(w, m, d - d % LASTS[m]) for m in _used_materials()}
    # -- materials delivered this morning, sized for the days they last
    for n, material in enumerate(delivered, start=1):
        m = w.materials[material]
        lot = lots[material]
        qty = float(max(1, math.ceil(need.get(material, 1.0) * LASTS[material])))
        when = local(day, time(6, 30), n)
        expires = day + timedelta(days=max(m["shelf"], LASTS[material]))
        where = "COLD-1" if material in ("CREAM", "EGG", "REDBEAN") else "DRY-1"
        rows[MaterialLot].append(
            {
                "id": lot.id,
                "tenant_id": t,
                "code": lot.code,
                "material_type_id": m["id"],
                "supplier_id": m["supplier_id"],
                "supplier_lot": lot.supplier_lot,
                "received_at": when,
                "quantity": qty,
                "unit": m["unit"],
                "expires_on": expires,
                "qc_result": "pass",
                "quality_score": rng.randint(86, 98),
                "location_id": w.locations[where],
                "consumed": 0.0,
                "notes": "",
                "received_by": "user:qc-zhou",
            }
        )
        uri = ids.lot_class(slug, lot.code)
        chain.add(
            kind="intake",
            subject=f"lot:{lot.code}",
            event_type="ObjectEvent",
            action="ADD",
            biz_step="receiving",
            disposition="in_progress",
            when=when,
            actor="user:qc-zhou",
            fields={
                "epcList": [],
                "quantityList": [{"epcClass": uri, "quantity": qty, "uom": "KGM"}],
                **_where(slug, "location", where),
                "sourceList": [
                    {
                        "type": "owning_party",
                        "source": f"urn:bakeprint:{slug}:supplier:{m['supplier']}",
                    }
                ],
                "destinationList": [
                    {"type": "owning_party", "destination": f"urn:bakeprint:{slug}"}
                ],
                "ilmd": {
                    "cbvmda:itemExpirationDate": expires.isoformat(),
                    "cbvmda:lotNumber": lot.supplier_lot,
                },
            },
            ext={
                "lot": lot.code,
                "material": material,
                "supplier": m["supplier"],
                "supplier_lot": lot.supplier_lot,
                "qc_result": "pass",
                "quality_score": rows[MaterialLot][-1]["quality_score"],
                "report_sha256": None,
            },
        )
    if delivered:
        rows[LotCodeSequence].append(
            {"tenant_id": t, "day": day, "last_value": len(delivered)}
        )
    # -- today's batches
    batches = w.plan(d)
    used: dict[uuid.UUID, float] = defaultdict(float)
    seqs: dict[tuple[str, str], int] = defaultdict(int)
    qc = w.operators["ZHOU-QC"]
    for b in batches:
        seqs[(b.line, b.session)] = max(seqs[(b.line, b.session)], b.seq)
        _batch_rows(w, b, d, rows, chain, used, lots, qc, D.RECIPES[b.product], rng)
    for (line, sess), last in seqs.items():
        rows[BatchCodeSequence].append(
            {
                "tenant_id": t,
                "day": day,
                "line_code": line,
                "session": sess,
                "last_value": last,
            }
        )
    _ship(w, d, batches, rows, chain, rng)
    # -- sales and waste happening today, of batches made up to 15 days ago
    for back in range(0, 16):
        if d - back < 0:
            break
        for b in w.plan(d - back) if back else batches:
            _sell(w, b, day, chain)
    for model, batch_rows in rows.items():
        bulk_insert(session, model, batch_rows)
    for lot_id, qty in used.items():
        session.execute(
            update(MaterialLot)
            .where(MaterialLot.tenant_id == t, MaterialLot.id == lot_id)
            .values(consumed=MaterialLot.consumed + round(qty, 3))
        )
    events = chain.write(session)
    return {
        "batches": len(batches),
        "units": sum(b.produced for b in batches),
        "events": events,
        "lots": len(delivered),
    }


def _batch_rows(
    w: World,
    b: PlannedBatch,
    d: int,
    rows: dict[Any, list[dict[str, Any]]],
    chain: Chain,
    used: dict[uuid.UUID, float],
    lots: dict[str, Lot],
    qc: uuid.UUID,
    recipe: list[tuple[str, float]],
    rng: random.Random,
) -> None:
    t, slug = w.tenant_id, w.size.slug
    p = w.products[b.product]
    gtin, code = p["gtin"], b.code
    oven = OVENS.get((b.line, b.session), "OVEN-2")
    ops = OPERATORS[b.session]
    equipment = ["STEAM-1"] if b.product == "OSMAN" else [oven, "MIXER-1"]
    ended = b.start + timedelta(minutes=75)
    cooled = ended + timedelta(minutes=35)
    packed = cooled + timedelta(minutes=15)
    subject, production, qc_user = f"batch:{code}", "user:wang", "user:qc-zhou"
    rows[Batch].append(
        {
            "id": b.id,
            "tenant_id": t,
            "code": code,
            "product_id": p["id"],
            "variant_id": p["variant_id"],
            "line_code": b.line,
            "production_date": b.start.date(),
            "session": b.session,
            "seq": b.seq,
            "planned_quantity": b.planned,
            "status": "packed",
            "location_id": w.locations["HALL-1"],
            "started_at": b.start,
            "ended_at": ended,
            "produced_quantity": b.produced,
            "packed_quantity": b.produced,
            "packed_at": packed,
            "best_before": b.best_before,
            "needs_attention": False,
            "sampling_rate": 0.02,
            "notes": "",
        }
    )
    for k, op in enumerate(ops):
        rows[BatchOperator].append(
            {
                "tenant_id": t,
                "batch_id": b.id,
                "operator_id": w.operators[op],
                "role": "main" if k == 0 else "assist",
            }
        )
    for eq in equipment:
        rows[BatchEquipment].append(
            {"tenant_id": t, "batch_id": b.id, "equipment_id": w.equipment[eq]}
        )
    ilmd = {
        "cbvmda:bestBeforeDate": b.best_before.isoformat(),
        "cbvmda:lotNumber": code,
    }
    chain.add(
        kind="batch_started",
        subject=subject,
        event_type="ObjectEvent",
        action="ADD",
        biz_step="commissioning",
        disposition="in_progress",
        when=b.start,
        actor=production,
        fields={
            "epcList": [],
            "quantityList": _qty(gtin, code, b.planned),
            **_where(slug, "location", "HALL-1"),
            "ilmd": ilmd,
        },
        ext={
            "batch": code,
            "session": b.session,
            "variant": "F1",
            "operators": ops,
            "equipment": equipment,
        },
    )
    bound = b.start + timedelta(minutes=5)
    for material, per100 in recipe:
        lot = lots[material]
        qty = round(per100 * b.planned / 100, 3)
        used[lot.id] += qty
        rows[Consumption].append(
            {
                "id": _uuid(rng),
                "tenant_id": t,
                "batch_id": b.id,
                "lot_id": lot.id,
                "quantity": qty,
                "unit": w.materials[material]["unit"],
                "recorded_at": bound,
                "warning": "",
            }
        )
        chain.add(
            kind="consumption",
            subject=subject,
            event_type="TransformationEvent",
            action=None,
            biz_step="creating_class_instance",
            disposition="in_progress",
            when=bound,
            actor=production,
            fields={
                "transformationID": f"urn:bakeprint:{slug}:transformation:{code}",
                "inputQuantityList": [
                    {
                        "epcClass": ids.lot_class(slug, lot.code),
                        "quantity": qty,
                        "uom": "KGM",
                    }
                ],
            },
            ext={
                "batch": code,
                "lot": lot.code,
                "supplier": w.materials[material]["supplier"],
                "supplier_lot": lot.supplier_lot,
                "qc_result": "pass",
                "warning": None,
                "reason": None,
            },
        )
    checks = [("pre_bake", ops[0], b.start + timedelta(minutes=20))]
    checks.append(("post_cooling", "ZHOU-QC", cooled))
    for stage, inspector, at in checks:
        rows[Checkpoint].append(
            {
                "id": _uuid(rng),
                "tenant_id": t,
                "batch_id": b.id,
                "stage": stage,
                "passed": True,
                "notes": "",
                "inspector_id": w.operators[inspector] if inspector else qc,
                "checked_at": at,
            }
        )
        chain.add(
            kind="checkpoint",
            subject=subject,
            event_type="ObjectEvent",
            biz_step="inspecting",
            disposition="conformant",
            when=at,
            actor=qc_user,
            fields={"epcList": [], "quantityList": _qty(gtin, code, b.planned)},
            ext={
                "batch": code,
                "stage": stage,
                "passed": True,
                "inspector": inspector,
                "reason": None,
            },
        )
    if b.product != "OSMAN":
        at = b.start + timedelta(minutes=50)
        temp = round(p["temp"] + rng.gauss(0, 1.0), 1)
        minutes = round(p["minutes"] + rng.gauss(0, 0.4), 1)
        rows[BakeRecord].append(
            {
                "id": _uuid(rng),
                "tenant_id": t,
                "batch_id": b.id,
                "equipment_id": w.equipment[oven],
                "target_temp_c": p["temp"],
                "actual_temp_c": temp,
                "target_minutes": p["minutes"],
                "actual_minutes": minutes,
                "recorded_at": at,
                "source": "oven",
                "within_tolerance": abs(temp - p["temp"]) <= 5,
            }
        )
        chain.add(
            kind="bake",
            subject=subject,
            event_type="ObjectEvent",
            biz_step="sensor_reporting",
            disposition="in_progress",
            when=at,
            actor=production,
            fields={
                "epcList": [],
                "quantityList": _qty(gtin, code, b.planned),
                "sensorElementList": [
                    {
                        "sensorMetadata": {"time": at.isoformat()},
                        "sensorReport": [
                            {"type": "Temperature", "value": temp, "uom": "CEL"},
                            {"type": "Time", "value": minutes, "uom": "MIN"},
                        ],
                    }
                ],
            },
            ext={
                "batch": code,
                "equipment": oven,
                "source": "oven",
                "target_temp_c": p["temp"],
                "target_minutes": p["minutes"],
                "within_tolerance": abs(temp - p["temp"]) <= 5,
            },
        )
    chain.add(
        kind="batch_completed",
        subject=subject,
        event_type="TransformationEvent",
        action=None,
        biz_step="creating_class_instance",
        disposition="in_progress",
        when=ended,
        actor=production,
        fields={
            "transformationID": f"urn:bakeprint:{slug}:transformation:{code}",
            "outputQuantityList": _qty(gtin, code, b.produced),
            **_where(slug, "location", "HALL-1"),
            "ilmd": ilmd,
        },
        ext={"batch": code, "planned": b.planned},
    )
    chain.add(
        kind="packed",
        subject=subject,
        event_type="ObjectEvent",
        biz_step="packing",
        disposition="sellable_not_accessible",
        when=packed,
        actor=production,
        fields={"epcList": [], "quantityList": _qty(gtin, code, b.produced)},
        ext={"batch": code, "produced": b.produced},
    )
    # units, each with the state it has on the dataset's last day
    end = local(w.size.last_day + timedelta(days=1), time(0, 0))
    base = (d * 1000 + b.index) * 1000
    serial_of = [serial_for(base + k) for k in range(b.produced + 1)]
    for drop in b.drops:
        shop_id = w.shops[drop.shop][0]
        for k in range(drop.quantity):
            number = drop.first + k
            sold_at = drop.sales[k] if k < len(drop.sales) else None
            sold = sold_at is not None and sold_at < end
            rows[Unit].append(
                {
                    "id": uuid.UUID(int=(b.id.int + number) % (1 << 128)),
                    "tenant_id": t,
                    "batch_id": b.id,
                    "number": number,
                    "serial": serial_of[number],
                    "status": "sold" if sold else "in_stock",
                    "point_of_sale_id": shop_id if sold else None,
                    "status_at": sold_at if sold else None,
                    "scan_count": 0,
                }
            )
    chain.add(
        kind="units_commissioned",
        subject=subject,
        event_type="ObjectEvent",
        action="ADD",
        biz_step="commissioning",
        disposition="sellable_not_accessible",
        when=packed,
        actor=production,
        fields={
            "epcList": [
                ids.unit_uri(gtin, code, serial_of[k]) for k in range(1, b.produced + 1)
            ]
        },
        ext={"batch": code, "units": b.produced},
    )


def _ship(
    w: World,
    d: int,
    batches: list[PlannedBatch],
    rows: dict[Any, list[dict[str, Any]]],
    chain: Chain,
    rng: random.Random,
) -> None:
    """Each van does one round per session, dropping at the shops on its route."""
    t, slug = w.tenant_id, w.size.slug
    day = FIRST_DAY + timedelta(days=d)
    end = local(w.size.last_day + timedelta(days=1), time(0, 0))
    driver = "user:driver-liu"
    for n, sess in enumerate(("AM", "PM"), start=1):
        made = [b for b in batches if b.session == sess]
        if not made:
            continue
        depart = max(b.start for b in made) + timedelta(minutes=150)
        for v, (van_id, van) in enumerate(w.vans):
            route = w.route(v)
            loads = [
                (b, [x for x in b.drops if x.shop in route])
                for b in made
                if any(x.shop in route for x in b.drops)
            ]
            if not loads:
                continue
            trip_id = _uuid(rng)
            stops = {shop: k for k, shop in enumerate(route)}
            arrived = depart + timedelta(minutes=25 * (len(route) + 1))
            rows[Trip].append(
                {
                    "id": trip_id,
                    "tenant_id": t,
                    "code": f"T-{day:%y%m%d}-{van}-{n}",
                    "vehicle_id": van_id,
                    "driver": "刘司机",
                    "planned_departure": depart,
                    "planned_arrival": arrived,
                    "departed_at": depart,
                    "arrived_at": arrived,
                    "status": "arrived",
                    "notes": "",
                }
            )
            trip_code = f"T-{day:%y%m%d}-{van}-{n}"
            for b, drops in loads:
                gtin = w.products[b.product]["gtin"]
                qty = sum(x.quantity for x in drops)
                rows[TripLoad].append(
                    {
                        "id": _uuid(rng),
                        "tenant_id": t,
                        "trip_id": trip_id,
                        "batch_id": b.id,
                        "loaded": qty,
                        "delivered": qty,
                        "returned": 0,
                    }
                )
                ext = {"batch": b.code, "trip": trip_code, "vehicle": van}
                for kind, step, at, extra in (
                    ("loaded", "loading", depart - timedelta(minutes=15), {}),
                    (
                        "departed",
                        "departing",
                        depart,
                        {
                            "sourceList": [
                                {"type": "location", "source": f"urn:bakeprint:{slug}"}
                            ]
                        },
                    ),
                ):
                    chain.add(
                        kind=kind,
                        subject=f"batch:{b.code}",
                        event_type="ObjectEvent",
                        biz_step=step,
                        disposition="in_transit",
                        when=at,
                        actor=driver,
                        fields={
                            "epcList": [],
                            "quantityList": _qty(gtin, b.code, qty),
                            **_where(slug, "vehicle", van),
                            **extra,
                        },
                        ext=ext,
                    )
                for x in drops:
                    shop_id, shop = w.shops[x.shop]
                    at = depart + timedelta(minutes=25 * (stops[x.shop] + 1))
                    delivery = _uuid(rng)
                    rows[Delivery].append(
                        {
                            "id": delivery,
                            "tenant_id": t,
                            "trip_id": trip_id,
                            "batch_id": b.id,
                            "point_of_sale_id": shop_id,
                            "quantity": x.quantity,
                            "delivered_at": at,
                            "received": x.quantity,
                        }
                    )
                    sold = sum(1 for s in x.sales if s < end)
                    wasted = (
                        x.quantity - len(x.sales)
                        if x.wasted_at is not None and x.wasted_at < end
                        else 0
                    )
                    rows[ShopStock].append(
                        {
                            "id": _uuid(rng),
                            "tenant_id": t,
                            "point_of_sale_id": shop_id,
                            "batch_id": b.id,
                            "received": x.quantity,
                            "received_at": at,
                            "shelved_at": at + timedelta(minutes=10),
                            "sold": sold,
                            "wasted": wasted,
                            "returned": 0,
                        }
                    )
                    q = _qty(gtin, b.code, x.quantity)
                    here = _where(slug, "pos", shop)
                    chain.add(
                        kind="delivered",
                        subject=f"batch:{b.code}",
                        event_type="ObjectEvent",
                        biz_step="arriving",
                        disposition="in_transit",
                        when=at,
                        actor=driver,
                        fields={
                            "epcList": [],
                            "quantityList": q,
                            **here,
                            "destinationList": [
                                {
                                    "type": "location",
                                    "destination": here["readPoint"]["id"],
                                }
                            ],
                        },
                        ext={
                            "batch": b.code,
                            "trip": trip_code,
                            "point_of_sale": shop,
                            "delivery": str(delivery),
                        },
                    )
                    for kind, step, disp, when, more in (
                        (
                            "received",
                            "receiving",
                            "sellable_not_accessible",
                            at,
                            {"receiver": "店员", "delivery": str(delivery)},
                        ),
                        (
                            "shelved",
                            "stocking",
                            "sellable_accessible",
                            at + timedelta(minutes=10),
                            {},
                        ),
                    ):
                        chain.add(
                            kind=kind,
                            subject=f"batch:{b.code}",
                            event_type="ObjectEvent",
                            biz_step=step,
                            disposition=disp,
                            when=when,
                            actor="user:owner",
                            fields={"epcList": [], "quantityList": q, **here},
                            ext={"batch": b.code, "point_of_sale": shop, **more},
                        )
    counters = {f"T-{day:%y%m%d}-{van}": 2 for _, van in w.vans}
    for name, last in counters.items():
        rows[CodeSequence].append({"tenant_id": t, "name": name, "last_value": last})


def _sell(w: World, b: PlannedBatch, day: date, chain: Chain) -> None:
    """Sales (one scanned package each) and waste of batch ``b`` on ``day``."""
    slug = w.size.slug
    gtin = w.products[b.product]["gtin"]
    base = (((b.start.date() - FIRST_DAY).days) * 1000 + b.index) * 1000
    for x in b.drops:
        shop = w.shops[x.shop][1]
        here = _where(slug, "pos", shop)
        for k, at in enumerate(x.sales):
            if at.date() != day:
                continue
            chain.add(
                kind="sold",
                subject=f"batch:{b.code}",
                event_type="ObjectEvent",
                biz_step="retail_selling",
                disposition="retail_sold",
                when=at,
                actor="user:owner",
                fields={"epcList": [], "quantityList": _qty(gtin, b.code, 1), **here},
                ext={
                    "batch": b.code,
                    "point_of_sale": shop,
                    "unit": serial_for(base + x.first + k),
                },
            )
        if x.wasted_at is not None and x.wasted_at.date() == day:
            chain.add(
                kind="wasted",
                subject=f"batch:{b.code}",
                event_type="ObjectEvent",
                biz_step="destroying",
                disposition="destroyed",
                when=x.wasted_at,
                actor="user:owner",
                fields={
                    "epcList": [],
                    "quantityList": _qty(gtin, b.code, x.quantity - len(x.sales)),
                    **here,
                },
                ext={
                    "batch": b.code,
                    "point_of_sale": shop,
                    "reason": "过期下架 / expired",
                },
            )


# ---------------------------------------------------------------- the command


def days_done(session: Session, tenant_id: uuid.UUID) -> int:
    last = session.scalar(
        select(func.max(Batch.production_date)).where(Batch.tenant_id == tenant_id)
    )
    return 0 if last is None else (last - FIRST_DAY).days + 1


def build(
    db: Database, size: Size, *, progress: Progress | None = None
) -> dict[str, Any]:
    """Build (or finish building) the dataset of ``size`` in ``db``."""
    from bakeprint.bench import sensors as sb
    from bakeprint.identity import service as identity

    report = progress or (lambda _w, _d, _t: None)
    with db.session() as s:
        tenant = identity.tenant_by_slug(s, size.slug)
        tenant_id = tenant.id if tenant is not None else setup(s, size)
    with db.session(write=False) as s:
        w = world(s, size, tenant_id)
        start = days_done(s, tenant_id)
    totals: dict[str, int] = defaultdict(int)
    report("生产与销售 / production and sales", start, size.days)
    for d in range(start, size.days):
        with db.session() as s:
            for k, v in write_day(s, w, d).items():
                totals[k] += v
        report("生产与销售 / production and sales", d + 1, size.days)
    if totals:  # fresh statistics after a bulk load, as autovacuum would
        report("统计信息 / planner statistics", 0, 1)
        with db.engine.connect() as c:
            c.exec_driver_sql("ANALYZE")
            c.commit()
        report("统计信息 / planner statistics", 1, 1)
    end = local(size.last_day + timedelta(days=1), time(0, 0))
    filled = sb.year_of_readings(
        db,
        tenant_id,
        end=end,
        extra_sensors=0,
        hours=size.days * 24,
        progress=lambda _w, done, total: report(
            "传感器读数 / sensor readings", done, total
        ),
    )
    with db.session(write=False) as s:
        counts = {
            "batches": _count(s, Batch, tenant_id),
            "units": _count(s, Unit, tenant_id),
            "events": _count(s, Event, tenant_id),
            "material_lots": _count(s, MaterialLot, tenant_id),
            "trips": _count(s, Trip, tenant_id),
            "shops": size.shops,
            "sensors": filled["sensors"],
            "sensor_readings": sb.stored(db, tenant_id),
        }
    return {
        "size": size.name,
        "tenant": size.slug,
        "tenant_id": str(tenant_id),
        "days": size.days,
        "resumed_from_day": start,
        "written_now": dict(totals),
        "counts": counts,
    }


def _count(session: Session, model: Any, tenant_id: uuid.UUID) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(model).where(model.tenant_id == tenant_id)
        )
        or 0
    )
