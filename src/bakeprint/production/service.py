"""Production batches: start, bake actuals, complete, pack (R1.2, R1.4, R1.5).

Services flush and never commit; each public function is one command, and the
caller's transaction makes it all-or-nothing, event included.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bakeprint import chronology
from bakeprint.catalog import repository as catalog
from bakeprint.catalog.models import (
    Equipment,
    Location,
    Operator,
    Product,
    ProductLine,
    RecipeVariant,
)
from bakeprint.chronology import Moment
from bakeprint.db import upsert_insert, utcnow
from bakeprint.errors import BakeprintError, Conflict, Invalid
from bakeprint.events import service as events
from bakeprint.gs1 import normalize_gtin
from bakeprint.identity import repository as tenants
from bakeprint.identity.models import Tenant
from bakeprint.identity.service import Actor
from bakeprint.interop import ids
from bakeprint.production import repository as batches
from bakeprint.production.codes import BatchCode
from bakeprint.production.models import (
    BakeRecord,
    Batch,
    BatchCodeSequence,
    BatchEquipment,
    BatchOperator,
)
from bakeprint.production.schemas import (
    BakeCreate,
    BatchComplete,
    BatchCreate,
    PackCreate,
)
from bakeprint.quality import service as quality

T = TypeVar("T")


def _field(name: str, fn: Callable[..., T], *args: Any) -> T:
    """Call a lookup; a failure names the form field it came from."""
    try:
        return fn(*args)
    except BakeprintError as exc:
        exc.field = exc.field or name
        raise


def allocate_sequence(
    session: Session, tenant_id: uuid.UUID, day: date, line: str, session_code: str
) -> int:
    """Next number for (bakery, day, line, session): one atomic upsert.

    Concurrent creators queue on the row lock (no duplicates); a rolled-back
    creation rolls the counter back with it (no gaps).
    """
    insert = upsert_insert(session)
    base = insert(BatchCodeSequence).values(
        tenant_id=tenant_id,
        day=day,
        line_code=line,
        session=session_code,
        last_value=1,
    )
    stmt = base.on_conflict_do_update(
        index_elements=["tenant_id", "day", "line_code", "session"],
        set_={"last_value": BatchCodeSequence.last_value + 1},
    ).returning(BatchCodeSequence.last_value)
    value = int(session.execute(stmt).scalar_one())
    if value > 999:
        raise Conflict(
            f"{day:%Y-%m-%d} {line} 线 {session_code} 时段的批次已满 999 个",
            f"line {line} already has 999 batches in the {session_code} session of "
            f"{day:%Y-%m-%d}",
        )
    return value


def base_variant(
    session: Session, tenant_id: uuid.UUID, product: Product
) -> RecipeVariant | None:
    """The product's standard recipe, if it has one marked as base."""
    return session.scalar(
        select(RecipeVariant).where(
            RecipeVariant.tenant_id == tenant_id,
            RecipeVariant.product_id == product.id,
            RecipeVariant.is_base.is_(True),
        )
    )


def batch_uri(product: Product, code: str) -> str:
    return ids.batch_class(product.gtin, code)


def _where(tenant: Tenant, location: Location | None) -> dict[str, Any]:
    if location is None:
        return {}
    urn = ids.location_urn(tenant.slug, "location", location.code)
    return {"readPoint": {"id": urn}, "bizLocation": {"id": urn}}


