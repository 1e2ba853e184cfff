"""QC checkpoints on a batch (R1.6).

A re-check after a failure is a new row; a wrongly entered result is corrected by
a new row pointing at it. The current result of a stage is its latest row that
nothing corrects.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bakeprint import chronology, localtime
from bakeprint.catalog import repository as catalog
from bakeprint.catalog.models import Operator, Product
from bakeprint.chronology import Moment
from bakeprint.db import utcnow
from bakeprint.errors import Conflict, Invalid, NotFound
from bakeprint.events import service as events
from bakeprint.identity import repository as tenants
from bakeprint.identity.service import Actor
from bakeprint.interop import ids
from bakeprint.production import repository as batches
from bakeprint.production.models import Batch
from bakeprint.quality.models import MANDATORY_BEFORE_PACKING, STAGES, Checkpoint
from bakeprint.quality.schemas import CheckpointCorrect, CheckpointCreate

STAGE_NAMES = {
    "incoming": ("来料检验", "incoming inspection"),
    "pre_bake": ("烘烤前检查", "pre-bake check"),
    "post_bake": ("出炉检查", "post-bake check"),
    "post_cooling": ("冷却后检验", "post-cooling check"),
    "pre_pack": ("包装前检查", "pre-pack check"),
    "release": ("放行检验", "release check"),
}
# Where each check sits in a batch's life (besides after its start): the checks
# of the cooled goods follow the end of production, and the checks up to the
# pre-pack one come before packing. An incoming (material) inspection may be
# done up to INCOMING_LEAD before the batch is started.
AFTER_PRODUCTION = ("post_cooling", "pre_pack", "release")
BEFORE_PACKING = ("pre_bake", "post_bake", "post_cooling", "pre_pack")
INCOMING_LEAD = timedelta(hours=12)


def for_batch(
    session: Session, batch: Batch, *, in_force: bool = False
) -> list[Checkpoint]:
    """The batch's checkpoints in the order checked (``in_force``: only those
    no later row corrects)."""
    stmt = select(Checkpoint).where(
        Checkpoint.tenant_id == batch.tenant_id, Checkpoint.batch_id == batch.id
    )
    if in_force:
        stmt = stmt.where(batches.in_force(Checkpoint))
    return list(
        session.scalars(stmt.order_by(Checkpoint.checked_at, Checkpoint.created_at))
    )


def current(rows: list[Checkpoint]) -> dict[str, Checkpoint]:
    """Latest checkpoint per stage of ``rows`` (checkpoints in force)."""
    out: dict[str, Checkpoint] = {}
    for r in rows:
        prev = out.get(r.stage)
        if prev is None or (r.checked_at, r.created_at) >= (
            prev.checked_at,
            prev.created_at,
        ):
            out[r.stage] = r
    return out


def _check_time(
    session: Session, batch: Batch, stages: Iterable[str], *, last: bool
) -> Moment:
    """The first (or last) time one of ``stages`` was checked on the batch."""
    order = Checkpoint.checked_at.desc() if last else Checkpoint.checked_at
    row = session.execute(
        select(Checkpoint.stage, Checkpoint.checked_at)
        .where(
            Checkpoint.tenant_id == batch.tenant_id,
            Checkpoint.batch_id == batch.id,
            Checkpoint.stage.in_(tuple(stages)),
        )
        .order_by(order)
        .limit(1)
    ).first()
    if row is None:
        return Moment(None, "", "")
    zh, en = STAGE_NAMES[row.stage]
    return Moment(row.checked_at, f"{zh}时间", f"the {en}'s time")


def first_check_after_production(session: Session, batch: Batch) -> Moment:
    """The earliest check of the cooled goods: production ended before it."""
    return _check_time(session, batch, AFTER_PRODUCTION, last=False)


def last_check_before_packing(session: Session, batch: Batch) -> Moment:
    """The latest check that comes before packing (the post-cooling one…)."""
    return _check_time(session, batch, BEFORE_PACKING, last=True)


def require_passed_before_packing(session: Session, batch: Batch) -> None:
    state = current(for_batch(session, batch, in_force=True))
    for stage in MANDATORY_BEFORE_PACKING:
        zh, en = STAGE_NAMES[stage]
        cp = state.get(stage)
        if cp is None:
            raise Conflict(
                f"批次 {batch.code} 还没有{zh}，不能包装",
                f"batch {batch.code} has no {en} yet; it cannot be packed",
            )
        if not cp.passed:
            raise Conflict(
                f"批次 {batch.code} 的{zh}未通过（{_when(cp.checked_at)}），"
                "复检通过后才能包装",
                f"batch {batch.code} failed its {en} ({_when(cp.checked_at)}); "
                "it can be packed once a re-check passes",
            )


def _when(at: datetime) -> str:
    return localtime.text(at, fmt="%m-%d %H:%M")


def _append(
    session: Session,
    batch: Batch,
    cp: Checkpoint,
    *,
    actor: Actor,
    inspector: Operator | None,
    corrects_seq: int | None = None,
    reason: str = "",
) -> None:
    product = session.get(Product, (batch.tenant_id, batch.product_id))
    assert product is not None
    ev = events.append(
        session,
        tenant_id=batch.tenant_id,
        kind="checkpoint",
        subject=f"batch:{batch.code}",
        event_type="ObjectEvent",
        action="OBSERVE",
        biz_step="inspecting",
        disposition="conformant" if cp.passed else "non_conformant",
        event_time=cp.checked_at,
        actor=actor.ref,
        corrects_seq=corrects_seq,
        fields={
            "epcList": [],
            "quantityList": [
                {
                    "epcClass": ids.batch_class(product.gtin, batch.code),
                    "quantity": batch.produced_quantity or batch.planned_quantity,
                }
            ],
        },
        extension={
            "batch": batch.code,
            "stage": cp.stage,
            "passed": cp.passed,
            "inspector": inspector.code if inspector else None,
            "reason": reason or None,
        },
    )
    cp.event_seq = ev.seq


def _checked_at(session: Session, batch: Batch, data: CheckpointCreate) -> datetime:
    """The check's time, refused when it contradicts where its stage sits."""
    tenant = tenants.get(session, batch.tenant_id)
    zh, en = STAGE_NAMES[data.stage]
    started = batches.batch_time(batch, "started_at")
    if data.stage == "incoming":
        hours = int(INCOMING_LEAD.total_seconds() // 3600)
        started = Moment(
            batch.started_at - INCOMING_LEAD,
            f"{started.zh}前 {hours} 小时",
            f"{hours} hours before {started.en}",
        )
    after = [started]
    if data.stage in AFTER_PRODUCTION:
        after.append(batches.batch_time(batch, "ended_at"))
    before = []
    if data.stage in BEFORE_PACKING:
        before.append(batches.batch_time(batch, "packed_at"))
    return chronology.check(
        Moment(data.checked_at or utcnow(), f"{zh}时间", f"the {en}'s time"),
        tz=tenant.timezone,
        field="checked_at",
        not_before=after,
        not_after=before,
    )


def record(
    session: Session, code: str, data: CheckpointCreate, *, actor: Actor
) -> Checkpoint:
    """Record a QC checkpoint result on a batch."""
    t = actor.tenant_id
    batch = batches.for_update(session, t, code)
    if data.stage not in STAGES:
        raise Invalid(
            f"未知检验环节 {data.stage}", f"unknown stage {data.stage}", field="stage"
        )
    if batch.status in ("packed", "recalled") and data.stage in (
        "pre_bake",
        "post_bake",
        "post_cooling",
    ):
        zh, en = STAGE_NAMES[data.stage]
        raise Conflict(
            f"批次 {batch.code} 已包装，不能再登记{zh}",
            f"batch {batch.code} is already packed; a {en} can no longer be recorded",
        )
    checked_at = _checked_at(session, batch, data)
    inspector = (
        catalog.get(session, Operator, t, data.inspector) if data.inspector else None
    )
    cp = Checkpoint(
        tenant_id=t,
        batch_id=batch.id,
        stage=data.stage,
        passed=data.passed,
        notes=data.notes,
        inspector_id=inspector.id if inspector else None,
        checked_at=checked_at,
    )
    session.add(cp)
    session.flush()
    _append(session, batch, cp, actor=actor, inspector=inspector)
    return cp


def correct(
    session: Session, checkpoint_id: uuid.UUID, data: CheckpointCorrect, *, actor: Actor
) -> Checkpoint:
    """Correct a wrongly entered result: a new row that points at the old one."""
    t = actor.tenant_id
    old = session.get(Checkpoint, (t, checkpoint_id))
    if old is None:
        raise NotFound("找不到该检验记录", "checkpoint not found")
    batch = session.get(Batch, (t, old.batch_id))
    assert batch is not None
    batch = batches.for_update(session, t, batch.code)
    if (
        session.scalar(
            select(Checkpoint.id).where(
                Checkpoint.tenant_id == t, Checkpoint.corrects_id == old.id
            )
        )
        is not None
    ):
        raise Conflict("该检验记录已被更正过", "this checkpoint was already corrected")
    if (
        batch.status == "packed"
        and old.stage in MANDATORY_BEFORE_PACKING
        and not data.passed
    ):
        raise Conflict(
            f"批次 {batch.code} 已包装；如有问题请启动召回",
            f"batch {batch.code} is already packed; open a recall instead",
        )
    inspector = (
        session.get(Operator, (t, old.inspector_id)) if old.inspector_id else None
    )
    cp = Checkpoint(
        tenant_id=t,
        batch_id=batch.id,
        stage=old.stage,
        passed=data.passed,
        notes=data.notes or old.notes,
        inspector_id=old.inspector_id,
        checked_at=old.checked_at,
        corrects_id=old.id,
    )
    session.add(cp)
    session.flush()
    _append(
        session,
        batch,
        cp,
        actor=actor,
        inspector=inspector,
        corrects_seq=old.event_seq,
        reason=data.reason,
    )
    return cp
