"""The trace report of one batch: everything the brief's §3.1 lists, assembled
from the records (never stored: a late reading or a correction shows at once;
the environment section reuses a batch's stored summary only while nothing it
was computed from has changed, see sensors/environment.py).

Sections, in the order a bakery owner reads them: anomalies first, then
materials (lot, supplier, intake, QC), production (time, session, operators,
equipment, oven target vs actual), QC checkpoints, environment (each place the
batch was, against its allowed range), distribution (vans, departure, arrival,
cabin temperature), points of sale (delivered, sold, on shelf, wasted). The
report names the event-log head it was built from, so an auditor can verify
that nothing recorded after or altered before is hidden from it.
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bakeprint.catalog.allergens import ALLERGENS
from bakeprint.catalog.models import (
    MaterialType,
    PointOfSale,
    Product,
    Supplier,
)
from bakeprint.db import utcnow
from bakeprint.events import declarations
from bakeprint.events.models import ChainHead, Event
from bakeprint.localtime import LocalDateTime, Localised
from bakeprint.logistics import service as logistics
from bakeprint.logistics.models import Delivery
from bakeprint.materials.models import MaterialLot
from bakeprint.packaging import service as packaging
from bakeprint.packaging import state as unit_state
from bakeprint.production import views as batch_views
from bakeprint.production.models import Batch, Consumption
from bakeprint.retail import service as retail
from bakeprint.sensors import alerts as alerting
from bakeprint.sensors import environment
from bakeprint.sensors import views as sensor_views

SESSION_NAMES = {"AM": ("上午", "morning"), "PM": ("下午", "afternoon")}


class Anomaly(BaseModel):
    section: str  # materials, production, qc, environment, distribution
    level: int  # 1 minor … 3 hazard
    zh: str
    en: str


class Material(BaseModel):
    lot: str
    material: str
    material_en: str
    short_life: bool
    supplier: str
    supplier_code: str
    supplier_lot: str
    received_at: LocalDateTime
    expires_on: str
    qc_result: str
    quality_score: int
    qc_report_sha256: str | None
    quantity: float
    unit: str
    via: str | None = None  # the intermediate batch it came through


class TraceReport(BaseModel):
    query: str
    unit: str | None
    # what is known of that unit: its own scan, or the batch's counts
    unit_state: dict[str, Any] | None = None
    batch: str
    product: str
    product_en: str
    gtin: str
    category: str
    allergens: list[str]
    made_on: str
    session: str
    best_before: str | None
    status: str
    anomalies: list[Anomaly]
    materials: list[Material]
    production: Localised[dict[str, Any]]
    qc: Localised[list[dict[str, Any]]]
    environment: Localised[list[dict[str, Any]]]
    alerts: Localised[list[dict[str, Any]]]
    distribution: Localised[list[dict[str, Any]]]
    points_of_sale: Localised[list[dict[str, Any]]]
    kitchen_stock: int | None
    counts: dict[str, int]
    generated_at: LocalDateTime
    generated_by: str
    log: dict[str, Any]
    # the environment as computed (with readings when asked), for charts
    segments: list[Any] = Field(default_factory=list, exclude=True)


def _materials(
    session: Session,
    rows: list[tuple[Consumption, MaterialLot, MaterialType, Supplier]],
) -> list[Material]:
    """The lots the batch used, as it stands: a use corrected to zero (a
    mistaken scan) or replaced by a correction is not a material of the batch,
    as in the impact scope; nor is a use whose event was declared erroneous
    (an EPCIS error declaration)."""
    corrected = {c.corrects_id for c, *_ in rows if c.corrects_id}
    declared: set[int | None] = (
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
        for c, lot, mt, sup in rows
        if c.id not in corrected
        and c.quantity > 0
        and (c.event_seq is None or c.event_seq not in declared)
    ]


def c_sha(session: Session, lot: MaterialLot) -> str | None:
    from bakeprint.storage.models import StoredFile

    if lot.qc_report_id is None:
        return None
    f = session.get(StoredFile, (lot.tenant_id, lot.qc_report_id))
    return f.sha256 if f else None


def build(
    session: Session,
    tenant_id: uuid.UUID,
    code: str,
    *,
    generated_by: str,
    with_points: bool = False,
) -> TraceReport:
    """The report for a unit URI, element string, serial or batch code
    (``with_points``: keep the readings for charts in ``report.segments``)."""
    found = packaging.lookup(session, code, tenant_id=tenant_id)
    batch, product = found.batch, found.product
    rep = for_batch(
        session,
        batch,
        product,
        query=code.strip(),
        unit=found.unit.serial if found.unit else None,
        generated_by=generated_by,
        with_points=with_points,
    )
    if found.unit is not None:
        st = unit_state.state_of(session, batch, found.unit)
        rep.unit_state = {
            "status": st.status,
            "scanned": st.scanned,
            "at": st.at,
            "point_of_sale": st.shop.code if st.shop else None,
            "zh": st.text("zh"),
            "en": st.text("en"),
        }
    return rep


def for_batch(
    session: Session,
    batch: Batch,
    product: Product,
    *,
    query: str,
    unit: str | None,
    generated_by: str,
    with_points: bool = False,
) -> TraceReport:
    t = batch.tenant_id
    uses = batch_views.consumption_rows(session, batch)
    operators = _operators(session, batch)
    detail = batch_views.detail(session, batch, uses=uses, operators=operators)
    materials = _materials(session, uses)
    from bakeprint.production import genealogy

    for anc_id in genealogy.ancestors(session, t, batch.id):
        anc = session.get(Batch, (t, anc_id))
        if anc is None:
            continue
        materials += [
            m.model_copy(update={"via": anc.code})
            for m in _materials(session, batch_views.consumption_rows(session, anc))
        ]
    anomalies: list[Anomaly] = []

    for m in materials:
        if m.qc_result != "pass":
            anomalies.append(
                Anomaly(
                    section="materials",
                    level=2,
                    zh=f"原料 {m.material}（{m.lot}）入库质检：{_qc_zh(m.qc_result)}",
                    en=f"material {m.material_en} ({m.lot}) intake QC: {m.qc_result}",
                )
            )
    for b in detail.bakes:
        if not b.within_tolerance:
            anomalies.append(
                Anomaly(
                    section="production",
                    level=1,
                    zh=f"烘烤 {b.actual_temp_c:g}°C / {b.actual_minutes:g} 分钟，"
                    f"配方 {b.target_temp_c:g}°C / {b.target_minutes:g} 分钟",
                    en=f"baked {b.actual_temp_c:g} °C / {b.actual_minutes:g} min, "
                    f"recipe {b.target_temp_c:g} °C / {b.target_minutes:g} min",
                )
            )
    live_checks = [c for c in detail.checkpoints if not c.superseded]
    for c in live_checks:
        if not c.passed:
            anomalies.append(
                Anomaly(
                    section="qc",
                    level=2,
                    zh=f"质检 {c.stage} 未通过",
                    en=f"QC {c.stage} failed",
                )
            )
    legs = logistics.legs_of_batch(session, batch)
    stocks = environment.shop_stocks(session, batch)
    segments = environment.batch_environment(
        session, batch, with_points=with_points, legs=legs, stocks=stocks
    )
    for a in environment.anomalies(segments):
        anomalies.append(
            Anomaly(
                section="environment" if a["stage"] != "trip" else "distribution",
                level=int(a["level"]),
                zh=f"{a['place']}：{a['zh']}",
                en=f"{a['place']}: {a['en']}",
            )
        )
    anomalies.sort(key=lambda a: -a.level)

    # cut to the batch's own time at each place (never another trip's)
    alerts = [
        x.model_dump(
            include={
                "id",
                "sensor",
                "place",
                "category",
                "level",
                "peak",
                "low",
                "high",
                "beyond_pct",
                "minutes",
                "started_at",
                "ended_at",
                "status",
                "acknowledged_by",
                "acknowledged_at",
            }
        )
        for x in sensor_views.alerts(
            session, alerting.during(session, t, product.category, segments)
        )
    ]

    trips = []
    cabins = {s.ref: s for s in segments if s.stage == "trip"}
    drops_of: dict[uuid.UUID, list[dict[str, Any]]] = {}
    delivered_at: dict[str, int] = {}  # by shop code
    for d, pos in session.execute(
        select(Delivery, PointOfSale)
        .join(
            PointOfSale,
            (PointOfSale.tenant_id == Delivery.tenant_id)
            & (PointOfSale.id == Delivery.point_of_sale_id),
        )
        .where(Delivery.tenant_id == t, Delivery.batch_id == batch.id)
        .order_by(Delivery.delivered_at)
    ):
        delivered_at[pos.code] = delivered_at.get(pos.code, 0) + d.quantity
        drops_of.setdefault(d.trip_id, []).append(
            {
                "point_of_sale": pos.code,
                "point_of_sale_name": pos.name,
                "quantity": d.quantity,
                "delivered_at": d.delivered_at,
                "received": d.received,
            }
        )
    for leg in legs:
        trip, load, vehicle = leg.trip, leg.load, leg.vehicle
        seg = cabins.get(trip.code)
        trips.append(
            {
                "trip": trip.code,
                "vehicle": vehicle.code,
                "vehicle_name": vehicle.name,
                "driver": trip.driver,
                "status": trip.status,
                "departed_at": trip.departed_at,
                "arrived_at": trip.arrived_at,
                "loaded": load.loaded,
                "delivered": load.delivered,
                "returned": load.returned,
                "drops": drops_of.get(trip.id, []),
                "cabin": seg.as_dict()["sensors"] if seg else [],
            }
        )
    # as retail.stock_rows, from the deliveries and stock read above
    stock_at = {pos.code: st for st, pos in stocks}
    shops = [
        retail.stock_read(
            code, batch, product.name_zh, delivered_at[code], stock_at.get(code)
        ).model_dump()
        for code in sorted(delivered_at)
    ]
    kitchen = (
        logistics.kitchen_stock(session, batch, legs)
        if batch.status in ("packed", "recalled", "on_hold")
        else None
    )
    counts = {
        "packed": batch.packed_quantity or 0,
        "delivered": sum(s["delivered"] for s in shops),
        "sold": sum(s["sold"] for s in shops),
        "on_shelf": sum(s["on_shelf"] for s in shops),
        "wasted": sum(s["wasted"] for s in shops),
        "returned": sum(s["returned"] for s in shops),
    }
    # the log's head and the batch's events, in one statement (one snapshot)
    head = session.execute(
        select(
            ChainHead.last_seq,
            ChainHead.last_hash,
            select(func.count())
            .select_from(Event)
            .where(Event.tenant_id == t, Event.subject == f"batch:{batch.code}")
            .scalar_subquery(),
        ).where(ChainHead.tenant_id == t)
    ).first()
    session_code = batch.code.split("-")[2] if batch.code.count("-") >= 2 else ""
    report = TraceReport(
        query=query,
        unit=unit,
        batch=batch.code,
        product=product.name_zh,
        product_en=product.name_en or product.name_zh,
        gtin=product.gtin,
        category=product.category,
        allergens=[ALLERGENS.get(a, (a, a))[0] for a in product.allergens],
        made_on=batch.production_date.isoformat(),
        session=session_code,
        best_before=batch.best_before.isoformat() if batch.best_before else None,
        status=batch.status,
        anomalies=anomalies,
        materials=materials,
        production={
            "started_at": batch.started_at,
            "ended_at": batch.ended_at,
            "packed_at": batch.packed_at,
            "location": detail.location,
            "variant": detail.variant,
            "operators": [
                {"code": o.code, "name": o.name, "role": role} for o, role in operators
            ],
            "equipment": detail.equipment,
            "target_oven_temp_c": detail.target_oven_temp_c,
            "target_bake_minutes": detail.target_bake_minutes,
            "bakes": [b.model_dump() for b in detail.bakes],
            "planned_quantity": batch.planned_quantity,
            "produced_quantity": batch.produced_quantity,
            "packed_quantity": batch.packed_quantity,
        },
        qc=[c.model_dump() for c in live_checks],
        environment=[s.as_dict() for s in segments],
        alerts=alerts,
        distribution=trips,
        points_of_sale=shops,
        kitchen_stock=kitchen,
        counts=counts,
        generated_at=utcnow(),
        generated_by=generated_by,
        log={
            "head_seq": head[0] if head else 0,
            "head_hash": head[1] if head else "",
            "batch_events": int(head[2] or 0) if head else 0,
        },
    )
    report.segments = segments
    return report


def _qc_zh(result: str) -> str:
    return {"pass": "合格", "borderline": "临界", "fail": "不合格"}.get(result, result)


def _operators(session: Session, batch: Batch) -> list[tuple[Any, str]]:
    from bakeprint.production import service as production

    return production.operators_of(session, batch)


def pdf(session: Session, rep: TraceReport, tenant_id: uuid.UUID) -> bytes:
    from bakeprint.identity.models import Tenant
    from bakeprint.trace.pdf import trace_pdf

    tenant = session.get(Tenant, tenant_id)
    assert tenant is not None
    return trace_pdf(rep, tenant.timezone, tenant.name)
