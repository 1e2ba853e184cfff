"""Read models: a batch's full record as the API, CLI and pages show it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bakeprint.catalog.models import (
    Equipment,
    Location,
    MaterialType,
    Operator,
    Product,
    RecipeVariant,
    Supplier,
)
from bakeprint.materials import repository as lots_repo
from bakeprint.materials.models import MaterialLot
from bakeprint.production import repository as batches
from bakeprint.production import service as production
from bakeprint.production.models import BakeRecord, Batch, Consumption
from bakeprint.production.schemas import (
    BakeRead,
    BatchRead,
    BatchSummary,
    CheckpointRead,
    ConsumptionRead,
)
from bakeprint.quality import service as quality
from bakeprint.quality.models import Checkpoint


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
    rows = session.execute(
        select(BakeRecord, Equipment.code)
        .outerjoin(
            Equipment,
            (Equipment.tenant_id == BakeRecord.tenant_id)
            & (Equipment.id == BakeRecord.equipment_id),
        )
        .where(BakeRecord.tenant_id == batch.tenant_id, BakeRecord.batch_id == batch.id)
        .order_by(BakeRecord.recorded_at)
    )
    return [
        BakeRead(
            id=r.id,
            equipment=eq,
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
        for r, eq in rows
    ]


Use = tuple[Consumption, MaterialLot, MaterialType, Supplier, bool]


def consumption_rows(session: Session, batch: Batch) -> list[Use]:
    """The batch's uses of lots with each lot, its material and supplier, and
    whether a later row corrects it, in the order recorded (one statement)."""
    t = batch.tenant_id
    query = (
        lots_repo.with_type_and_supplier(t)
        .add_columns(Consumption, batches.corrected(Consumption))
        .join(
            Consumption,
            (Consumption.tenant_id == t) & (Consumption.lot_id == MaterialLot.id),
        )
        .where(Consumption.batch_id == batch.id)
        .order_by(Consumption.recorded_at, Consumption.created_at)
    )
    return [
        (c, lot, mt, sup, bool(gone))
        for lot, mt, sup, c, gone in session.execute(query)
    ]


def _consumptions(rows: list[Use]) -> list[ConsumptionRead]:
    return [
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
            superseded=gone,
        )
        for r, lot, mt, sup, gone in rows
    ]


def _checkpoints(
    session: Session, batch: Batch
) -> list[tuple[Checkpoint, str | None, bool]]:
    """The batch's checkpoints (as ``quality.for_batch``) with the inspector
    and whether a later row corrects it."""
    return [
        (r, code, bool(gone))
        for r, code, gone in session.execute(
            select(Checkpoint, Operator.code, batches.corrected(Checkpoint))
            .outerjoin(
                Operator,
                (Operator.tenant_id == Checkpoint.tenant_id)
                & (Operator.id == Checkpoint.inspector_id),
            )
            .where(
                Checkpoint.tenant_id == batch.tenant_id,
                Checkpoint.batch_id == batch.id,
            )
            .order_by(Checkpoint.checked_at, Checkpoint.created_at)
        )
    ]


def _checkpoint_reads(
    rows: list[tuple[Checkpoint, str | None, bool]],
) -> list[CheckpointRead]:
    return [
        CheckpointRead(
            id=r.id,
            stage=r.stage,
            passed=r.passed,
            notes=r.notes,
            inspector=inspector,
            checked_at=r.checked_at,
            corrects_id=r.corrects_id,
            superseded=gone,
        )
        for r, inspector, gone in rows
    ]


def detail(
    session: Session,
    batch: Batch,
    *,
    uses: list[Use] | None = None,
    operators: list[tuple[Operator, str]] | None = None,
) -> BatchRead:
    """The batch's full record (``uses``, ``operators``: its
    ``consumption_rows`` and ``production.operators_of`` when the caller has
    read them already)."""
    t = batch.tenant_id
    product = session.get(Product, (t, batch.product_id))
    assert product is not None
    variant = (
        session.get(RecipeVariant, (t, batch.variant_id)) if batch.variant_id else None
    )
    location = (
        session.get(Location, (t, batch.location_id)) if batch.location_id else None
    )
    bakes = _bakes(session, batch)
    consumptions = _consumptions(
        consumption_rows(session, batch) if uses is None else uses
    )
    checks = _checkpoints(session, batch)
    checkpoints = _checkpoint_reads(checks)
    warnings = [c.warning for c in consumptions if c.warning and not c.superseded]
    warnings += [
        f"烘烤偏离配方：{b.actual_temp_c:g}°C/{b.actual_minutes:g} 分钟 / bake off "
        f"recipe: {b.actual_temp_c:g} °C, {b.actual_minutes:g} min"
        for b in bakes
        if not b.within_tolerance
    ]
    state = quality.current([r for r, _, gone in checks if not gone])
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
            for o, role in (
                production.operators_of(session, batch)
                if operators is None
                else operators
            )
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
