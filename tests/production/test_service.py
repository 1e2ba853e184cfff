"""Starting, baking, binding materials, completing and packing a batch."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bakeprint.errors import Conflict, Invalid, NotFound
from bakeprint.events import service as events
from bakeprint.events.models import Event
from bakeprint.interop import epcis
from bakeprint.production import consumption
from bakeprint.production import service as production
from bakeprint.production.models import Batch, Consumption
from bakeprint.production.schemas import (
    BakeCreate,
    BatchComplete,
    BatchCreate,
    ConsumptionCorrect,
    ConsumptionCreate,
    PackCreate,
)
from bakeprint.quality import service as quality
from bakeprint.quality.schemas import CheckpointCreate
from tests.epcis_schema import assert_valid_event
from tests.factories import make_bakery, make_catalog
from tests.production.conftest import T0, make_lot

GTIN = "06901234000016"


def start(session: Session, actor, **kw):  # type: ignore[no-untyped-def]
    data = {
        "product_gtin": GTIN,
        "planned_quantity": 120,
        "operators": ["WANG-03"],
        "equipment": ["OVEN-3"],
        "location": "HALL-1",
        "started_at": T0,
        **kw,
    }
    return production.start_batch(session, BatchCreate(**data), actor=actor)


def events_count(session: Session, tenant_id) -> int:  # type: ignore[no-untyped-def]
    return (
        session.scalar(
            select(func.count()).select_from(Event).where(Event.tenant_id == tenant_id)
        )
        or 0
    )


def test_batches_of_one_session_are_numbered_in_order(session, bakery, cat):
    a = start(session, bakery.actor)
    b = start(session, bakery.actor, variant="F1")
    c = start(session, bakery.actor, started_at=T0 - timedelta(hours=5))
    assert a.code == "251203-SS-PM-001"
    assert b.code == "251203-SS-PM-002-F1"
    assert c.code == "251203-SS-AM-001"  # 09:00 in Shanghai
    assert a.best_before == date(2025, 12, 10)


def test_starting_a_batch_records_operators_equipment_and_an_event(
    session, bakery, cat
):
    batch = start(session, bakery.actor, operators=["WANG-03"])
    ops = production.operators_of(session, batch)
    assert [(o.code, role) for o, role in ops] == [("WANG-03", "main")]
    assert [e.code for e in production.equipment_of(session, batch)] == ["OVEN-3"]
    ev = session.scalars(
        select(Event).where(
            Event.tenant_id == bakery.tenant.id, Event.subject == f"batch:{batch.code}"
        )
    )
    (event,) = list(ev)
    assert event.biz_step == "commissioning" and event.actor == "user:owner"
    assert event.body["bp:operators"] == ["WANG-03"]
    assert "王某" not in str(event.body)
    assert_valid_event(event.body)


@pytest.mark.parametrize(
    ("change", "error", "words"),
    [
        ({"product_gtin": "06901234000011"}, Invalid, "check digit"),
        ({"product_gtin": "06901234000023"}, NotFound, "product not found"),
        ({"operators": ["NOBODY"]}, NotFound, "operator not found: NOBODY"),
        ({"operators": ["WANG-03", "WANG-03"]}, Invalid, "listed twice"),
        ({"equipment": ["OVEN-9"]}, NotFound, "equipment not found"),
        ({"variant": "F7"}, NotFound, "no recipe variant F7"),
        ({"started_at": datetime.now(UTC) + timedelta(days=1)}, Invalid, "future"),
    ],
)
def test_a_bad_batch_is_refused_and_leaves_nothing(
    session, bakery, cat, change, error, words
):
    before = events_count(session, bakery.tenant.id)
    with pytest.raises(error) as exc:
        start(session, bakery.actor, **change)
    assert words in exc.value.en and exc.value.zh
    assert events_count(session, bakery.tenant.id) == before
    assert (
        session.scalar(
            select(func.count())
            .select_from(Batch)
            .where(Batch.tenant_id == bakery.tenant.id)
        )
        == 0
    )


def test_another_bakerys_product_is_not_found(session, bakery, cat):
    other = make_bakery(session)
    make_catalog(session, other.tenant.id)
    batch = start(session, other.actor)
    with pytest.raises(NotFound):
        production.record_bake(
            session,
            batch.code,
            BakeCreate(actual_temp_c=185, actual_minutes=18),
            actor=bakery.actor,
        )


def test_bake_actuals_are_compared_with_the_recipe(session, bakery, cat):
    batch = start(session, bakery.actor, variant="F1")
    ok = production.record_bake(
        session,
        batch.code,
        BakeCreate(
            actual_temp_c=186,
            actual_minutes=18.5,
            equipment="OVEN-3",
            recorded_at=T0 + timedelta(minutes=40),
        ),
        actor=bakery.actor,
    )
    off = production.record_bake(
        session,
        batch.code,
        BakeCreate(
            actual_temp_c=191, actual_minutes=18, recorded_at=T0 + timedelta(hours=1)
        ),
        actor=bakery.actor,
    )
    assert ok.within_tolerance and ok.target_temp_c == 185
    assert not off.within_tolerance
    ev = session.get(Event, (bakery.tenant.id, off.event_seq))
    report = ev.body["sensorElementList"][0]["sensorReport"]
    # EPCIS 2.0 measurement types (CBV 2.0 / GS1 Web vocabulary), not MT-…
    assert {"type": "Temperature", "value": 191, "uom": "CEL"} in report
    assert {"type": "Time", "value": 18, "uom": "MIN"} in report
    assert_valid_event(ev.body)


def test_bake_records_stored_with_the_old_measurement_types_stay_as_written(
    session, bakery, cat
):
    """Records written before the fix said gs1:MT-Temperature: history is
    append-only, so they keep their body, their chain hash and their event
    hash; only new records use the EPCIS 2.0 types."""
    batch = start(session, bakery.actor)
    old = events.append(
        session,
        tenant_id=bakery.tenant.id,
        kind="bake",
        subject=f"batch:{batch.code}",
        event_type="ObjectEvent",
        biz_step="sensor_reporting",
        event_time=T0 + timedelta(minutes=30),
        fields={
            "sensorElementList": [
                {
                    "sensorReport": [
                        {"type": "gs1:MT-Temperature", "value": 185, "uom": "CEL"},
                        {"type": "gs1:MT-Time", "value": 18, "uom": "MIN"},
                    ]
                }
            ]
        },
        actor=bakery.actor.ref,
    )
    old_hash, old_body = old.hash, json.dumps(old.body, sort_keys=True)
    exported = epcis.event_json(old)[epcis.HASH_FIELD]
    new = production.record_bake(
        session,
        batch.code,
        BakeCreate(
            actual_temp_c=186, actual_minutes=18, recorded_at=T0 + timedelta(hours=1)
        ),
        actor=bakery.actor,
    )
    session.flush()
    session.expire_all()
    again = session.get(Event, (bakery.tenant.id, old.seq))
    assert again.hash == old_hash
    assert json.dumps(again.body, sort_keys=True) == old_body
    assert epcis.event_json(again)[epcis.HASH_FIELD] == exported
    types = [
        r["type"]
        for r in session.get(Event, (bakery.tenant.id, new.event_seq)).body[
            "sensorElementList"
        ][0]["sensorReport"]
    ]
    assert types == ["Temperature", "Time"]
    checked, problems = events.verify(session, bakery.tenant.id)
    assert checked >= 2 and problems == []


class TestConsumption:
    def test_binding_a_lot_uses_it_up_and_emits_a_transformation_input(
        self, session, bakery, cat
    ):
        batch = start(session, bakery.actor)
        lot = make_lot(session, cat, quantity=5)
        row, lot = consumption.consume(
            session,
            batch.code,
            ConsumptionCreate(lot="RM-1", quantity=800, unit="g", recorded_at=T0),
            actor=bakery.actor,
        )
        assert row.quantity == pytest.approx(0.8) and lot.consumed == pytest.approx(0.8)
        ev = session.get(Event, (bakery.tenant.id, row.event_seq))
        assert ev.event_type == "TransformationEvent"
        assert ev.body["inputQuantityList"][0]["quantity"] == pytest.approx(0.8)
        assert ev.body["bp:supplier_lot"] == "LOT25S-45"
        assert_valid_event(ev.body)

    @pytest.mark.parametrize(
        ("lot_kw", "qty", "error", "words"),
        [
            ({"qc": "fail"}, 1, Conflict, "failed QC"),
            ({"expires": date(2025, 12, 1)}, 1, Conflict, "expired on 2025-12-01"),
            ({"quantity": 2}, 3, Conflict, "only 2 kg left; 3 kg requested"),
        ],
    )
    def test_an_unusable_lot_is_refused_with_the_reason(
        self, session, bakery, cat, lot_kw, qty, error, words
    ):
        batch = start(session, bakery.actor)
        make_lot(session, cat, **lot_kw)
        before = events_count(session, bakery.tenant.id)
        with pytest.raises(error) as exc:
            consumption.consume(
                session,
                batch.code,
                ConsumptionCreate(lot="RM-1", quantity=qty, recorded_at=T0),
                actor=bakery.actor,
            )
        assert words in exc.value.en
        assert events_count(session, bakery.tenant.id) == before

    def test_a_foreign_or_unknown_lot_is_not_found(self, session, bakery, cat):
        other = make_bakery(session)
        make_lot(session, make_catalog(session, other.tenant.id), code="RM-X")
        batch = start(session, bakery.actor)
        for code in ("RM-X", "RM-404"):
            with pytest.raises(NotFound):
                consumption.consume(
                    session,
                    batch.code,
                    ConsumptionCreate(lot=code, quantity=1),
                    actor=bakery.actor,
                )

    def test_a_borderline_lot_is_allowed_with_a_warning(self, session, bakery, cat):
        batch = start(session, bakery.actor)
        make_lot(session, cat, qc="borderline", score=71)
        row, _ = consumption.consume(
            session,
            batch.code,
            ConsumptionCreate(lot="RM-1", quantity=1, recorded_at=T0),
            actor=bakery.actor,
        )
        assert "borderline" in row.warning and "71" in row.warning

    def test_a_unit_that_does_not_convert_is_refused(self, session, bakery, cat):
        batch = start(session, bakery.actor)
        make_lot(session, cat)
        with pytest.raises(Invalid, match="unit pcs"):
            consumption.consume(
                session,
                batch.code,
                ConsumptionCreate(lot="RM-1", quantity=1, unit="pcs"),
                actor=bakery.actor,
            )

    def test_a_correction_replaces_the_quantity_and_points_at_the_old_event(
        self, session, bakery, cat
    ):
        batch = start(session, bakery.actor)
        make_lot(session, cat, quantity=5)
        row, _ = consumption.consume(
            session,
            batch.code,
            ConsumptionCreate(lot="RM-1", quantity=3, recorded_at=T0),
            actor=bakery.actor,
        )
        fixed = consumption.correct(
            session,
            batch.code,
            row.id,
            ConsumptionCorrect(quantity=1.2, reason="typo"),
            actor=bakery.actor,
        )
        lot = session.get(type(_), (bakery.tenant.id, _.id))
        assert lot.consumed == pytest.approx(1.2)
        assert fixed.corrects_id == row.id
        new_ev = session.get(Event, (bakery.tenant.id, fixed.event_seq))
        assert new_ev.corrects_seq == row.event_seq
        assert session.get(Consumption, (bakery.tenant.id, row.id)).quantity == 3
        with pytest.raises(Conflict, match="already corrected"):
            consumption.correct(
                session,
                batch.code,
                row.id,
                ConsumptionCorrect(quantity=1, reason="again"),
                actor=bakery.actor,
            )


class TestPacking:
    def _completed(self, session, bakery):  # type: ignore[no-untyped-def]
        batch = start(session, bakery.actor)
        production.complete_batch(
            session,
            batch.code,
            BatchComplete(produced_quantity=118, ended_at=T0 + timedelta(hours=2)),
            actor=bakery.actor,
        )
        return batch

    def _check(self, session, bakery, batch, passed, minutes):  # type: ignore[no-untyped-def]
        return quality.record(
            session,
            batch.code,
            CheckpointCreate(
                stage="post_cooling",
                passed=passed,
                inspector="WANG-03",
                checked_at=T0 + timedelta(hours=2, minutes=minutes),
            ),
            actor=bakery.actor,
        )

    def test_packing_waits_for_a_passed_post_cooling_check(self, session, bakery, cat):
        batch = self._completed(session, bakery)
        pack = PackCreate(quantity=118, packed_at=T0 + timedelta(hours=3))
        with pytest.raises(Conflict, match="no post-cooling check"):
            production.pack_batch(session, batch.code, pack, actor=bakery.actor)
        self._check(session, bakery, batch, False, 20)
        with pytest.raises(Conflict, match="failed its post-cooling check"):
            production.pack_batch(session, batch.code, pack, actor=bakery.actor)
        self._check(session, bakery, batch, True, 40)
        packed = production.pack_batch(session, batch.code, pack, actor=bakery.actor)
        assert packed.status == "packed" and packed.packed_quantity == 118

    def test_more_than_was_produced_cannot_be_packed(self, session, bakery, cat):
        batch = self._completed(session, bakery)
        self._check(session, bakery, batch, True, 10)
        with pytest.raises(Conflict, match="only 118 were produced"):
            production.pack_batch(
                session,
                batch.code,
                PackCreate(quantity=119, packed_at=T0 + timedelta(hours=3)),
                actor=bakery.actor,
            )

    def test_a_packed_batch_takes_no_more_materials(self, session, bakery, cat):
        batch = self._completed(session, bakery)
        self._check(session, bakery, batch, True, 10)
        production.pack_batch(
            session,
            batch.code,
            PackCreate(quantity=100, packed_at=T0 + timedelta(hours=3)),
            actor=bakery.actor,
        )
        make_lot(session, cat)
        with pytest.raises(Conflict, match="already packed"):
            consumption.consume(
                session,
                batch.code,
                ConsumptionCreate(lot="RM-1", quantity=1),
                actor=bakery.actor,
            )

    def test_every_production_event_is_valid_epcis(self, session, bakery, cat):
        batch = self._completed(session, bakery)
        self._check(session, bakery, batch, True, 10)
        production.pack_batch(
            session,
            batch.code,
            PackCreate(quantity=100, packed_at=T0 + timedelta(hours=3)),
            actor=bakery.actor,
        )
        for ev in session.scalars(
            select(Event).where(Event.tenant_id == bakery.tenant.id)
        ):
            assert_valid_event(ev.body)
