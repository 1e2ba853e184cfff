"""The demo bakery's case batch, made while the hall was at 75 %, is
predicted to keep less than its printed 7 days, and says why (R3.3)."""

from __future__ import annotations

from bakeprint.demo import data as D
from bakeprint.production import repository as batches
from bakeprint.shelflife import views
from tests.web import demo


def test_the_demo_case_batch_shows_a_shortened_prediction(session):
    d = demo.load(session)
    batch = batches.get(session, d.tenant_id, D.CASE_BATCH)
    read = views.live(session, batch)
    assert read.shortened and read.best_before < read.printed_best_before
    assert read.reasons[0].factor == "hall_humidity"
    assert read.reasons[0].zh.startswith("湿度 75% 生产 −")
