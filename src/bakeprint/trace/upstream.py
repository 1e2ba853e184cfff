"""The trace report's upstream sections: what went into the batch and how it
was made — materials (lot, supplier, intake, QC, through any intermediate
batch), production (time, place, operators, equipment, oven target vs
actual) and the QC checkpoints still in force, with their anomalies."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bakeprint.events import declarations
from bakeprint.materials.models import MaterialLot
from bakeprint.production import genealogy
from bakeprint.production import views as batch_views
from bakeprint.production.models import Batch
from bakeprint.production.schemas import BatchRead, CheckpointRead
from bakeprint.storage.models import StoredFile
from bakeprint.trace.schemas import (
    Anomaly,
    EquipmentRef,
    Material,
    OperatorRef,
    Production,
)


def _materials(
    session: Session,
    rows: list[batch_views.Use],
) -> list[Material]:
    """The lots the batch used, as it stands: a use corrected to zero (a
    mistaken scan) or replaced by a correction is not a material of the batch,
    as in the impact scope; nor is a use whose event was declared erroneous
    (an EPCIS error declaration)."""
    declared = (
        set(session.scalars(declarations.declared_seqs_query(rows[0][0].tenant_id)))
        if rows
        else set()
    )
    return [
        Material(
            lot=lot.code,
            material=mt.name_zh,
            material_en=mt.name_en or mt.name_zh,
            short_life=mt.short_life,
            supplier=sup.name,
            supplier_code=sup.code,
            supplier_lot=lot.supplier_lot,
            received_at=lot.received_at,
            expires_on=lot.expires_on.isoformat(),
            qc_result=lot.qc_result,
            quality_score=lot.quality_score,
            qc_report_sha256=c_sha(session, lot),
            quantity=c.quantity,
            unit=c.unit,
        )
        for c, lot, mt, sup, gone in rows
        if not gone
        and c.quantity > 0
        and (c.event_seq is None or c.event_seq not in declared)
    ]


def c_sha(session: Session, lot: MaterialLot) -> str | None:
    """The SHA-256 of the lot's stored QC report, if it has one."""
    if lot.qc_report_id is None:
        return None
    f = session.get(StoredFile, (lot.tenant_id, lot.qc_report_id))
    return f.sha256 if f else None


def materials(
    session: Session,
    batch: Batch,
    uses: list[batch_views.Use],
) -> list[Material]:
    """The batch's own lots (``uses``: its consumption rows), then those of
    every intermediate batch it was made from, each marked ``via`` it."""
    t = batch.tenant_id
    out = _materials(session, uses)
    for anc_id in genealogy.ancestors(session, t, batch.id):
        anc = session.get(Batch, (t, anc_id))
        if anc is None:
            continue
        out += [
            m.model_copy(update={"via": anc.code})
            for m in _materials(session, batch_views.consumption_rows(session, anc))
        ]
    return out


def production(
    batch: Batch, detail: BatchRead, operators: list[tuple[Any, str]]
) -> Production:
    """When, where, by whom and with what the batch was made."""
    return Production(
        started_at=batch.started_at,
        ended_at=batch.ended_at,
        packed_at=batch.packed_at,
        location=detail.location,
        variant=detail.variant,
        operators=[
            OperatorRef(code=o.code, name=o.name, role=role) for o, role in operators
        ],
        equipment=[EquipmentRef.model_validate(e) for e in detail.equipment],
        target_oven_temp_c=detail.target_oven_temp_c,
        target_bake_minutes=detail.target_bake_minutes,
        bakes=detail.bakes,
        planned_quantity=batch.planned_quantity,
        produced_quantity=batch.produced_quantity,
        packed_quantity=batch.packed_quantity,
    )


def live_checks(detail: BatchRead) -> list[CheckpointRead]:
    """The QC checkpoints still in force (not replaced by a correction)."""
    return [c for c in detail.checkpoints if not c.superseded]


def anomalies(
    materials: list[Material], detail: BatchRead, checks: list[CheckpointRead]
) -> list[Anomaly]:
    """A material that did not pass intake QC, a bake off its recipe, a
    failed checkpoint."""
    out = [
        Anomaly(
            section="materials",
            level=2,
            zh=f"原料 {m.material}（{m.lot}）入库质检：{_qc_zh(m.qc_result)}",
            en=f"material {m.material_en} ({m.lot}) intake QC: {m.qc_result}",
        )
        for m in materials
        if m.qc_result != "pass"
    ]
    out += [
        Anomaly(
            section="production",
            level=1,
            zh=f"烘烤 {b.actual_temp_c:g}°C / {b.actual_minutes:g} 分钟，"
            f"配方 {b.target_temp_c:g}°C / {b.target_minutes:g} 分钟",
            en=f"baked {b.actual_temp_c:g} °C / {b.actual_minutes:g} min, "
            f"recipe {b.target_temp_c:g} °C / {b.target_minutes:g} min",
        )
        for b in detail.bakes
        if not b.within_tolerance
    ]
    out += [
        Anomaly(
            section="qc",
            level=2,
            zh=f"质检 {c.stage} 未通过",
            en=f"QC {c.stage} failed",
        )
        for c in checks
        if not c.passed
    ]
    return out


def _qc_zh(result: str) -> str:
    return {"pass": "合格", "borderline": "临界", "fail": "不合格"}.get(result, result)
