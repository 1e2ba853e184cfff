"""The demo's forward chain: vans, shops, shelves and sales, through the services.

Morning batches leave on van #1 at 13:15, afternoon batches on van #2 at 16:30
(later only if a batch was packed late: a van is never loaded before its
batches are packed); each van drops off at the cafés and shops in a fixed
order. Shops sell over the following days (afternoon batches a little faster
in cafés), and what is left at the best-before date is written off. The
brief's case is exact: 251203-SS-PM-002 left on van #2 at 16:30, reached 城市书房
at 18:20 with 24 units, 18 sold — one of them scanned at the till, the pack a
customer scans the next morning to report a slight off smell.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bakeprint.demo import data as D
from bakeprint.identity.service import Actor
from bakeprint.logistics import service as logistics
from bakeprint.logistics.schemas import (
    CabinReadingIn,
    CabinReadings,
    DeliveryCreate,
    LoadCreate,
    TripCreate,
)
from bakeprint.packaging import service as packaging
from bakeprint.packaging.models import Unit
from bakeprint.production import repository as batches
from bakeprint.production.models import Batch
from bakeprint.quality import complaints
from bakeprint.retail import service as retail
from bakeprint.retail.schemas import (
    ReceiptCreate,
    RemovalCreate,
    SaleCreate,
    ShelfCreate,
)

TZ = ZoneInfo(D.TIMEZONE)
RUNS = {"AM": ("VAN-1", time(13, 15)), "PM": ("VAN-2", time(16, 30))}
# Stops in driving order, minutes after departure (城市书房 last: 18:20 at 16:30).
STOPS = [("OLD-CAFE", 25), ("MUSEUM", 60), ("RIVER-CAFE", 85), ("CITY-LIB", 110)]
SHARE = {"OLD-CAFE": 0.25, "MUSEUM": 0.2, "RIVER-CAFE": 0.2, "CITY-LIB": 0.25}
CAFES = {"OLD-CAFE", "RIVER-CAFE"}

# (shop, batch code) -> units left to sell, shelf day, best before, sold so far
Shelves = dict[tuple[str, str], dict[str, Any]]


def _local(day: date, clock: time, minutes: float = 0) -> datetime:
    return datetime.combine(day, clock, TZ) + timedelta(minutes=minutes)


def run_times(day: date, sess: str, made: list[Batch]) -> tuple[datetime, datetime]:
    """When the session's van leaves (loaded 15 minutes before, after the
    last of its batches was packed) and when it is back."""
    _, clock = RUNS[sess]
    packed = max((b.packed_at for b in made if b.packed_at), default=None)
    depart = _local(day, clock)
    if packed is not None:
        depart = max(depart, packed + timedelta(minutes=15))
    return depart, depart + timedelta(minutes=STOPS[-1][1] + 30)


def ship(
    session: Session,
    who: dict[str, Actor],
    catalog: Any,
    day: date,
    sess: str,
    made: list[Batch],
    shelves: Shelves,
    rng: random.Random,
) -> int:
    """One van run for the session's batches; returns 1 (trips made)."""
    if not made:
        return 0
    vehicle, _ = RUNS[sess]
    depart, end = run_times(day, sess, made)
    actor = who["logistics"]
    trip = logistics.create_trip(
        session,
        TripCreate(vehicle=vehicle, driver="刘司机", planned_departure=depart),
        actor=actor,
    )
    plan: dict[str, dict[str, int]] = defaultdict(dict)
    for batch in made:
        packed = batch.packed_quantity or 0
        case = batch.code == D.CASE_BATCH
        for shop, share in SHARE.items():
            n = (
                24
                if case and shop == "CITY-LIB"
                else int(packed * share * rng.uniform(0.85, 1.1))
            )
            plan[batch.code][shop] = n
        total = sum(plan[batch.code].values())
        if total > packed:  # keep within what was packed; the rest stays for online
            plan[batch.code]["OLD-CAFE"] -= total - packed
        logistics.load(
            session,
            trip.code,
            LoadCreate(
                batch=batch.code,
                quantity=sum(plan[batch.code].values()),
                at=depart - timedelta(minutes=15),
            ),
            actor=actor,
        )
    logistics.depart(session, trip.code, at=depart, actor=actor)
    readings = []
    t = depart
    while t <= end:
        readings.append(CabinReadingIn(at=t, temp_c=round(rng.uniform(3.2, 5.6), 1)))
        t += timedelta(minutes=5)
    logistics.record_cabin(
        session, vehicle, CabinReadings(readings=readings), actor=actor
    )
    for shop, minutes in STOPS:
        at = depart + timedelta(minutes=minutes)
        for batch in made:
            n = plan[batch.code][shop]
            if n <= 0:
                continue
            d = logistics.deliver(
                session,
                trip.code,
                DeliveryCreate(point_of_sale=shop, batch=batch.code, quantity=n, at=at),
                actor=actor,
            )
            retail.receive(
                session,
                shop,
                ReceiptCreate(delivery_id=d.id, quantity=n, receiver="店员", at=at),
                actor=who["store"],
            )
            retail.shelve(
                session,
                shop,
                ShelfCreate(batch=batch.code, at=at + timedelta(minutes=10)),
                actor=who["store"],
            )
            rate = 0.45 if sess == "PM" and shop in CAFES else 0.35
            shelves[(shop, batch.code)] = {
                "left": n,
                "rate": rate,
                "sold": 0,
                "best_before": batch.best_before,
                "start": at + timedelta(minutes=20),
            }
    logistics.arrive(session, trip.code, at=end, actor=actor)
    return 1


