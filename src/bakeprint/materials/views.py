"""Read model of a material lot."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from bakeprint.catalog.models import Location, MaterialType, Supplier
from bakeprint.materials.models import MaterialLot
from bakeprint.materials.schemas import LotRead
from bakeprint.production.models import Batch, Consumption
from bakeprint.storage.models import StoredFile


def lot(
    session: Session,
    row: MaterialLot,
    *,
    today: date | None = None,
    with_batches: bool = False,
) -> LotRead:
    t = row.tenant_id
    mt = session.get(MaterialType, (t, row.material_type_id))
    sup = session.get(Supplier, (t, row.supplier_id))
    assert mt is not None and sup is not None
    loc = session.get(Location, (t, row.location_id)) if row.location_id else None
    report = (
        session.get(StoredFile, (t, row.qc_report_id)) if row.qc_report_id else None
    )
    batches: list[str] = []
    if with_batches:
        batches = list(
            session.scalars(
                select(Batch.code)
                .distinct()
                .join(
                    Consumption,
                    (Consumption.tenant_id == Batch.tenant_id)
                    & (Consumption.batch_id == Batch.id),
                )
                .where(Consumption.tenant_id == t, Consumption.lot_id == row.id)
                .order_by(Batch.code)
            )
        )
    today = today or date.today()
    return LotRead(
        code=row.code,
        material_code=mt.code,
        material=mt.name_zh,
        material_en=mt.name_en,
        short_life=mt.short_life,
        supplier_code=sup.code,
        supplier=sup.name,
        supplier_lot=row.supplier_lot,
        received_at=row.received_at,
        quantity=row.quantity,
        unit=row.unit,
        consumed=round(row.consumed, 6),
        remaining=round(row.quantity - row.consumed, 6),
        expires_on=row.expires_on,
        days_to_expiry=(row.expires_on - today).days,
        qc_result=row.qc_result,
        quality_score=row.quality_score,
        qc_report_file_id=row.qc_report_id,
        qc_report_sha256=report.sha256 if report else None,
        location=loc.code if loc else None,
        notes=row.notes,
        quarantined=row.qc_result == "fail",
        batches=batches,
    )
