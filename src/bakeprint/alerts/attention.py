"""Level-2 and level-3 alerts (R2.5).

Level 2 — handle: a batch made with a lot that passed QC only borderline,
one that was somewhere (hall, cold room, van, shop) during a level-2
environment excursion, or one that gathered several minor anomalies (level-1
excursions wherever it was, failed checks, oven outside tolerance; the number
is the bakery's setting) is marked "需重点关注", its finished-goods sampling
rate is raised and QC gets a task to sample it.

Level 3 — recall: a verified complaint or a confirmed hazard (an undeclared
allergen at a supplier…) produces the impact report of its scope at once and
a recall draft for a person to launch.

An alert stands for one cause on one subject (its ``key``): noticing the same
cause again adds batches to it, never a second alert.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bakeprint import localtime
from bakeprint.alerts import common
from bakeprint.catalog.models import Product
from bakeprint.db import upsert_insert, utcnow
from bakeprint.errors import Conflict, Invalid, NotFound
from bakeprint.events import service as events
from bakeprint.identity.service import Actor
from bakeprint.interop import ids
from bakeprint.materials.models import MaterialLot
from bakeprint.outbox.models import OutboxMessage
from bakeprint.production.models import BakeRecord, Batch, Consumption
from bakeprint.quality import service as checkpoints
from bakeprint.quality.models import (
    AlertSettings,
    BatchAlert,
    BatchAlertBatch,
    QcTask,
)
from bakeprint.recall import service as recalls
from bakeprint.sensors import environment
from bakeprint.sensors.models import EnvironmentAlert
from bakeprint.trace import causes, scope

SYSTEM = "system"
DEFAULT_MINOR = 2
DEFAULT_SAMPLING = 0.1


# --- settings ---------------------------------------------------------------


@dataclass
class Thresholds:
    minor_anomalies: int
    raised_sampling_rate: float


def thresholds(session: Session, tenant_id: uuid.UUID) -> Thresholds:
    row = session.get(AlertSettings, tenant_id)
    if row is None:
        return Thresholds(DEFAULT_MINOR, DEFAULT_SAMPLING)
    return Thresholds(row.minor_anomalies, row.raised_sampling_rate)


def set_thresholds(
    session: Session,
    *,
    minor_anomalies: int | None = None,
    raised_sampling_rate: float | None = None,
    actor: Actor,
) -> Thresholds:
    if minor_anomalies is not None and not 1 <= minor_anomalies <= 20:
        raise Invalid(
            "轻微异常的次数应在 1 到 20 之间",
            "the number of minor anomalies must be between 1 and 20",
            field="minor_anomalies",
        )
    if raised_sampling_rate is not None and not 0 < raised_sampling_rate <= 1:
        raise Invalid(
            "抽检比例应大于 0、不超过 1（例如 0.1 即 10 %）",
            "the sampling rate must be above 0 and at most 1 (0.1 = 10 %)",
            field="raised_sampling_rate",
        )
    row = session.get(AlertSettings, actor.tenant_id, with_for_update=True)
    if row is None:
        row = AlertSettings(
            tenant_id=actor.tenant_id,
            minor_anomalies=DEFAULT_MINOR,
            raised_sampling_rate=DEFAULT_SAMPLING,
        )
        session.add(row)
    if minor_anomalies is not None:
        row.minor_anomalies = minor_anomalies
    if raised_sampling_rate is not None:
        row.raised_sampling_rate = raised_sampling_rate
    row.updated_by, row.updated_at = actor.username, utcnow()
    session.flush()
    return Thresholds(row.minor_anomalies, row.raised_sampling_rate)


# --- level 2 ----------------------------------------------------------------


def minor_anomalies(session: Session, batch: Batch) -> list[dict[str, str]]:
    """What is not quite right with a batch, each worded for people."""
    t = batch.tenant_id
    out: list[dict[str, str]] = []
    used = scope.live_consumptions(session, t, Consumption.batch_id == batch.id)
    lot_ids = {c.lot_id for c in used}
    for lot in (
        session.scalars(
            select(MaterialLot)
            .where(MaterialLot.tenant_id == t, MaterialLot.id.in_(lot_ids))
            .order_by(MaterialLot.code)
        )
        if lot_ids
        else []
    ):
        if lot.qc_result == "borderline":
            out.append(
                {
                    "kind": "borderline_lot",
                    "ref": lot.code,
                    "zh": f"原料批次 {lot.code} 质检边缘合格"
                    f"（评分 {lot.quality_score}）",
                    "en": f"material lot {lot.code} passed QC only borderline "
                    f"(score {lot.quality_score})",
                }
            )
    rows = checkpoints.for_batch(session, batch)
    corrected = {r.corrects_id for r in rows if r.corrects_id}
    for cp in rows:
        if not cp.passed and cp.id not in corrected:
            zh, en = checkpoints.STAGE_NAMES.get(cp.stage, (cp.stage, cp.stage))
            checked = localtime.text(cp.checked_at, fmt="%m-%d %H:%M")
            out.append(
                {
                    "kind": "failed_check",
                    "ref": cp.stage,
                    "zh": f"{zh}未通过（{checked}）",
                    "en": f"{en} failed ({checked})",
                }
            )
    bakes = list(
        session.scalars(
            select(BakeRecord).where(
                BakeRecord.tenant_id == t, BakeRecord.batch_id == batch.id
            )
        )
    )
    replaced = {b.corrects_id for b in bakes if b.corrects_id}
    for bake in bakes:
        if bake.id not in replaced and not bake.within_tolerance:
            out.append(
                {
                    "kind": "oven",
                    "ref": f"{bake.recorded_at:%H:%M}",
                    "zh": f"烘烤超出允许偏差：{bake.actual_temp_c:g} °C / "
                    f"{bake.actual_minutes:g} 分钟，目标 {bake.target_temp_c or 0:g} °C"
                    f" / {bake.target_minutes or 0:g} 分钟",
                    "en": f"bake outside tolerance: {bake.actual_temp_c:g} °C / "
                    f"{bake.actual_minutes:g} min, target {bake.target_temp_c or 0:g}"
                    f" °C / {bake.target_minutes or 0:g} min",
                }
            )
    segments = environment.batch_environment(session, batch)
    for a in environment.anomalies(segments):
        if a["level"] == 1:  # a level-2 excursion is handled on its own
            out.append(
                {
                    "kind": "environment",
                    "ref": f"{a['sensor']}@{a['start']:%Y%m%dT%H%M}",
                    "zh": f"{a['place']} {a['zh']}",
                    "en": f"{a['place']}: {a['en']}",
                }
            )
    return out


def _product(session: Session, batch: Batch) -> Product:
    product = session.get(Product, (batch.tenant_id, batch.product_id))
    assert product is not None
    return product


def _mark(
    session: Session, batch: Batch, alert: BatchAlert, limits: Thresholds
) -> None:
    """Flag the batch, raise its sampling and give QC a task (once)."""
    first = not batch.needs_attention
    batch.needs_attention = True
    batch.sampling_rate = max(batch.sampling_rate, limits.raised_sampling_rate)
    open_task = session.scalar(
        select(QcTask.id).where(
            QcTask.tenant_id == batch.tenant_id,
            QcTask.batch_id == batch.id,
            QcTask.kind == "extra_sampling",
            QcTask.status == "open",
        )
    )
    if open_task is None:
        pct = f"{batch.sampling_rate:.0%}"
        session.add(
            QcTask(
                tenant_id=batch.tenant_id,
                kind="extra_sampling",
                batch_id=batch.id,
                alert_id=alert.id,
                detail_zh=f"批次 {batch.code} 需重点关注：成品抽检比例提高到 {pct}"
                f"（{alert.detail_zh}）",
                detail_en=f"batch {batch.code} needs attention: sample {pct} of "
                f"the finished goods ({alert.detail_en})",
            )
        )
    if first:
        product = _product(session, batch)
        events.append(
            session,
            tenant_id=batch.tenant_id,
            kind="attention",
            subject=f"batch:{batch.code}",
            event_type="ObjectEvent",
            action="OBSERVE",
            biz_step="inspecting",
            event_time=utcnow(),
            actor=alert.raised_by,
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
                "level": 2,
                "cause": alert.cause,
                "sampling_rate": batch.sampling_rate,
            },
        )


def _alert(
    session: Session,
    tenant_id: uuid.UUID,
    *,
    key: str,
    level: int,
    cause: str,
    zh: str,
    en: str,
    by: str,
) -> tuple[BatchAlert, bool]:
    """The alert for ``key``, made if there is none (an atomic upsert: two
    requests noticing the same cause at once get the same alert)."""
    insert = upsert_insert(session)
    made = session.execute(
        insert(BatchAlert)
        .values(
            tenant_id=tenant_id,
            id=uuid.uuid4(),
            created_at=utcnow(),
            key=key,
            level=level,
            cause=cause,
            detail_zh=zh,
            detail_en=en,
            anomalies=[],
            raised_at=utcnow(),
            raised_by=by,
            status="open",
            note="",
        )
        .on_conflict_do_nothing(index_elements=["tenant_id", "key"])
        .returning(BatchAlert.id)
    ).scalar()
    alert = session.scalar(
        select(BatchAlert)
        .where(BatchAlert.tenant_id == tenant_id, BatchAlert.key == key)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert alert is not None
    return alert, made is not None


def _link(session: Session, alert: BatchAlert, batch_ids: list[uuid.UUID]) -> None:
    have = set(
        session.scalars(
            select(BatchAlertBatch.batch_id).where(
                BatchAlertBatch.tenant_id == alert.tenant_id,
                BatchAlertBatch.alert_id == alert.id,
            )
        )
    )
    for bid in batch_ids:
        if bid not in have:
            session.add(
                BatchAlertBatch(
                    tenant_id=alert.tenant_id, alert_id=alert.id, batch_id=bid
                )
            )
            have.add(bid)
    session.flush()


def _notify(session: Session, alert: BatchAlert, batches: list[str]) -> None:
    session.add(
        OutboxMessage(
            tenant_id=alert.tenant_id,
            topic=f"alert.level{alert.level}",
            recipient="role:qc" if alert.level == 2 else "role:owner",
            payload={
                "alert": str(alert.id),
                "level": alert.level,
                "cause": alert.cause,
                "batches": batches,
                "detail_zh": alert.detail_zh,
                "detail_en": alert.detail_en,
            },
            available_at=utcnow(),
        )
    )


def flag(
    session: Session,
    batches: list[Batch],
    *,
    key: str,
    cause: str,
    zh: str,
    en: str,
    anomalies: list[dict[str, str]] | None = None,
    by: str = SYSTEM,
) -> BatchAlert:
    """Raise (or extend) a level-2 alert and mark its batches."""
    t = batches[0].tenant_id
    alert, new = _alert(session, t, key=key, level=2, cause=cause, zh=zh, en=en, by=by)
    if anomalies is not None:
        alert.anomalies = anomalies
    _link(session, alert, [b.id for b in batches])
    limits = thresholds(session, t)
    for b in batches:
        _mark(session, b, alert, limits)
    if new:
        _notify(session, alert, [b.code for b in batches])
    session.flush()
    return alert


def borderline_lot(
    session: Session, lot: MaterialLot, batches: list[Batch], *, by: str = SYSTEM
) -> BatchAlert | None:
    """A lot that passed QC only borderline went into these batches."""
    if lot.qc_result != "borderline" or not batches:
        return None
    return flag(
        session,
        batches,
        key=f"borderline_lot:{lot.code}",
        cause="borderline_lot",
        zh=f"原料批次 {lot.code} 质检边缘合格（评分 {lot.quality_score}），"
        "用它做的批次加强成品抽检",
        en=f"material lot {lot.code} passed QC only borderline (score "
        f"{lot.quality_score}): the batches made with it are sampled more",
        by=by,
    )


def batches_using(session: Session, lot: MaterialLot) -> list[Batch]:
    used = scope.live_consumptions(session, lot.tenant_id, Consumption.lot_id == lot.id)
    ids_ = {c.batch_id for c in used}
    if not ids_:
        return []
    return list(
        session.scalars(
            select(Batch)
            .where(Batch.tenant_id == lot.tenant_id, Batch.id.in_(ids_))
            .order_by(Batch.code)
        )
    )


def review(session: Session, batch: Batch, *, by: str = SYSTEM) -> BatchAlert | None:
    """Count the batch's minor anomalies; at the bakery's threshold, level 2."""
    found = minor_anomalies(session, batch)
    limits = thresholds(session, batch.tenant_id)
    key = f"minor_anomalies:{batch.code}"
    if len(found) < limits.minor_anomalies:
        return None
    zh = f"批次 {batch.code} 有 {len(found)} 个轻微异常：" + "；".join(
        a["zh"] for a in found
    )
    en = f"batch {batch.code} has {len(found)} minor anomalies: " + "; ".join(
        a["en"] for a in found
    )
    alert = flag(
        session,
        [batch],
        key=key,
        cause="minor_anomalies",
        zh=zh,
        en=en,
        anomalies=found,
        by=by,
    )
    alert.detail_zh, alert.detail_en = zh, en  # the list may have grown
    return alert


def excursion(
    session: Session, batches: list[Batch], *, key: str, zh: str, en: str
) -> BatchAlert:
    """Level 2: the batches were where an environment excursion went more than
    15 % beyond its range (one alert per excursion; batches found there later
    are added to it)."""
    alert = flag(session, batches, key=key, cause="environment", zh=zh, en=en)
    alert.detail_zh, alert.detail_en = zh, en  # the excursion may have grown
    return alert


def retell(
    session: Session, tenant_id: uuid.UUID, *, key: str, zh: str, en: str
) -> None:
    """The excursion behind an alert grew (longer, deeper): say it as it is."""
    alert = session.scalar(
        select(BatchAlert).where(
            BatchAlert.tenant_id == tenant_id, BatchAlert.key == key
        )
    )
    if alert is not None:
        alert.detail_zh, alert.detail_en = zh, en


def settle(session: Session, tenant_id: uuid.UUID, *, key: str, alert: Any) -> None:
    """The environment alert ``alert`` was acknowledged: so is the batch alert
    it raised, if still open (one excursion, one acknowledgement)."""
    twin = session.scalar(
        select(BatchAlert)
        .where(
            BatchAlert.tenant_id == tenant_id,
            BatchAlert.key == key,
            BatchAlert.status == "open",
        )
        .with_for_update()
    )
    if twin is not None:
        _copy_ack(alert, twin)


def _copy_ack(source: Any, target: Any) -> None:
    target.status = "acknowledged"
    target.acknowledged_by = source.acknowledged_by
    target.acknowledged_at = source.acknowledged_at
    target.note = source.note


# --- level 3 ----------------------------------------------------------------


def escalate(
    session: Session,
    criteria: Any,
    *,
    key: str,
    cause: str,
    zh: str,
    en: str,
    actor: Actor,
) -> BatchAlert:
    """Level 3: the impact report of the scope and a recall draft from it."""
    t = actor.tenant_id
    found = scope.find(session, t, criteria)
    alert, new = _alert(
        session, t, key=key, level=3, cause=cause, zh=zh, en=en, by=actor.username
    )
    if not new:
        raised = localtime.text(alert.raised_at)
        raise Conflict(
            f"这个原因已经发出过三级预警（{raised}）",
            f"a level-3 alert was already raised for this ({raised})",
        )
    impact = found.model_dump(mode="json")
    if criteria.batch:
        impact["causes"] = [
            c.model_dump(mode="json")
            for c in causes.candidates(session, t, criteria.batch)
        ]
    alert.criteria = criteria.model_dump(mode="json", exclude_none=True)
    alert.impact = impact
    codes = [b.batch for b in found.batches]
    if codes:
        rows = session.scalars(
            select(Batch).where(Batch.tenant_id == t, Batch.code.in_(codes))
        ).all()
        _link(session, alert, [b.id for b in rows])
        recall = recalls.draft(session, criteria, reason=zh, actor=actor)
        alert.recall_id = recall.id
    _notify(session, alert, codes)
    session.flush()
    return alert


# --- reading and acknowledging ------------------------------------------------


def get(session: Session, tenant_id: uuid.UUID, alert_id: uuid.UUID) -> BatchAlert:
    alert = session.get(BatchAlert, (tenant_id, alert_id))
    if alert is None:
        raise NotFound("找不到这条预警", "alert not found")
    return alert


def acknowledge(
    session: Session, alert_id: uuid.UUID, *, note: str = "", actor: Actor
) -> BatchAlert:
    alert: BatchAlert = common.acknowledge_row(
        session,
        BatchAlert,
        alert_id,
        note=note,
        actor=actor,
        missing=("找不到这条预警", "alert not found"),
    )
    if alert.cause == "environment":  # and the excursion's own alert with it
        source = uuid.UUID(alert.key.split(":", 1)[1])
        twin = session.scalar(
            select(EnvironmentAlert)
            .where(
                EnvironmentAlert.tenant_id == alert.tenant_id,
                EnvironmentAlert.id == source,
                EnvironmentAlert.status == "open",
            )
            .with_for_update()
        )
        if twin is not None:
            _copy_ack(alert, twin)
    return alert


def batch_codes(session: Session, alert: BatchAlert) -> list[str]:
    return list(
        session.scalars(
            select(Batch.code)
            .join(
                BatchAlertBatch,
                (BatchAlertBatch.tenant_id == Batch.tenant_id)
                & (BatchAlertBatch.batch_id == Batch.id),
            )
            .where(
                BatchAlertBatch.tenant_id == alert.tenant_id,
                BatchAlertBatch.alert_id == alert.id,
            )
            .order_by(Batch.code)
        )
    )


def alerts(
    session: Session,
    tenant_id: uuid.UUID,
    *,
    status: str | None = None,
    level: int | None = None,
    batch: Batch | None = None,
    limit: int = 200,
) -> list[BatchAlert]:
    stmt = select(BatchAlert).where(BatchAlert.tenant_id == tenant_id)
    if status:
        stmt = stmt.where(BatchAlert.status == status)
    if level:
        stmt = stmt.where(BatchAlert.level == level)
    if batch is not None:
        stmt = stmt.join(
            BatchAlertBatch,
            (BatchAlertBatch.tenant_id == BatchAlert.tenant_id)
            & (BatchAlertBatch.alert_id == BatchAlert.id),
        ).where(BatchAlertBatch.batch_id == batch.id)
    return list(
        session.scalars(stmt.order_by(BatchAlert.raised_at.desc()).limit(limit))
    )


# --- QC tasks -----------------------------------------------------------------


def tasks(
    session: Session, tenant_id: uuid.UUID, *, status: str | None = "open"
) -> list[QcTask]:
    stmt = select(QcTask).where(QcTask.tenant_id == tenant_id)
    if status:
        stmt = stmt.where(QcTask.status == status)
    return list(session.scalars(stmt.order_by(QcTask.created_at)))


def complete_task(
    session: Session, task_id: uuid.UUID, *, result: str, actor: Actor
) -> QcTask:
    task = session.scalar(
        select(QcTask)
        .where(QcTask.tenant_id == actor.tenant_id, QcTask.id == task_id)
        .with_for_update()
    )
    if task is None:
        raise NotFound("找不到这项质检任务", "QC task not found")
    if task.status == "done":
        raise Conflict(
            f"这项任务已由 {task.done_by} 完成",
            f"this task was already done by {task.done_by}",
        )
    if task.kind == "complaint":
        raise Conflict(
            "投诉核实任务请在投诉页确认属实或不属实",
            "a complaint task is done by verifying or rejecting the complaint",
        )
    if not result.strip():
        raise Invalid(
            "请写明抽检结果", "write down what the sampling found", field="result"
        )
    task.status, task.done_by, task.done_at = "done", actor.username, utcnow()
    task.result = result.strip()
    session.flush()
    return task


def confirm_hazard(
    session: Session, criteria: Any, *, description: str, actor: Actor
) -> BatchAlert:
    """A hazard confirmed by a person (an undeclared nut allergen at a
    supplier…): level 3 on everything its scope reaches."""
    if not description.strip():
        raise Invalid(
            "请描述确认的安全隐患",
            "describe the hazard that was confirmed",
            field="description",
        )
    if not criteria.model_dump(exclude_none=True):
        raise Invalid(
            "请指定隐患涉及的范围：原料批次、供应商、生产时段…",
            "say what the hazard concerns: a material lot, a supplier, a session…",
        )
    return escalate(
        session,
        criteria,
        key=f"hazard:{uuid.uuid4().hex}",
        cause="hazard",
        zh=f"确认安全隐患：{description.strip()}",
        en=f"hazard confirmed: {description.strip()}",
        actor=actor,
    )
