"""Candidate causes of a complaint about one batch, each with the scope it
implies — what was wrong with the batch first, with its figures: each
environment excursion where it was (75 % humidity in the hall against
≤ 70 %), an oven run outside its tolerance, a lot that passed QC only
borderline, a short-life material; then the rest — its other lots, the
intermediates it used, its session, its trips, its equipment.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from bakeprint import localtime
from bakeprint.catalog.models import Equipment, MaterialType, Supplier
from bakeprint.db import utcnow
from bakeprint.identity import repository as tenants
from bakeprint.logistics import service as logistics
from bakeprint.materials.models import MaterialLot
from bakeprint.production import genealogy
from bakeprint.production import repository as batches
from bakeprint.production.models import BakeRecord, Batch, BatchEquipment, Consumption
from bakeprint.sensors import environment
from bakeprint.trace.scope import Criteria, find

# the order causes are listed in: the batch's anomalies, then everything else
ENVIRONMENT, OVEN, LOT_QC, SHORT_LIFE, OTHER = range(5)


class Cause(BaseModel):
    kind: str  # environment, lot, batch, session, trip, equipment
    key: str
    zh: str
    en: str
    # the query of GET /api/v1/scope (and the scope page) that finds them
    criteria: dict[str, Any]
    batches: int
    on_shelf: int
    anomaly: bool = False  # something was wrong with the batch itself
    level: int | None = None  # an excursion's alert level


def query(criteria: Criteria) -> dict[str, Any]:
    """Criteria as GET /scope and the scope page name them (`from`/`to`)."""
    names = {"start": "from", "end": "to"}
    return {
        names.get(k, k): v
        for k, v in criteria.model_dump(mode="json", exclude_none=True).items()
    }


@dataclass
class _Candidate:
    rank: int
    kind: str
    key: str
    zh: str
    en: str
    criteria: Criteria
    level: int | None = None


def candidates(session: Session, tenant_id: uuid.UUID, code: str) -> list[Cause]:
    """The batch's candidate causes, anomalies first, each with its scope."""
    batch = batches.get(session, tenant_id, code)
    tenant = tenants.get(session, tenant_id)
    tz = ZoneInfo(tenant.timezone)
    found = [
        *_environment(session, batch, tz),
        *_ovens(session, batch),
        *_lots(session, batch),
        *_intermediates(session, batch),
        *_session_and_trips(session, batch),
    ]
    # the same scope twice (a van's own excursion, an oven that ran hot) is
    # one cause: the first, which says what was wrong
    seen: set[str] = set()
    out = []
    for c in sorted(found, key=lambda c: c.rank):  # stable: keeps their order
        crit = query(c.criteria)
        key = repr(sorted(crit.items()))
        if key in seen:
            continue
        seen.add(key)
        res = find(session, tenant_id, c.criteria)
        out.append(
            Cause(
                kind=c.kind,
                key=c.key,
                zh=c.zh,
                en=c.en,
                criteria=crit,
                batches=res.totals.batches,
                on_shelf=res.totals.on_shelf,
                anomaly=c.rank < OTHER,
                level=c.level,
            )
        )
    return out


def _environment(session: Session, batch: Batch, tz: ZoneInfo) -> list[_Candidate]:
    """Each excursion wherever the batch was, with its figures, most severe
    first; its scope: the batches made there then, or on that van."""
    out = []
    for a in environment.anomalies(environment.batch_environment(session, batch)):
        start, end = a["start"], a["end"]
        span = localtime.span(start, end, tz)
        minutes = f"{a['minutes']:g}"
        if a["place_kind"] == "vehicle" and a["ref"]:
            crit = Criteria(trip=a["ref"])
        elif a["place_kind"] == "location":  # still going on: until now
            crit = Criteria(
                location=a["place_code"], at_from=start, at_to=end or utcnow()
            )
        else:  # a shop's display: no scope by shop yet, so this batch
            crit = Criteria(batch=batch.code)
        out.append(
            _Candidate(
                ENVIRONMENT,
                "environment",
                f"{a['sensor']}@{start:%Y%m%dT%H%M}",
                f"环境超标：{a['place']} {a['zh']}，{span}（{minutes} 分钟）",
                f"environment: {a['place']} {a['en']}, {span} ({minutes} min)",
                crit,
                level=int(a["level"]),
            )
        )
    return out