def start_batch(session: Session, data: BatchCreate, *, actor: Actor) -> Batch:
    """Register a production batch and give it the next code of its session."""
    t = actor.tenant_id
    tenant = tenants.get(session, t)
    product = _field(
        "product_gtin",
        catalog.get,
        session,
        Product,
        t,
        normalize_gtin(data.product_gtin, field="product_gtin"),
    )
    if not product.active:
        raise Conflict(
            f"产品 {product.name_zh} 已停用",
            f"product {product.name_en} is discontinued",
            field="product_gtin",
        )
    line = catalog.by_id(session, ProductLine, t, product.line_id)
    variant = (
        catalog.variant(session, t, product, data.variant)
        if data.variant
        else base_variant(session, t, product)
    )
    started_at = chronology.check(
        Moment(data.started_at or utcnow(), "批次开始时间", "the batch's start time"),
        tz=tenant.timezone,
        field="started_at",
    )
    local = started_at.astimezone(ZoneInfo(tenant.timezone))
    day = data.production_date or local.date()
    session_code = data.session or ("AM" if local.hour < 12 else "PM")
    location = (
        _field("location", catalog.get, session, Location, t, data.location)
        if data.location
        else None
    )
    operators = [
        _field("operators", catalog.get, session, Operator, t, c)
        for c in data.operators
    ]
    if len({o.id for o in operators}) != len(operators):
        raise Invalid("操作员重复", "an operator is listed twice", field="operators")
    equipment = [
        _field("equipment", catalog.get, session, Equipment, t, c)
        for c in data.equipment
    ]
    if len({e.id for e in equipment}) != len(equipment):
        raise Invalid(
            "设备重复", "a piece of equipment is listed twice", field="equipment"
        )

    seq = allocate_sequence(session, t, day, line.code, session_code)
    code = BatchCode(
        day=day,
        line=line.code,
        session=session_code,
        seq=seq,
        variant=variant.code if variant and not variant.is_base else None,
    ).format()
    best_before = day + timedelta(days=product.shelf_life_days)
    batch = Batch(
        tenant_id=t,
        code=code,
        product_id=product.id,
        variant_id=variant.id if variant else None,
        line_code=line.code,
        production_date=day,
        session=session_code,
        seq=seq,
        planned_quantity=data.planned_quantity,
        status="in_progress",
        location_id=location.id if location else None,
        started_at=started_at,
        best_before=best_before,
        notes=data.notes,
    )
    session.add(batch)
    session.flush()
    for i, op in enumerate(operators):
        session.add(
            BatchOperator(
                tenant_id=t,
                batch_id=batch.id,
                operator_id=op.id,
                role="main" if i == 0 else "assist",
            )
        )
    for eq in equipment:
        session.add(BatchEquipment(tenant_id=t, batch_id=batch.id, equipment_id=eq.id))
    session.flush()
    events.append(
        session,
        tenant_id=t,
        kind="batch_started",
        subject=f"batch:{code}",
        event_type="ObjectEvent",
        action="ADD",
        biz_step="commissioning",
        disposition="in_progress",
        event_time=started_at,
        actor=actor.ref,
        fields={
            "epcList": [],
            "quantityList": [
                {
                    "epcClass": batch_uri(product, code),
                    "quantity": data.planned_quantity,
                }
            ],
            **_where(tenant, location),
            "ilmd": {
                "cbvmda:bestBeforeDate": best_before.isoformat(),
                "cbvmda:lotNumber": code,
            },
        },
        extension={
            "batch": code,
            "session": session_code,
            "variant": variant.code if variant else None,
            "operators": [o.code for o in operators],
            "equipment": [e.code for e in equipment],
        },
    )
    return batch


def _require_status(
    batch: Batch, allowed: tuple[str, ...], doing_zh: str, doing_en: str
) -> None:
    if batch.status not in allowed:
        names = {
            "in_progress": ("生产中", "in progress"),
            "completed": ("已完成", "completed"),
            "packed": ("已包装", "packed"),
            "on_hold": ("暂停", "on hold"),
            "recalled": ("已召回", "recalled"),
        }
        zh, en = names.get(batch.status, (batch.status, batch.status))
        raise Conflict(
            f"批次 {batch.code} 当前为「{zh}」，不能{doing_zh}",
            f"batch {batch.code} is {en}; it cannot be {doing_en}",
        )


