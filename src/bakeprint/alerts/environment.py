"""Environment alerts (R2.5): one per excursion of one sensor outside one
allowed range — the place's own, or a product category's while batches of
that category were there (see ``watch``, which finds them) — naming the
batches that were there during it. Readings that arrive later, in order or
not, hours after the trip, extend or deepen the same alert and add the
batches they reveal; never another alert, never a batch twice.

Level 1 (up to 15 % beyond the limit) is recorded, the production lead is
told (outbox), and it counts as a minor anomaly of the batches it names.
Level 2 is handled: the owner is told, and its batches are flagged, sampled
more and given a QC task under one batch alert (alerts.attention), which is
acknowledged together with this one: one excursion, one acknowledgement.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bakeprint import localtime
from bakeprint.alerts import attention, common
from bakeprint.db import upsert_insert, utcnow
from bakeprint.identity.models import Tenant
from bakeprint.identity.service import Actor
from bakeprint.outbox.models import OutboxMessage
from bakeprint.production.models import Batch
from bakeprint.sensors import presence
from bakeprint.sensors import service as sensors
from bakeprint.sensors.environment import Segment
from bakeprint.sensors.excursions import JOIN_GAP, Excursion
from bakeprint.sensors.models import (
    EnvironmentAlert,
    EnvironmentAlertBatch,
    Sensor,
)


def record(
    session: Session,
    sensor: Sensor,
    category: str | None,
    exc: Excursion,
    batches: list[Batch],
) -> EnvironmentAlert:
    """The alert for this excursion of ``sensor`` against the place's own range
    (``category`` None) or a category's — made, or the same one extended —
    naming ``batches``, the batches that were there during it."""
    t = sensor.tenant_id
    stmt = select(EnvironmentAlert).where(
        EnvironmentAlert.tenant_id == t,
        EnvironmentAlert.sensor_id == sensor.id,
        EnvironmentAlert.category.is_(None)
        if category is None
        else EnvironmentAlert.category == category,
        or_(
            EnvironmentAlert.ended_at.is_(None),
            EnvironmentAlert.ended_at >= exc.start - JOIN_GAP,
        ),
    )
    if exc.end is not None:
        stmt = stmt.where(EnvironmentAlert.started_at <= exc.end + JOIN_GAP)
    existing = session.scalar(
        stmt.order_by(EnvironmentAlert.started_at).with_for_update()
    )
    if existing is None:
        alert = EnvironmentAlert(
            tenant_id=t,
            sensor_id=sensor.id,
            kind=sensor.kind,
            category=category,
            started_at=exc.start,
            ended_at=exc.end,
            minutes=exc.minutes,
            peak=exc.peak,
            low=exc.low,
            high=exc.high,
            beyond_pct=exc.beyond_pct,
            level=exc.level,
        )
        session.add(alert)
        session.flush()
        added = _link(session, alert, batches)
        _notify(session, sensor, alert)
        _handle(session, sensor, alert, added, escalated=True)
        return alert
    rose = exc.level > existing.level
    _extend(existing, exc)
    added = _link(session, existing, batches)
    if rose:
        _notify(session, sensor, existing)
    _handle(session, sensor, existing, added, escalated=rose)
    return existing


def _extend(alert: EnvironmentAlert, exc: Excursion) -> None:
    """Readings seen again, or more of them: the excursion is as long and as
    deep as all of them say."""
    seen = alert.ended_at or alert.started_at + timedelta(minutes=alert.minutes)
    alert.started_at = min(alert.started_at, exc.start)
    if exc.end is not None:
        alert.ended_at = max(alert.ended_at or exc.end, exc.end)
    elif alert.ended_at is None or exc.until >= alert.ended_at:
        # outside again at or after its recorded end; a window that merely
        # stopped short of the end leaves the end alone
        alert.ended_at = None
    until = alert.ended_at or max(seen, exc.until)
    alert.minutes = round((until - alert.started_at).total_seconds() / 60, 1)
    if exc.beyond_pct > alert.beyond_pct:
        alert.peak, alert.beyond_pct = exc.peak, exc.beyond_pct
        alert.low, alert.high = exc.low, exc.high
        alert.level = max(alert.level, exc.level)


def _link(
    session: Session, alert: EnvironmentAlert, batches: list[Batch]
) -> list[Batch]:
    """Name the batches on the alert (each once, even when two uploads see
    them at the same time); returns those it did not name yet."""
    have = set(
        session.scalars(
            select(EnvironmentAlertBatch.batch_id).where(
                EnvironmentAlertBatch.tenant_id == alert.tenant_id,
                EnvironmentAlertBatch.alert_id == alert.id,
            )
        )
    )
    new = [b for b in batches if b.id not in have]
    if new:
        session.execute(
            upsert_insert(session)(EnvironmentAlertBatch)
            .values(
                [
                    {
                        "tenant_id": alert.tenant_id,
                        "alert_id": alert.id,
                        "batch_id": b.id,
                    }
                    for b in new
                ]
            )
            .on_conflict_do_nothing(
                index_elements=["tenant_id", "alert_id", "batch_id"]
            )
        )
    return new


def _handle(
    session: Session,
    sensor: Sensor,
    alert: EnvironmentAlert,
    added: list[Batch],
    *,
    escalated: bool,
) -> None:
    """Level 2: the batches named are handled under one batch alert (raised,
    or given the new batches and the excursion as it now stands). Level 1: a
    minor anomaly of each batch newly named, which may add up to level 2."""
    if alert.level < 2:
        for batch in added:
            attention.review(session, batch)
        return
    key = f"environment:{alert.id}"
    zh, en = describe(session, sensor, alert)
    if escalated or added:
        named = linked(session, alert.tenant_id, [alert.id]).get(alert.id, [])
        if named:
            attention.excursion(session, named, key=key, zh=zh, en=en)
    else:
        attention.retell(session, alert.tenant_id, key=key, zh=zh, en=en)


def linked(
    session: Session, tenant_id: uuid.UUID, alert_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Batch]]:
    """The batches each alert names, by code."""
    out: dict[uuid.UUID, list[Batch]] = defaultdict(list)
    if not alert_ids:
        return out
    for alert_id, batch in session.execute(
        select(EnvironmentAlertBatch.alert_id, Batch)
        .join(
            Batch,
            (Batch.tenant_id == EnvironmentAlertBatch.tenant_id)
            & (Batch.id == EnvironmentAlertBatch.batch_id),
        )
        .where(
            EnvironmentAlertBatch.tenant_id == tenant_id,
            EnvironmentAlertBatch.alert_id.in_(list(alert_ids)),
        )
        .order_by(Batch.code)
    ):
        out[alert_id].append(batch)
    return out


def during(
    session: Session,
    tenant_id: uuid.UUID,
    category: str | None,
    segments: Sequence[Segment],
) -> list[EnvironmentAlert]:
    """The alerts of a batch's own time at each place it was: a segment's
    sensors, overlapping the segment, against the range that was strictest
    for the batch there (its category's, else the place's own) — the same
    choice that named it on the alert."""
    wanted = [seg for seg in segments if seg.sensor_ids]
    if not wanted:
        return []
    rows = alerts(
        session,
        tenant_id,
        sensor_ids=list({x for seg in wanted for x in seg.sensor_ids}),
        start=min(seg.start for seg in wanted),
        end=max(seg.end for seg in wanted),
        limit=1000,
    )
    history = sensors.range_history(session, tenant_id) if rows else []
    found: dict[uuid.UUID, EnvironmentAlert] = {}
    for seg in wanted:
        for a in rows:
            if (
                a.sensor_id in seg.sensor_ids
                and a.started_at < seg.end
                and (a.ended_at is None or a.ended_at > seg.start)
                and a.category
                == presence.group_of(history, a.kind, category, seg.start, seg.end)
            ):
                found.setdefault(a.id, a)
    return sorted(found.values(), key=lambda a: a.started_at)


def place(session: Session, sensor: Sensor) -> tuple[str, str, str]:
    """The sensor's place: (kind, code, name)."""
    kind, pid = sensors.place_of(sensor)
    row = session.get(sensors.PLACES[kind], (sensor.tenant_id, pid))
    return kind, (row.code if row else "?"), (row.name if row else "")


