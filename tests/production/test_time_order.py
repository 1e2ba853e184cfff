"""A batch's history cannot contradict itself: a lot is not used before it was
received, a batch is not baked before it started, not packed before its
post-cooling check… Each refusal names both times in the bakery's time zone
and writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bakeprint.db import utcnow
from bakeprint.errors import Invalid
from bakeprint.events.models import Event
from bakeprint.materials.models import MaterialLot
from bakeprint.production import consumption, genealogy
from bakeprint.production import service as production
from bakeprint.production.models import BakeRecord, Batch, BatchInput, Consumption
from bakeprint.production.schemas import (
    BakeCreate,
    BatchComplete,
    BatchCreate,
    BatchInputCreate,
    ConsumptionCreate,
    PackCreate,
)
from bakeprint.quality import service as quality
from bakeprint.quality.models import Checkpoint
from bakeprint.quality.schemas import CheckpointCreate
from tests.production.conftest import T0, make_lot

GTIN = "06901234000016"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(hhmm: str, day: int = 3) -> datetime:
    """A wall-clock time in Shanghai on 2025-12-<day>."""
    return datetime.fromisoformat(f"2025-12-{day:02d}T{hhmm}:00+08:00")


def _counts(session: Session, tenant_id: Any) -> tuple[int, ...]:
    return tuple(
        session.scalar(
            select(func.count()).select_from(model).where(model.tenant_id == tenant_id)
        )
        or 0
        for model in (Event, Consumption, BakeRecord, Checkpoint, BatchInput)
    )


def refused(
    session: Session, bakery: Any, call: Callable[[], object], *shown: str
) -> Invalid:
    """``call`` is refused with both times named in both languages, and it
    wrote nothing (counted without rolling back: nothing was even flushed)."""
    before = _counts(session, bakery.tenant.id)
    with pytest.raises(Invalid) as exc:
        call()
    for text in shown:
        assert text in exc.value.zh and text in exc.value.en, (exc.value.zh, text)
    assert _counts(session, bakery.tenant.id) == before
    return exc.value


def start(session: Session, bakery: Any, when: datetime = T0) -> Batch:
    return production.start_batch(
        session,
        BatchCreate(
            product_gtin=GTIN,
            planned_quantity=40,
            operators=["WANG-03"],
            started_at=when,
        ),
        actor=bakery.actor,
    )


def check(
    session: Session, bakery: Any, batch: Batch, stage: str, when: datetime
) -> Checkpoint:
    return quality.record(
        session,
        batch.code,
        CheckpointCreate(stage=stage, passed=True, checked_at=when),
        actor=bakery.actor,
    )


def test_a_lot_consumed_before_its_intake_is_refused_through_the_api(
    client, session, bakery, cat
):
    """The testers' case: consumed at 07:10, the lot arrived at 09:00."""
    lot = client.post(
        "/api/v1/lots",
        json={
            "material": "SAKURA",
            "supplier": "B",
            "supplier_lot": "LOT25S-45",
            "received_at": "2025-12-03T09:00:00+08:00",
            "quantity": 5,
            "expires_on": "2025-12-20",
            "qc_result": "pass",
            "quality_score": 96,
        },
        headers=bakery.headers,
    ).json()["code"]
    batch = start(session, bakery, at("06:00"))
    before = _counts(session, bakery.tenant.id)
    body = {"lot": lot, "quantity": 1.5, "recorded_at": "2025-12-03T07:10:00+08:00"}
    url = f"/api/v1/batches/{batch.code}/consumptions"
    r = client.post(url, json=body, headers=bakery.headers)
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["message"] == (
        f"消耗时间 2025-12-03 07:10 +08:00 早于原料批次 {lot} 的入库时间 "
        "2025-12-03 09:00 +08:00，请核对时间"
    )
    assert "2025-12-03 07:10 +08:00" in err["message_en"]
    assert f"lot {lot}'s intake time 2025-12-03 09:00 +08:00" in err["message_en"]
    assert err["field"] == "recorded_at"
    assert _counts(session, bakery.tenant.id) == before
    left = session.scalar(select(MaterialLot.consumed).where(MaterialLot.code == lot))
    assert left == 0
    # at 09:30 the same binding is a fact
    later = {**body, "recorded_at": "2025-12-03T09:30:00+08:00"}
    ok = client.post(url, json=later, headers=bakery.headers)
    assert ok.status_code == 201, ok.text


def test_a_lot_is_not_consumed_before_the_batch_started(session, bakery, cat):
    make_lot(session, cat)  # received 2025-12-02 10:00 in Shanghai
    batch = start(session, bakery)  # 14:00
    refused(
        session,
        bakery,
        lambda: consumption.consume(
            session,
            batch.code,
            ConsumptionCreate(lot="RM-1", quantity=1, recorded_at=at("13:50")),
            actor=bakery.actor,
        ),
        "2025-12-03 13:50 +08:00",
        "2025-12-03 14:00 +08:00",
    )