def record_bake(
    session: Session, code: str, data: BakeCreate, *, actor: Actor
) -> BakeRecord:
    """Record oven actuals against the recipe's target (typed in or from an oven)."""
    t = actor.tenant_id
    batch = batches.for_update(session, t, code)
    _require_status(batch, ("in_progress",), "记录烘烤", "baked")
    product = catalog.by_id(session, Product, t, batch.product_id)
    variant = (
        session.get(RecipeVariant, (t, batch.variant_id)) if batch.variant_id else None
    )
    equipment = (
        catalog.get(session, Equipment, t, data.equipment) if data.equipment else None
    )
    if equipment is not None and equipment.kind != "oven":
        raise Invalid(
            f"{equipment.name} 不是烤箱",
            f"{equipment.code} is not an oven",
            field="equipment",
        )
    recorded_at = chronology.check(
        Moment(data.recorded_at or utcnow(), "烘烤记录时间", "the bake's time"),
        tz=tenants.get(session, t).timezone,
        field="recorded_at",
        not_before=[batches.batch_time(batch, "started_at")],
    )
    within = True
    if variant is not None:
        within = (
            abs(data.actual_temp_c - variant.target_oven_temp_c)
            <= variant.oven_temp_tolerance_c
            and abs(data.actual_minutes - variant.target_bake_minutes)
            <= variant.bake_minutes_tolerance
        )
    record = BakeRecord(
        tenant_id=t,
        batch_id=batch.id,
        equipment_id=equipment.id if equipment else None,
        target_temp_c=variant.target_oven_temp_c if variant else None,
        actual_temp_c=data.actual_temp_c,
        target_minutes=variant.target_bake_minutes if variant else None,
        actual_minutes=data.actual_minutes,
        recorded_at=recorded_at,
        source=data.source,
        within_tolerance=within,
    )
    session.add(record)
    session.flush()
    ev = events.append(
        session,
        tenant_id=t,
        kind="bake",
        subject=f"batch:{batch.code}",
        event_type="ObjectEvent",
        action="OBSERVE",
        biz_step="sensor_reporting",
        disposition="in_progress",
        event_time=recorded_at,
        actor=actor.ref,
        fields={
            "epcList": [],
            "quantityList": [
                {
                    "epcClass": batch_uri(product, batch.code),
                    "quantity": batch.planned_quantity,
                }
            ],
            "sensorElementList": [
                {
                    "sensorMetadata": {"time": recorded_at.isoformat()},
                    "sensorReport": [
                        {
                            "type": "Temperature",
                            "value": data.actual_temp_c,
                            "uom": "CEL",
                        },
                        {
                            "type": "Time",
                            "value": data.actual_minutes,
                            "uom": "MIN",
                        },
                    ],
                }
            ],
        },
        extension={
            "batch": batch.code,
            "equipment": equipment.code if equipment else None,
            "source": data.source,
            "target_temp_c": record.target_temp_c,
            "target_minutes": record.target_minutes,
            "within_tolerance": within,
        },
    )
    record.event_seq = ev.seq
    return record


def complete_batch(
    session: Session, code: str, data: BatchComplete, *, actor: Actor
) -> Batch:
    """Close production: how many came out of the oven and when."""
    t = actor.tenant_id
    tenant = tenants.get(session, t)
    batch = batches.for_update(session, t, code)
    _require_status(batch, ("in_progress",), "完成", "completed")
    # cooling and the checks after it follow the end of production
    ended_at = chronology.check(
        Moment(data.ended_at or utcnow(), "生产结束时间", "the end of production"),
        tz=tenant.timezone,
        field="ended_at",
        not_before=[
            batches.batch_time(batch, "started_at"),
            batches.last_bake(session, batch),
        ],
        not_after=[quality.first_check_after_production(session, batch)],
    )
    if data.produced_quantity > batch.planned_quantity * 1.2:
        raise Invalid(
            f"产出 {data.produced_quantity} 份超过计划 {batch.planned_quantity} 份的 "
            "120%，请核对",
            f"{data.produced_quantity} produced is more than 120% of the "
            f"{batch.planned_quantity} planned; check the count",
            field="produced_quantity",
        )
    product = catalog.by_id(session, Product, t, batch.product_id)
    location = (
        session.get(Location, (t, batch.location_id)) if batch.location_id else None
    )
    batch.ended_at = ended_at
    batch.produced_quantity = data.produced_quantity
    batch.status = "completed"
    session.flush()
    events.append(
        session,
        tenant_id=t,
        kind="batch_completed",
        subject=f"batch:{code}",
        event_type="TransformationEvent",
        action=None,
        biz_step="creating_class_instance",
        disposition="in_progress",
        event_time=ended_at,
        actor=actor.ref,
        fields={
            "transformationID": transformation_id(tenant, batch.code),
            "outputQuantityList": [
                {
                    "epcClass": batch_uri(product, batch.code),
                    "quantity": data.produced_quantity,
                }
            ],
            **_where(tenant, location),
            "ilmd": {
                "cbvmda:bestBeforeDate": batch.best_before.isoformat()
                if batch.best_before
                else None,
                "cbvmda:lotNumber": batch.code,
            },
        },
        extension={"batch": batch.code, "planned": batch.planned_quantity},
    )
    return batch