def sell_day(
    session: Session,
    who: dict[str, Actor],
    day: date,
    shelves: Shelves,
    rng: random.Random,
) -> int:
    """The shops' sales of the day, reported by their tills a few times a day."""
    sold = 0
    closing = _local(day, time(21, 0))
    for (shop, code), s in list(shelves.items()):
        if s["left"] <= 0:
            shelves.pop((shop, code))
            continue
        if s["best_before"] is not None and day > s["best_before"]:
            retail.remove(
                session,
                shop,
                RemovalCreate(
                    batch=code,
                    quantity=s["left"],
                    reason="过期下架 / expired",
                    at=_local(day, time(9, 0)),
                ),
                actor=who["store"],
                returned=False,
            )
            shelves.pop((shop, code))
            continue
        want = max(1, round(s["left"] * s["rate"] * rng.uniform(0.7, 1.3)))
        if code == D.CASE_BATCH and shop == "CITY-LIB":
            want = 18 - s["sold"]  # the brief: 18 of 24 sold by the complaint
        want = min(want, s["left"])
        ticks = [
            t
            for t in (time(12, 0), time(16, 0), time(20, 30))
            if _local(day, t) > s["start"]
        ]
        for i, tick in enumerate(ticks):
            n = want // len(ticks) + (1 if i < want % len(ticks) else 0)
            if n <= 0:
                continue
            at = min(_local(day, tick), closing)
            by_quantity = n
            if code == D.CASE_BATCH and shop == "CITY-LIB" and not s.get("scanned"):
                # one the till scanned: its own way is on record
                retail.sell(
                    session,
                    shop,
                    SaleCreate(unit=case_unit(session, who).serial, at=at),
                    actor=who["store"],
                )
                s["scanned"] = True
                by_quantity -= 1
            if by_quantity > 0:
                retail.sell(
                    session,
                    shop,
                    SaleCreate(batch=code, quantity=by_quantity, at=at),
                    actor=who["store"],
                )
            s["left"] -= n
            s["sold"] += n
            sold += n
        if code == D.CASE_BATCH and shop == "CITY-LIB" and s["sold"] >= 18:
            shelves.pop((shop, code))  # the complaint came in: no more sales recorded
    return sold


def case_unit(session: Session, who: dict[str, Actor]) -> Unit:
    """The pack of the brief's case that is sold by its code at 城市书房 and
    then scanned by the customer: the batch's last package."""
    batch = batches.get(session, who["store"].tenant_id, D.CASE_BATCH)
    return packaging.units_of(session, batch)[-1]


def complain(session: Session, who: dict[str, Actor]) -> int:
    """The brief's §3.1: the customer scans the pack on the morning after
    buying it and reports a slight off smell; it waits for QC."""
    unit = case_unit(session, who)
    packaging.count_scan(session, unit)
    complaints.file(
        session,
        who["store"].tenant_id,
        complaints.ComplaintCreate(
            code=unit.serial,
            category="spoiled",
            description="买的春日樱花饼有轻微异味",
        ),
        channel="scan",
    )
    return 1
