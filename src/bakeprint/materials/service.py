"""Raw-material intake (R1.1): lots with supplier, supplier lot, QC and report."""

from __future__ import annotations

import uuid
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bakeprint import chronology
from bakeprint.catalog import repository as catalog
from bakeprint.catalog.models import Location, MaterialType, Supplier
from bakeprint.chronology import Moment
from bakeprint.db import upsert_insert, utcnow
from bakeprint.errors import Forbidden, Invalid
from bakeprint.events import service as events
from bakeprint.identity import repository as tenants
from bakeprint.identity.service import Actor
from bakeprint.interop import ids
from bakeprint.materials import repository as lots
from bakeprint.materials.models import LotCodeSequence, MaterialLot
from bakeprint.materials.schemas import UNITS, LotCreate, LotRegrade
from bakeprint.storage import service as storage

UOM = {"kg": "KGM", "g": "GRM", "L": "LTR", "mL": "MLT", "pcs": "H87"}
DISPOSITION = {
    "pass": "in_progress",
    "borderline": "in_progress",
    "fail": "non_conformant",
}


def _next_code(session: Session, tenant_id: uuid.UUID, day: date) -> str:
    insert = upsert_insert(session)
    stmt = insert(LotCodeSequence).values(tenant_id=tenant_id, day=day, last_value=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=["tenant_id", "day"],
        set_={"last_value": LotCodeSequence.last_value + 1},
    )
    n = int(session.execute(stmt.returning(LotCodeSequence.last_value)).scalar_one())
    return f"RM-{day:%Y%m%d}-{n:03d}"


def lot_uri(tenant_slug: str, lot: MaterialLot, mt: MaterialType) -> str:
    return ids.lot_class(
        tenant_slug, lot.code, gtin=mt.gtin, supplier_lot=lot.supplier_lot
    )


def receive(session: Session, data: LotCreate, *, actor: Actor) -> MaterialLot:
    """Register a delivered material lot with its QC result and report."""
    t = actor.tenant_id
    tenant = tenants.get(session, t)
    supplier = catalog.get(session, Supplier, t, data.supplier)
    if not actor.can("materials:write"):
        actor.require("supplier:submit")
        if actor.supplier_id != supplier.id:
            raise Forbidden(
                f"您只能为自己的供应商登记原料，不能为 {supplier.code}",
                "you may register lots only for your own supplier, not "
                f"{supplier.code}",
                field="supplier",
            )
    mt = catalog.get(session, MaterialType, t, data.material)
    unit = data.unit or mt.unit
    if unit not in UNITS:
        raise Invalid(
            f"未知单位 {unit}（可用：{', '.join(UNITS)}）",
            f"unknown unit {unit} (use {', '.join(UNITS)})",
            field="unit",
        )
    received_at = chronology.not_in_future(
        Moment(data.received_at or utcnow(), "入库时间", "the intake time"),
        tz=tenant.timezone,
        field="received_at",
    )
    local_day = received_at.astimezone(ZoneInfo(tenant.timezone)).date()
    if data.expires_on < local_day:
        raise Invalid(
            f"有效期 {data.expires_on} 早于入库日 {local_day}：这批原料已经过期",
            f"expiry {data.expires_on} is before the intake day {local_day}: this lot "
            "is already expired",
            field="expires_on",
        )
    location = (
        catalog.get(session, Location, t, data.location) if data.location else None
    )
    report = (
        storage.get(session, t, data.qc_report_file_id)
        if data.qc_report_file_id
        else None
    )
    lot = MaterialLot(
        tenant_id=t,
        code=_next_code(session, t, local_day),
        material_type_id=mt.id,
        supplier_id=supplier.id,
        supplier_lot=data.supplier_lot.strip(),
        received_at=received_at,
        quantity=data.quantity,
        unit=unit,
        expires_on=data.expires_on,
        qc_result=data.qc_result,
        quality_score=data.quality_score,
        qc_report_id=report.id if report else None,
        location_id=location.id if location else None,
        notes=data.notes,
        received_by=actor.ref,
    )
    session.add(lot)
    session.flush()
    where = {}
    if location is not None:
        urn = ids.location_urn(tenant.slug, "location", location.code)
        where = {"readPoint": {"id": urn}, "bizLocation": {"id": urn}}
    events.append(
        session,
        tenant_id=t,
        kind="intake",
        subject=f"lot:{lot.code}",
        event_type="ObjectEvent",
        action="ADD",
        biz_step="receiving",
        disposition=DISPOSITION[data.qc_result],
        event_time=received_at,
        actor=actor.ref,
        fields={
            "epcList": [],
            "quantityList": [
                {
                    "epcClass": lot_uri(tenant.slug, lot, mt),
                    "quantity": data.quantity,
                    "uom": UOM[unit],
                }
            ],
            **where,
            "sourceList": [
                {
                    "type": "owning_party",
                    "source": ids.location_urn(tenant.slug, "supplier", supplier.code),
                }
            ],
            "destinationList": [
                {"type": "owning_party", "destination": f"urn:bakeprint:{tenant.slug}"}
            ],
            "ilmd": {
                "cbvmda:itemExpirationDate": data.expires_on.isoformat(),
                "cbvmda:lotNumber": lot.supplier_lot,
            },
        },
        extension={
            "lot": lot.code,
            "material": mt.code,
            "supplier": supplier.code,
            "supplier_lot": lot.supplier_lot,
            "qc_result": data.qc_result,
            "quality_score": data.quality_score,
            "report_sha256": report.sha256 if report else None,
        },
    )
    from bakeprint.materials import incoming  # an announced lot has arrived

    incoming.mark_received(session, lot)
    return lot