def transformation_id(tenant: Tenant, code: str) -> str:
    return f"urn:bakeprint:{tenant.slug}:transformation:{code}"


def pack_batch(session: Session, code: str, data: PackCreate, *, actor: Actor) -> Batch:
    """Pack a batch: refused until its post-cooling check has passed."""
    t = actor.tenant_id
    batch = batches.for_update(session, t, code)
    _require_status(batch, ("completed",), "包装", "packed")
    quality.require_passed_before_packing(session, batch)
    produced = batch.produced_quantity or 0
    if data.quantity > produced:
        raise Conflict(
            f"包装 {data.quantity} 份多于产出的 {produced} 份",
            f"cannot pack {data.quantity}: only {produced} were produced",
            field="quantity",
        )
    packed_at = chronology.check(
        Moment(data.packed_at or utcnow(), "包装时间", "the packing time"),
        tz=tenants.get(session, t).timezone,
        field="packed_at",
        not_before=[
            batches.batch_time(batch, "ended_at"),
            quality.last_check_before_packing(session, batch),
        ],
    )
    product = catalog.by_id(session, Product, t, batch.product_id)
    batch.packed_quantity = data.quantity
    batch.packed_at = packed_at
    batch.status = "packed"
    session.flush()
    events.append(
        session,
        tenant_id=t,
        kind="packed",
        subject=f"batch:{code}",
        event_type="ObjectEvent",
        action="OBSERVE",
        biz_step="packing",
        disposition="sellable_not_accessible",
        event_time=packed_at,
        actor=actor.ref,
        fields={
            "epcList": [],
            "quantityList": [
                {"epcClass": batch_uri(product, batch.code), "quantity": data.quantity}
            ],
        },
        extension={"batch": batch.code, "produced": produced},
    )
    # One unit per package, each with its own serial and QR code (R1.8).
    from bakeprint.packaging import service as packaging

    packaging.commission_units(session, tenant_id=t, batch_id=batch.id, actor=actor)
    return batch


def list_batches(
    session: Session, *, actor: Actor, limit: int = 100, **filters: Any
) -> list[Batch]:
    stmt = batches.search(actor.tenant_id, **filters).limit(limit)
    return list(session.scalars(stmt))


def operators_of(session: Session, batch: Batch) -> list[tuple[Operator, str]]:
    rows = session.execute(
        select(Operator, BatchOperator.role)
        .join(
            BatchOperator,
            (BatchOperator.tenant_id == Operator.tenant_id)
            & (BatchOperator.operator_id == Operator.id),
        )
        .where(
            BatchOperator.tenant_id == batch.tenant_id,
            BatchOperator.batch_id == batch.id,
        )
        .order_by(BatchOperator.role.desc(), Operator.code)
    ).all()
    return [(op, role) for op, role in rows]


def equipment_of(session: Session, batch: Batch) -> list[Equipment]:
    return list(
        session.scalars(
            select(Equipment)
            .join(
                BatchEquipment,
                (BatchEquipment.tenant_id == Equipment.tenant_id)
                & (BatchEquipment.equipment_id == Equipment.id),
            )
            .where(
                BatchEquipment.tenant_id == batch.tenant_id,
                BatchEquipment.batch_id == batch.id,
            )
            .order_by(Equipment.code)
        )
    )
