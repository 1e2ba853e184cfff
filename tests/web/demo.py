"""The 时光印记 demo bakery over three days — the brief's case day (3 December
2025), the day before, and the morning after, when the customer complains —
plus something in every state a page can show: a
batch in production and one awaiting QC (their forms), a trip being loaded
and one on the road, the complaint verified (a level-3 alert and its recall
draft), and a recall opened on the suspect lot.

Loading the demo's four weeks takes minutes; three days take seconds and go
through the same loader and services.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bakeprint.catalog.models import Product
from bakeprint.demo import data as D
from bakeprint.demo import loader
from bakeprint.logistics import service as logistics
from bakeprint.logistics.schemas import LoadCreate, TripCreate
from bakeprint.packaging.models import Unit
from bakeprint.production import repository as batches
from bakeprint.production import service as production
from bakeprint.production.schemas import BatchComplete, BatchCreate
from bakeprint.quality import complaints
from bakeprint.quality.models import Complaint
from bakeprint.recall import service as recalls
from bakeprint.trace import scope

# after the demo's last day's work: the extra states come last, in order
EVENING = datetime.combine(D.COMPLAINT_AT.date(), time(19, 0), ZoneInfo(D.TIMEZONE))


@dataclass
class Demo:
    tenant_id: uuid.UUID
    serial: str  # a unit of the case batch
    link: str  # its QR code's path (GS1 Digital Link)
    in_progress: str
    completed: str
    planned_trip: str
    departed_trip: str
    recall: str


def load(session: Session) -> Demo:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(D, "FIRST_DAY", date(2025, 12, 2))
        mp.setattr(D, "LAST_DAY", D.COMPLAINT_AT.date())
        result = loader.load(session)
    t = result.tenant_id
    owner = loader.actor(session, t, "owner")
    sakura = session.scalar(
        select(Product).where(Product.tenant_id == t, Product.name_zh == "春日樱花饼")
    )
    assert sakura is not None

    def start(minutes: int) -> str:
        return production.start_batch(
            session,
            BatchCreate(
                product_gtin=sakura.gtin,
                planned_quantity=60,
                operators=["WANG-03", "CHEN-04"],
                equipment=["OVEN-3"],
                location="HALL-1",
                started_at=EVENING + timedelta(minutes=minutes),
            ),
            actor=owner,
        ).code

    in_progress, completed = start(0), start(10)
    production.complete_batch(
        session,
        completed,
        BatchComplete(produced_quantity=58, ended_at=EVENING + timedelta(hours=1)),
        actor=owner,
    )
    trips = []
    for van in ("VAN-1", "VAN-2"):
        trip = logistics.create_trip(
            session,
            TripCreate(vehicle=van, driver="刘司机", planned_departure=EVENING),
            actor=owner,
        )
        logistics.load(
            session,
            trip.code,
            LoadCreate(batch=D.CASE_BATCH, quantity=2, at=EVENING),
            actor=owner,
        )
        trips.append(trip.code)
    logistics.depart(session, trips[1], at=EVENING + timedelta(minutes=5), actor=owner)
    complaint = session.scalar(select(Complaint).where(Complaint.tenant_id == t))
    assert complaint is not None
    complaints.decide(
        session,
        complaint.code,
        complaints.ComplaintDecision(verified=True, verdict="样品确有异味"),
        actor=owner,
    )
    recall = recalls.open_recall(
        session,
        scope.Criteria(lot=D.CASE_LOT),
        reason="樱花蜜饯批次疑似变质",
        actor=owner,
    )
    case = batches.get(session, t, D.CASE_BATCH)
    unit = session.scalar(select(Unit).where(Unit.batch_id == case.id).limit(1))
    assert unit is not None
    session.commit()
    return Demo(
        tenant_id=t,
        serial=unit.serial,
        link=f"/01/{sakura.gtin}/10/{D.CASE_BATCH}/21/{unit.serial}",
        in_progress=in_progress,
        completed=completed,
        planned_trip=trips[0],
        departed_trip=trips[1],
        recall=recall.code,
    )


def log_in(client) -> None:  # type: ignore[no-untyped-def]
    """The demo's owner, logged in on this client."""
    page = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    r = client.post(
        "/login",
        data={
            "csrf": csrf.group(1),
            "bakery": D.SLUG,
            "username": "owner",
            "password": D.PASSWORD,
            "next": "/",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
