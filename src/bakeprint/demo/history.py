"""Four weeks of 时光印记's production, generated through the real services.

Every morning materials are restocked as they run low (first to expire,
first used, so nothing expires in the store), each planned batch is started,
bound to its lots, baked, checked, completed and packed, then vans take
them to the shops. A few things go wrong the way they do in a real kitchen:
a borderline flour lot, a sour cream lot sent back, an oven running hot, a
post-cooling check that fails and passes on re-check. The brief's case
(251203-SS-PM-002) is made on 3 December 2025 with 樱花蜜饯 lot LOT25S-45.
Everything is recorded on the demo's own calendar (``calendar.py``).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bakeprint.demo import climate, distribution
from bakeprint.demo import data as D
from bakeprint.demo.calendar import Calendar
from bakeprint.identity.models import Tenant, User
from bakeprint.identity.service import Actor, actor_for
from bakeprint.materials import service as materials
from bakeprint.materials.models import MaterialLot
from bakeprint.materials.schemas import LotCreate
from bakeprint.production import consumption
from bakeprint.production import service as production
from bakeprint.production.models import Batch
from bakeprint.production.schemas import (
    BakeCreate,
    BatchComplete,
    BatchCreate,
    ConsumptionCreate,
    PackCreate,
)
from bakeprint.quality import service as quality
from bakeprint.quality.schemas import CheckpointCreate

TZ = ZoneInfo(D.TIMEZONE)
Progress = Callable[[str, int, int], None]

OPERATORS = {"AM": ["LI-01", "ZHANG-02"], "PM": ["WANG-03", "CHEN-04"]}
OVENS = {
    ("SS", "AM"): "OVEN-1",
    ("SS", "PM"): "OVEN-3",
    ("CS", "AM"): "OVEN-2",
    ("CS", "PM"): "OVEN-2",
    ("LT", "AM"): "OVEN-1",
    ("LT", "PM"): "OVEN-1",
}
# PM starts at 12:30 so that its last batch is packed (≤ 2 h 30 later) before
# van #2 is loaded at 16:15
START = {"AM": time(8, 0), "PM": time(12, 30)}
BORDERLINE_FLOUR = date(2025, 11, 20)  # the first flour from then on
SOUR_CREAM = date(2025, 11, 26)
SLOT = 45  # minutes between the starts of a session's batches
DONE = 155  # minutes from a batch's start until it is surely packed


def at(day: date, clock: time, minutes: float = 0) -> datetime:
    return datetime.combine(day, clock, TZ) + timedelta(minutes=minutes)


@dataclass
class Stock:
    lots: dict[str, list[MaterialLot]]
    serial: dict[str, int]
    borderline_flour: bool = False  # the story's borderline lot came


def _receive(
    session: Session,
    actor: Actor,
    stock: Stock,
    material: str,
    day: date,
    rng: random.Random,
    *,
    qc: str = "pass",
    score: int | None = None,
    supplier_lot: str | None = None,
    minutes: float = 0,
) -> MaterialLot:
    supplier, size, shelf = D.SUPPLY[material]
    stock.serial[supplier] = stock.serial.get(supplier, 0) + 1
    lot = materials.receive(
        session,
        LotCreate(
            material=material,
            supplier=supplier,
            supplier_lot=supplier_lot
            or f"LOT{day:%y}{supplier}-{stock.serial[supplier]}",
            received_at=at(day, time(7, 10), minutes),
            quantity=size,
            unit="kg",
            expires_on=day + timedelta(days=shelf),
            qc_result=qc,
            quality_score=score if score is not None else rng.randint(88, 98),
            location="COLD-1" if material in ("CREAM", "EGG", "REDBEAN") else "DRY-1",
        ),
        actor=actor,
    )
    if qc != "fail":
        stock.lots.setdefault(material, []).append(lot)
    return lot


def _usable(stock: Stock, material: str, day: date) -> list[MaterialLot]:
    lots = [
        lot
        for lot in stock.lots.get(material, [])
        if lot.expires_on >= day and lot.quantity - lot.consumed > 1e-6
    ]
    return sorted(lots, key=lambda lot: (lot.expires_on, lot.code))


def _day_need(material: str) -> float:
    """The most one day's plan can use of a material: every batch at its
    largest (180, gift boxes 50)."""
    need = 0.0
    for product, sessions in D.PLAN.items():
        per100 = dict(D.RECIPES[product]).get(material, 0.0)
        runs, size = (1, 50) if product == "GIFT" else (len(sessions), 180)
        need += per100 * size / 100 * runs
    return need


def _restock(
    session: Session,
    actor: Actor,
    stock: Stock,
    day: date,
    rng: random.Random,
) -> int:
    """Morning deliveries: a material is ordered when what is left would not
    see the day through. The story's deliveries: the first flour from the
    20th passes QC only borderline, cream for a recipe being tried arrives
    sour on the 26th and is sent back, and 樱花蜜饯 LOT25S-45 comes on the 2nd."""
    received = 0
    for n, material in enumerate(D.SUPPLY):
        if material == "CREAM" and day == SOUR_CREAM:
            # cream for a recipe being tried: sour on arrival, sent back
            _receive(
                session,
                actor,
                stock,
                material,
                day,
                rng,
                qc="fail",
                score=41,
                minutes=n,
            )
            received += 1
            continue
        left = sum(lot.quantity - lot.consumed for lot in _usable(stock, material, day))
        case_day = material == "SAKURA-P" and day == date(2025, 12, 2)
        if left >= _day_need(material) and not case_day:
            continue
        qc, score, supplier_lot = "pass", None, None
        flour = material == "FLOUR" and day >= BORDERLINE_FLOUR
        if flour and not stock.borderline_flour:  # protein at the lower limit (§6.1)
            qc, score = "borderline", 72
            stock.borderline_flour = True
        if case_day:
            score, supplier_lot = 96, D.CASE_LOT
        _receive(
            session,
            actor,
            stock,
            material,
            day,
            rng,
            qc=qc,
            score=score,
            supplier_lot=supplier_lot,
            minutes=n,
        )
        received += 1
    return received


def _bind(
    session: Session,
    actor: Actor,
    stock: Stock,
    code: str,
    day: date,
    material: str,
    need: float,
    when: datetime,
) -> int:
    """Bind `need` kg of a material, first-expiring lots first."""
    bound = 0
    lots = _usable(stock, material, day)
    if day == date(2025, 12, 3) and material == "SAKURA-P":
        # The brief's record: the case batch used the lot received on the 2nd.
        lots.sort(key=lambda lot: lot.supplier_lot != D.CASE_LOT)
    for lot in lots:
        if need <= 1e-6:
            break
        take = round(min(need, lot.quantity - lot.consumed), 3)
        if take <= 0:
            continue
        consumption.consume(
            session,
            code,
            ConsumptionCreate(lot=lot.code, quantity=take, recorded_at=when),
            actor=actor,
        )
        need = round(need - take, 3)
        bound += 1
    if need > 1e-6:
        raise RuntimeError(f"demo stock ran out of {material} on {day}")
    return bound


def _make_batch(
    session: Session,
    who: dict[str, Actor],
    stock: Stock,
    catalog: Any,
    product: str,
    day: date,
    sess: str,
    slot: int,
    rng: random.Random,
) -> Batch:
    p = catalog.products[product]
    line = next(code for code, row in catalog.lines.items() if row.id == p.line_id)
    t0 = at(day, START[sess], slot * SLOT)
    planned = 50 if product == "GIFT" else rng.choice(range(60, 181, 10))
    if day == date(2025, 12, 3) and product == "SAKURA" and sess == "PM":
        planned = 120
    # Weekend mornings: the less-sweet 樱花饼 recipe F2 (its codes end in -F2).
    weekend = sess == "AM" and day.weekday() >= 5
    variant = "F2" if product == "SAKURA" and weekend else None
    ops = OPERATORS[sess]
    oven = OVENS[(line, sess)]
    equipment = ["STEAM-1"] if product == "OSMAN" else [oven, "MIXER-1"]
    batch = production.start_batch(
        session,
        BatchCreate(
            product_gtin=p.gtin,
            variant=variant,
            planned_quantity=planned,
            operators=ops,
            equipment=equipment,
            location="HALL-1",
            started_at=t0,
        ),
        actor=who["production"],
    )
    code = batch.code
    for material, per100 in D.RECIPES[product]:
        _bind(
            session,
            who["production"],
            stock,
            code,
            day,
            material,
            round(per100 * planned / 100, 3),
            t0 + timedelta(minutes=5),
        )
    quality.record(
        session,
        code,
        CheckpointCreate(
            stage="pre_bake",
            passed=True,
            inspector=ops[0],
            checked_at=t0 + timedelta(minutes=20),
        ),
        actor=who["qc"],
    )
    recipe = catalog.variants[variant or product]
    if product != "OSMAN":
        hot = rng.random() < 0.04
        production.record_bake(
            session,
            code,
            BakeCreate(
                actual_temp_c=round(
                    recipe.target_oven_temp_c
                    + (rng.uniform(4, 7) if hot else rng.gauss(0, 1.0)),
                    1,
                ),
                actual_minutes=round(recipe.target_bake_minutes + rng.gauss(0, 0.4), 1),
                equipment=oven,
                source="oven",
                recorded_at=t0 + timedelta(minutes=50),
            ),
            actor=who["production"],
        )
    produced = max(1, planned - rng.randint(0, 4))
    end = t0 + timedelta(minutes=75)
    production.complete_batch(
        session,
        code,
        BatchComplete(produced_quantity=produced, ended_at=end),
        actor=who["production"],
    )
    cooled = end + timedelta(minutes=35)
    if rng.random() < 0.05:
        quality.record(
            session,
            code,
            CheckpointCreate(
                stage="post_cooling",
                passed=False,
                inspector="ZHOU-QC",
                notes="中心温度偏高，延长冷却",
                checked_at=cooled,
            ),
            actor=who["qc"],
        )
        cooled += timedelta(minutes=25)
    quality.record(
        session,
        code,
        CheckpointCreate(
            stage="post_cooling",
            passed=True,
            inspector="ZHOU-QC",
            notes="色泽正常",
            checked_at=cooled,
        ),
        actor=who["qc"],
    )
    return production.pack_batch(
        session,
        code,
        PackCreate(quantity=produced, packed_at=cooled + timedelta(minutes=15)),
        actor=who["production"],
    )


def run(
    session: Session,
    *,
    tenant: Tenant,
    catalog: Any,
    users: dict[str, User],
    owner: Actor,
    rng: random.Random,
    progress: Progress | None = None,
) -> dict[str, int]:
    """The four weeks, each step recorded at its time on the demo's calendar."""
    who = {
        "owner": owner,
        "production": actor_for(users["wang"], via="demo"),
        "qc": actor_for(users["qc-zhou"], via="demo"),
        "logistics": actor_for(users["driver-liu"], via="demo"),
        "store": owner,
    }
    stock = Stock(lots={}, serial={})
    days = (D.LAST_DAY - D.FIRST_DAY).days + 1
    lots = batches = trips = sold = complaints = 0
    shelves: distribution.Shelves = {}
    feed = climate.Feed(session, tenant.id, random.Random(f"{D.CASE_BATCH}-climate"))
    scores = random.Random(f"{D.SEED}-lots")  # intake QC scores
    cal = Calendar(session, feed, who["production"], start=at(D.FIRST_DAY, time(0)))
    with cal.at(cal.now):
        climate.install(session, owner)
    for i in range(days):
        day = D.FIRST_DAY + timedelta(days=i)
        feed.add_day(day)
        with cal.at(at(day, time(7, 30))):
            lots += _restock(session, who["qc"], stock, day, scores)
        if day == D.COMPLAINT_AT.date():
            with cal.at(D.COMPLAINT_AT.replace(tzinfo=TZ)):
                complaints += distribution.complain(session, who)
        for sess in ("AM", "PM"):
            planned = [p for p, sessions in D.PLAN.items() if sess in sessions]
            if sess == "AM" and day.weekday() == 5:
                planned.append("GIFT")
            made = []
            for slot, product in enumerate(planned):
                with cal.at(at(day, START[sess], slot * SLOT + DONE)):
                    made.append(
                        _make_batch(
                            session, who, stock, catalog, product, day, sess, slot, rng
                        )
                    )
            batches += len(made)
            if made:
                _, back = distribution.run_times(day, sess, made)
                with cal.at(back):
                    trips += distribution.ship(
                        session, who, catalog, day, sess, made, shelves, rng
                    )
        with cal.at(at(day, time(21, 5))):
            sold += distribution.sell_day(session, who, day, shelves, rng)
        with cal.at(at(day + timedelta(days=1), time(0)) - timedelta(seconds=1)):
            pass  # the rest of the day's readings
        if progress:
            progress("生产历史 / production history", i + 1, days)
    return {
        "days": days,
        "material lots": lots,
        "batches": batches,
        "trips": trips,
        "units sold": sold,
        "sensor readings": feed.accepted,
        "complaints": complaints,
    }