def test_baking_before_the_start_and_ending_before_the_bake_are_refused(
    session, bakery, cat
):
    batch = start(session, bakery)  # 14:00
    bake = BakeCreate(actual_temp_c=180, actual_minutes=25, recorded_at=at("13:30"))
    err = refused(
        session,
        bakery,
        lambda: production.record_bake(session, batch.code, bake, actor=bakery.actor),
        "2025-12-03 13:30 +08:00",
        "2025-12-03 14:00 +08:00",
    )
    assert err.field == "recorded_at" and "烘烤" in err.zh
    production.record_bake(
        session,
        batch.code,
        bake.model_copy(update={"recorded_at": at("14:50")}),
        actor=bakery.actor,
    )
    refused(
        session,
        bakery,
        lambda: production.complete_batch(
            session,
            batch.code,
            BatchComplete(produced_quantity=40, ended_at=at("14:40")),
            actor=bakery.actor,
        ),
        "2025-12-03 14:40 +08:00",
        "2025-12-03 14:50 +08:00",
    )
    assert batch.status == "in_progress" and batch.ended_at is None


def test_production_cannot_end_after_the_cooled_goods_were_checked(
    session, bakery, cat
):
    batch = start(session, bakery)
    check(session, bakery, batch, "post_cooling", at("15:30"))
    err = refused(
        session,
        bakery,
        lambda: production.complete_batch(
            session,
            batch.code,
            BatchComplete(produced_quantity=40, ended_at=at("15:45")),
            actor=bakery.actor,
        ),
        "2025-12-03 15:45 +08:00",
        "2025-12-03 15:30 +08:00",
    )
    assert err.zh.startswith("生产结束时间 2025-12-03 15:45 +08:00 晚于冷却后检验时间")


def test_packing_before_the_post_cooling_check_is_refused(session, bakery, cat):
    batch = start(session, bakery)
    production.complete_batch(
        session,
        batch.code,
        BatchComplete(produced_quantity=40, ended_at=at("15:00")),
        actor=bakery.actor,
    )
    # the check of the cooled goods cannot come before production ended
    early = refused(
        session,
        bakery,
        lambda: check(session, bakery, batch, "post_cooling", at("14:55")),
        "2025-12-03 14:55 +08:00",
        "2025-12-03 15:00 +08:00",
    )
    assert early.zh.startswith("冷却后检验时间 2025-12-03 14:55 +08:00 早于批次")
    check(session, bakery, batch, "post_cooling", at("15:40"))
    err = refused(
        session,
        bakery,
        lambda: production.pack_batch(
            session,
            batch.code,
            PackCreate(quantity=40, packed_at=at("15:20")),
            actor=bakery.actor,
        ),
        "2025-12-03 15:20 +08:00",
        "2025-12-03 15:40 +08:00",
    )
    assert "冷却后检验时间" in err.zh and "post-cooling check" in err.en
    assert batch.status == "completed" and batch.packed_at is None
    production.pack_batch(
        session,
        batch.code,
        PackCreate(quantity=40, packed_at=at("16:00")),
        actor=bakery.actor,
    )
    # …and a pre-pack check after the packing did not happen before it
    refused(
        session,
        bakery,
        lambda: check(session, bakery, batch, "pre_pack", at("16:10")),
        "2025-12-03 16:10 +08:00",
        "2025-12-03 16:00 +08:00",
    )


def test_an_intermediate_batch_is_not_used_before_it_was_finished(session, bakery, cat):
    filling = start(session, bakery, at("09:00"))
    production.complete_batch(
        session,
        filling.code,
        BatchComplete(produced_quantity=40, ended_at=at("11:00")),
        actor=bakery.actor,
    )
    cake = start(session, bakery, at("10:00"))
    err = refused(
        session,
        bakery,
        lambda: genealogy.use_batch(
            session,
            cake.code,
            BatchInputCreate(batch=filling.code, quantity=2, recorded_at=at("10:30")),
            actor=bakery.actor,
        ),
        "2025-12-03 10:30 +08:00",
        "2025-12-03 11:00 +08:00",
    )
    assert f"批次 {filling.code} 的生产结束时间 2025-12-03 11:00 +08:00" in err.zh


def test_a_time_far_in_the_future_is_refused_naming_now(session, bakery, cat):
    tomorrow = utcnow() + timedelta(days=1)
    err = refused(
        session,
        bakery,
        lambda: start(session, bakery, tomorrow),
        f"{tomorrow.astimezone(SHANGHAI):%Y-%m-%d %H:%M} +08:00",
    )
    assert "在将来" in err.zh and "in the future" in err.en
    assert err.field == "started_at"
    # a clock a couple of minutes fast is normal: within the allowance
    start(session, bakery, utcnow() + timedelta(minutes=2))