def _last_qc_seq(session: Session, tenant_id: uuid.UUID, code: str) -> int | None:
    from bakeprint.events.models import Event

    return session.scalar(
        select(Event.seq)
        .where(
            Event.tenant_id == tenant_id,
            Event.subject == f"lot:{code}",
            Event.kind.in_(("intake", "qc_regrade")),
        )
        .order_by(Event.seq.desc())
        .limit(1)
    )


def regrade(
    session: Session, code: str, data: LotRegrade, *, actor: Actor
) -> MaterialLot:
    """Correct a lot's QC result: a new event pointing at the previous grading."""
    t = actor.tenant_id
    found = lots.get_by_code(session, t, code)
    lot = lots.for_update(session, t, found.id)
    previous = _last_qc_seq(session, t, lot.code)
    old = (lot.qc_result, lot.quality_score)
    lot.qc_result, lot.quality_score = data.qc_result, data.quality_score
    session.flush()
    events.append(
        session,
        tenant_id=t,
        kind="qc_regrade",
        subject=f"lot:{lot.code}",
        event_type="ObjectEvent",
        action="OBSERVE",
        biz_step="inspecting",
        disposition="conformant" if data.qc_result != "fail" else "non_conformant",
        event_time=utcnow(),
        actor=actor.ref,
        corrects_seq=previous,
        fields={
            "epcList": [],
            "quantityList": [
                {
                    "epcClass": lot_uri(_slug(session, t), lot, _mt(session, lot)),
                    "quantity": lot.quantity,
                    "uom": UOM.get(lot.unit, "KGM"),
                }
            ],
        },
        extension={
            "lot": lot.code,
            "qc_result": data.qc_result,
            "quality_score": data.quality_score,
            "previous_qc_result": old[0],
            "previous_quality_score": old[1],
            "reason": data.reason,
        },
    )
    return lot


def attach_report(
    session: Session, code: str, file_id: uuid.UUID, *, actor: Actor
) -> MaterialLot:
    """Attach (or replace) the QC report of a lot; the old one stays in history."""
    t = actor.tenant_id
    found = lots.get_by_code(session, t, code)
    lot = lots.for_update(session, t, found.id)
    report = storage.get(session, t, file_id)
    lot.qc_report_id = report.id
    session.flush()
    events.append(
        session,
        tenant_id=t,
        kind="qc_report",
        subject=f"lot:{lot.code}",
        event_type="ObjectEvent",
        action="OBSERVE",
        biz_step="inspecting",
        event_time=utcnow(),
        actor=actor.ref,
        fields={
            "epcList": [],
            "quantityList": [
                {
                    "epcClass": lot_uri(_slug(session, t), lot, _mt(session, lot)),
                    "quantity": lot.quantity,
                    "uom": UOM.get(lot.unit, "KGM"),
                }
            ],
        },
        extension={
            "lot": lot.code,
            "report_sha256": report.sha256,
            "report_filename": report.filename,
        },
    )
    return lot


def _slug(session: Session, tenant_id: uuid.UUID) -> str:
    tenant = tenants.get(session, tenant_id)
    return tenant.slug


def _mt(session: Session, lot: MaterialLot) -> MaterialType:
    mt = session.get(MaterialType, (lot.tenant_id, lot.material_type_id))
    assert mt is not None
    return mt