def _ovens(session: Session, batch: Batch) -> list[_Candidate]:
    """A bake outside the recipe's tolerance: that oven that day."""
    t = batch.tenant_id
    bakes = list(
        session.execute(
            select(BakeRecord, Equipment)
            .join(
                Equipment,
                (Equipment.tenant_id == BakeRecord.tenant_id)
                & (Equipment.id == BakeRecord.equipment_id),
            )
            .where(
                BakeRecord.tenant_id == t,
                BakeRecord.batch_id == batch.id,
                batches.in_force(BakeRecord),
            )
            .order_by(BakeRecord.recorded_at)
        )
    )
    day = batch.production_date
    return [
        _Candidate(
            OVEN,
            "equipment",
            eq.code,
            f"烘烤偏差：{eq.name} {b.actual_temp_c:g}°C / {b.actual_minutes:g} 分钟，"
            f"配方 {b.target_temp_c or 0:g}°C / {b.target_minutes or 0:g} 分钟"
            "（当天同一设备）",
            f"oven off recipe: {eq.name} {b.actual_temp_c:g} °C / "
            f"{b.actual_minutes:g} min, recipe {b.target_temp_c or 0:g} °C / "
            f"{b.target_minutes or 0:g} min (that oven that day)",
            Criteria(equipment=eq.code, start=day, end=day),
        )
        for b, eq in bakes
        if not b.within_tolerance
    ]


def _lots(session: Session, batch: Batch) -> list[_Candidate]:
    """Its lots: borderline or failed QC first, then short-life materials,
    then the rest by material."""
    t = batch.tenant_id
    used = batches.live_consumptions(session, t, Consumption.batch_id == batch.id)
    if not used:
        return []
    rows = session.execute(
        select(MaterialLot, MaterialType, Supplier)
        .join(
            MaterialType,
            (MaterialType.tenant_id == MaterialLot.tenant_id)
            & (MaterialType.id == MaterialLot.material_type_id),
        )
        .join(
            Supplier,
            (Supplier.tenant_id == MaterialLot.tenant_id)
            & (Supplier.id == MaterialLot.supplier_id),
        )
        .where(
            MaterialLot.tenant_id == t,
            MaterialLot.id.in_({c.lot_id for c in used}),
        )
        .order_by(MaterialType.code, MaterialLot.code)
    ).all()
    out = []
    for lot, mt, sup in rows:
        name_en = mt.name_en or mt.name_zh
        zh = f"同一原料批次 {mt.name_zh} {lot.code}（{sup.name} {lot.supplier_lot}）"
        en = f"same lot of {name_en} {lot.code} ({sup.name} {lot.supplier_lot})"
        if lot.qc_result != "pass":
            rank = LOT_QC
            verdict = {"borderline": "临界", "fail": "不合格"}.get(
                lot.qc_result, lot.qc_result
            )
            zh += f"：入库质检{verdict}（评分 {lot.quality_score}）"
            en += f": intake QC {lot.qc_result} (score {lot.quality_score})"
        elif mt.short_life:
            rank = SHORT_LIFE
            zh += f"：短保质期原料，保质至 {lot.expires_on}"
            en += f": short-life material, use by {lot.expires_on}"
        else:
            rank = OTHER
        out.append(_Candidate(rank, "lot", lot.code, zh, en, Criteria(lot=lot.code)))
    return out


def _intermediates(session: Session, batch: Batch) -> list[_Candidate]:
    t = batch.tenant_id
    out = []
    for link in genealogy.inputs_of(session, t, [batch.id]):
        used_batch = session.get(Batch, (t, link.input_batch_id))
        if used_batch is not None:
            out.append(
                _Candidate(
                    OTHER,
                    "batch",
                    used_batch.code,
                    f"同一中间批次 {used_batch.code}",
                    f"same intermediate batch {used_batch.code}",
                    Criteria(batch=used_batch.code),
                )
            )
    return out


def _session_and_trips(session: Session, batch: Batch) -> list[_Candidate]:
    """Its session, its van trips and its equipment that day."""
    t = batch.tenant_id
    s_key = f"{batch.production_date:%y%m%d}-{batch.session}"
    out = [
        _Candidate(
            OTHER,
            "session",
            s_key,
            f"同一生产时段 {s_key}",
            f"same session {s_key}",
            Criteria(session=s_key),
        )
    ]
    for trip, _load in logistics.trips_of_batch(session, batch):
        out.append(
            _Candidate(
                OTHER,
                "trip",
                trip.code,
                f"同一趟配送 {trip.code}",
                f"same van trip {trip.code}",
                Criteria(trip=trip.code),
            )
        )
    day = batch.production_date
    for eq in session.scalars(
        select(Equipment)
        .join(
            BatchEquipment,
            and_(
                BatchEquipment.tenant_id == Equipment.tenant_id,
                BatchEquipment.equipment_id == Equipment.id,
            ),
        )
        .where(BatchEquipment.tenant_id == t, BatchEquipment.batch_id == batch.id)
        .order_by(Equipment.code)
    ):
        out.append(
            _Candidate(
                OTHER,
                "equipment",
                eq.code,
                f"同一设备 {eq.name}（当天）",
                f"same {eq.name} (that day)",
                Criteria(equipment=eq.code, start=day, end=day),
            )
        )
    return out