def limit_text(alert: Any) -> str:
    """The limit the excursion crossed: "≤ 8" or "≥ 0"."""
    if alert.high is not None and alert.peak > alert.high:
        return f"≤ {alert.high:g}"
    return f"≥ {alert.low:g}"


def describe(
    session: Session, sensor: Sensor, alert: EnvironmentAlert
) -> tuple[str, str]:
    """The excursion in a sentence (zh, en), in the bakery's time zone: where,
    against which range, how far and how long outside, which batches."""
    _, code, name = place(session, sensor)
    tenant = session.get(Tenant, alert.tenant_id)
    tz = tenant.timezone if tenant else None
    since_zh = localtime.span(alert.started_at, alert.ended_at, tz, open_end="仍超标")
    since_en = localtime.span(alert.started_at, alert.ended_at, tz, open_end="still")
    unit = "%" if alert.kind == "humidity" else " °C"
    what_zh = "湿度" if alert.kind == "humidity" else "温度"
    limit = f"{limit_text(alert)}{unit}"
    codes = [b.code for b in linked(session, alert.tenant_id, [alert.id])[alert.id]]
    zh = (
        f"{code}（{name}）{what_zh} {alert.peak:g}{unit}，"
        f"{alert.category or ''}标准 {limit}，超出 {alert.beyond_pct:g}%，"
        f"持续 {alert.minutes:g} 分钟（{since_zh}）"
    )
    en = (
        f"{code} ({name}): {alert.kind} {alert.peak:g}{unit} against the "
        f"{alert.category + ' ' if alert.category else ''}standard {limit}, "
        f"{alert.beyond_pct:g} % beyond for {alert.minutes:g} min "
        f"({since_en})"
    )
    if codes:
        zh += f"；批次 {'、'.join(codes)}"
        en += f"; batches {', '.join(codes)}"
    return zh, en


