"""Minutes outside the range are counted without a fencepost error: a batch
made from 14:00 to 15:15 in a hall that was too humid the whole time was
75 minutes outside, not 76 (76 readings a minute apart span 75 minutes)."""

from __future__ import annotations

from datetime import timedelta

from bakeprint.production import service as production
from bakeprint.production.models import Batch
from bakeprint.production.schemas import BatchComplete, BatchCreate
from bakeprint.sensors import environment
from bakeprint.sensors import service as sensors
from tests.production.conftest import T0
from tests.sensors.conftest import series
from tests.web.test_distribution_pages import login_as

MADE = timedelta(minutes=75)
# a reading a minute: 75 % from 14:00 through 15:15, then 66 % until 15:40
HUMIDITY = [75.0] * 76 + [66.0] * 25


def _made_in_the_damp(session, bakery, hall) -> Batch:  # type: ignore[no-untyped-def]
    batch = production.start_batch(
        session,
        BatchCreate(
            product_gtin=hall["product"].gtin,
            planned_quantity=30,
            operators=["WANG-03"],
            location="HALL-1",
            started_at=T0,
        ),
        actor=bakery.actor,
    )
    production.complete_batch(
        session,
        batch.code,
        BatchComplete(produced_quantity=30, ended_at=T0 + MADE),
        actor=bakery.actor,
    )
    sensors.ingest(
        session, bakery.tenant.id, series("HALL-1-RH", T0, HUMIDITY), source="test"
    )
    return batch


def test_a_75_minute_window_outside_the_range_is_75_minutes(session, bakery, hall):
    batch = _made_in_the_damp(session, bakery, hall)
    segs = environment.batch_environment(session, batch)
    made = next(s for s in segs if s.stage == "production")
    assert (made.start, made.end) == (T0, T0 + MADE)
    rh = next(x for x in made.sensors if x.kind == "humidity")
    assert rh.readings == 76  # 14:00 … 15:15, both ends included
    assert rh.minutes_outside == 75.0
    (exc,) = rh.excursions
    assert exc.minutes == 75.0


def test_the_batch_page_says_75_minutes(client, session, bakery, hall):
    batch = _made_in_the_damp(session, bakery, hall)
    session.commit()
    login_as(client, bakery)
    page = client.get(f"/batches/{batch.code}").text
    assert "超标 75 分钟" in page and "超标 76 分钟" not in page
