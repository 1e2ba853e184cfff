"""Read models: a batch's full record as the API, CLI and pages show it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bakeprint.catalog.models import (
    Equipment,
    Location,
    MaterialType,
    Operator,
    Product,
    ProductLine,
    RecipeVariant,
    Supplier,
)
from bakeprint.materials.models import MaterialLot
from bakeprint.production import consumption
from bakeprint.production import service as production
from bakeprint.production.models import BakeRecord, Batch
from bakeprint.production.schemas import (
    BakeRead,
    BatchRead,
    BatchSummary,
    CheckpointRead,
    ConsumptionRead,
)
from bakeprint.quality import service as quality


def summary(session: Session, batch: Batch) -> BatchSummary:
    product = session.get(Product, (batch.tenant_id, batch.product_id))
    assert product is not None
    return BatchSummary(
        code=batch.code,
        product_gtin=product.gtin,
        product=product.name_zh,
        line=batch.line_code,
        production_date=batch.production_date,
        session=batch.session,
        status=batch.status,
        planned_quantity=batch.planned_quantity,
        produced_quantity=batch.produced_quantity,
        packed_quantity=batch.packed_quantity,
        started_at=batch.started_at,
        needs_attention=batch.needs_attention,
        sampling_rate=batch.sampling_rate,
    )


def _bakes(session: Session, batch: Batch) -> list[BakeRead]:
    from sqlalchemy import select

    rows = session.scalars(
        select(BakeRecord)
        .where(BakeRecord.tenant_id == batch.tenant_id, BakeRecord.batch_id == batch.id)
        .order_by(BakeRecord.recorded_at)
    )
    out = []
    for r in rows:
        eq = (
            session.get(Equipment, (r.tenant_id, r.equipment_id))
            if r.equipment_id
            else None
        )
        out.append(
            BakeRead(
                id=r.id,
                equipment=eq.code if eq else None,
                target_temp_c=r.target_temp_c,
                actual_temp_c=r.actual_temp_c,
                temp_deviation_c=round(r.actual_temp_c - r.target_temp_c, 2)
                if r.target_temp_c is not None
                else None,
                target_minutes=r.target_minutes,
                actual_minutes=r.actual_minutes,
                minutes_deviation=round(r.actual_minutes - r.target_minutes, 2)
                if r.target_minutes is not None
                else None,
                within_tolerance=r.within_tolerance,
                source=r.source,
                recorded_at=r.recorded_at,
            )
        )
    return out


def _consumptions(session: Session, batch: Batch) -> list[ConsumptionRead]:
    rows = consumption.for_batch(session, batch)
    corrected = {r.corrects_id for r in rows if r.corrects_id}
    out = []
    for r in rows:
        lot = session.get(MaterialLot, (r.tenant_id, r.lot_id))
        assert lot is not None
        mt = session.get(MaterialType, (r.tenant_id, lot.material_type_id))
        sup = session.get(Supplier, (r.tenant_id, lot.supplier_id))
        assert mt is not None and sup is not None
        out.append(
            ConsumptionRead(
                id=r.id,
                lot=lot.code,
                material=mt.name_zh,
                material_code=mt.code,
                supplier=sup.name,
                supplier_code=sup.code,
                supplier_lot=lot.supplier_lot,
                lot_qc_result=lot.qc_result,
                lot_received_at=lot.received_at,
                quantity=r.quantity,
                unit=r.unit,
                recorded_at=r.recorded_at,
                warning=r.warning,
                corrects_id=r.corrects_id,
                superseded=r.id in corrected,
            )
        )
    return out


def _checkpoints(session: Session, batch: Batch) -> list[CheckpointRead]:
    rows = quality.for_batch(session, batch)
    corrected = {r.corrects_id for r in rows if r.corrects_id}
    out = []
    for r in rows:
        op = (
            session.get(Operator, (r.tenant_id, r.inspector_id))
            if r.inspector_id
            else None
        )
        out.append(
            CheckpointRead(
                id=r.id,
                stage=r.stage,
                passed=r.passed,
                notes=r.notes,
                inspector=op.code if op else None,
                checked_at=r.checked_at,
                corrects_id=r.corrects_id,
                superseded=r.id in corrected,
            )
        )
    return out


def detail(session: Session, batch: Batch) -> BatchRead:
    t = batch.tenant_id
    product = session.get(Product, (t, batch.product_id))
    line = session.get(ProductLine, (t, product.line_id)) if product else None
    assert product is not None and line is not None
    variant = (
        session.get(RecipeVariant, (t, batch.variant_id)) if batch.variant_id else None
    )
    location = (
        session.get(Location, (t, batch.location_id)) if batch.location_id else None
    )
    bakes = _bakes(session, batch)
    consumptions = _consumptions(session, batch)
    checkpoints = _checkpoints(session, batch)
    warnings = [c.warning for c in consumptions if c.warning and not c.superseded]
    warnings += [
        f"烘烤偏离配方：{b.actual_temp_c:g}°C/{b.actual_minutes:g} 分钟 / bake off "
        f"recipe: {b.actual_temp_c:g} °C, {b.actual_minutes:g} min"
        for b in bakes
        if not b.within_tolerance
    ]
    state = quality.current(quality.for_batch(session, batch))
    warnings += [
        f"{quality.STAGE_NAMES[s][0]}未通过 / {quality.STAGE_NAMES[s][1]} failed"
        for s, cp in state.items()
        if not cp.passed
    ]
    base = summary(session, batch).model_dump()
    return BatchRead(
        **base,
        product_en=product.name_en,
        category=product.category,
        variant=variant.code if variant else None,
        location=location.code if location else None,
        operators=[
            {"code": o.code, "role": role}
            for o, role in production.operators_of(session, batch)
        ],
        equipment=[
            {"code": e.code, "name": e.name}
            for e in production.equipment_of(session, batch)
        ],
        ended_at=batch.ended_at,
        packed_at=batch.packed_at,
        best_before=batch.best_before,
        target_oven_temp_c=variant.target_oven_temp_c if variant else None,
        target_bake_minutes=variant.target_bake_minutes if variant else None,
        bakes=bakes,
        consumptions=consumptions,
        checkpoints=checkpoints,
        warnings=warnings,
        notes=batch.notes,
    )