def _notify(session: Session, sensor: Sensor, alert: EnvironmentAlert) -> None:
    place_kind, code, _ = place(session, sensor)
    zh, en = describe(session, sensor, alert)
    session.add(
        OutboxMessage(
            tenant_id=sensor.tenant_id,
            topic=f"alert.level{alert.level}",
            recipient="role:production" if alert.level == 1 else "role:owner",
            payload={
                "alert": str(alert.id),
                "sensor": sensor.code,
                "place_kind": place_kind,
                "place": code,
                "category": alert.category,
                "kind": alert.kind,
                "peak": alert.peak,
                "limit": limit_text(alert),
                "unit": sensor.unit,
                "beyond_pct": alert.beyond_pct,
                "minutes": alert.minutes,
                "level": alert.level,
                "started_at": localtime.iso(alert.started_at),
                "batches": [
                    b.code
                    for b in linked(session, alert.tenant_id, [alert.id])[alert.id]
                ],
                "detail_zh": zh,
                "detail_en": en,
            },
            available_at=utcnow(),
        )
    )


def acknowledge(
    session: Session, alert_id: uuid.UUID, *, note: str = "", actor: Actor
) -> EnvironmentAlert:
    """Acknowledged once for every batch it names; the batch alert a level-2
    excursion raised is acknowledged with it (one excursion, one
    acknowledgement)."""
    alert: EnvironmentAlert = common.acknowledge_row(
        session,
        EnvironmentAlert,
        alert_id,
        note=note,
        actor=actor,
        missing=("找不到这条告警", "alert not found"),
    )
    attention.settle(
        session, alert.tenant_id, key=f"environment:{alert.id}", alert=alert
    )
    return alert


def alerts(
    session: Session,
    tenant_id: uuid.UUID,
    *,
    status: str | None = None,
    sensor_ids: Sequence[uuid.UUID] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = 200,
) -> list[EnvironmentAlert]:
    stmt = select(EnvironmentAlert).where(EnvironmentAlert.tenant_id == tenant_id)
    if status:
        stmt = stmt.where(EnvironmentAlert.status == status)
    if sensor_ids is not None:
        stmt = stmt.where(EnvironmentAlert.sensor_id.in_(list(sensor_ids)))
    if end is not None:
        stmt = stmt.where(EnvironmentAlert.started_at <= end)
    if start is not None:
        stmt = stmt.where(
            or_(
                EnvironmentAlert.ended_at.is_(None),
                EnvironmentAlert.ended_at >= start,
            )
        )
    return list(
        session.scalars(stmt.order_by(EnvironmentAlert.started_at.desc()).limit(limit))
    )
