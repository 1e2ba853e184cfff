"""Complaints: filed by a consumer on the scan page or by a shop or staff in
the UI, verified by QC. A verified complaint raises a level-3 alert (impact
report and recall draft); a rejected one is kept with the reason."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bakeprint import sequences
from bakeprint.alerts import attention
from bakeprint.catalog import repository as catalog
from bakeprint.catalog.models import PointOfSale
from bakeprint.config import settings
from bakeprint.db import utcnow
from bakeprint.errors import BakeprintError, Conflict, Forbidden, Invalid, NotFound
from bakeprint.identity import repository as tenants
from bakeprint.identity.models import Tenant
from bakeprint.identity.service import Actor, shop_bound
from bakeprint.outbox.models import OutboxMessage
from bakeprint.production.models import Batch
from bakeprint.quality.models import (
    COMPLAINT_CATEGORIES,
    BatchAlert,
    Complaint,
    QcTask,
)
from bakeprint.trace import scope

if TYPE_CHECKING:
    from bakeprint.packaging.service import Found

CATEGORY_NAMES = {
    "foreign_body": ("异物", "foreign body"),
    "allergen": ("过敏反应 / 过敏原", "allergic reaction / allergen"),
    "spoiled": ("变质、发霉、异味", "spoiled, mould, off smell"),
    "illness": ("食用后身体不适", "felt unwell after eating"),
    "packaging": ("包装破损", "damaged packaging"),
    "taste": ("口感、外观不对", "taste or look not right"),
    "other": ("其他", "other"),
}
assert set(CATEGORY_NAMES) == set(COMPLAINT_CATEGORIES)

Category = Literal[
    "foreign_body", "allergen", "spoiled", "illness", "packaging", "taste", "other"
]


class ComplaintCreate(BaseModel):
    code: str = Field(
        min_length=1,
        max_length=300,
        description="The unit's QR/Digital Link URI, its serial, or the batch code.",
    )
    category: Category
    description: str = Field(min_length=1, max_length=2000)
    contact: str = Field(default="", max_length=200)  # kept private
    point_of_sale: str | None = Field(default=None, max_length=40)


class ComplaintDecision(BaseModel):
    verified: bool
    verdict: str = Field(min_length=1, max_length=2000)


def _code(session: Session, tenant: Tenant, when: datetime) -> str:
    from zoneinfo import ZoneInfo

    day = when.astimezone(ZoneInfo(tenant.timezone)).strftime("%y%m%d")
    n = session.scalar(
        select(func.count())
        .select_from(Complaint)
        .where(Complaint.tenant_id == tenant.id, Complaint.code.like(f"CP-{day}-%"))
    )
    seq = sequences.next_value(session, tenant.id, f"CP-{day}", start_after=int(n or 0))
    return f"CP-{day}-{seq:02d}"


def file(
    session: Session,
    tenant_id: uuid.UUID,
    data: ComplaintCreate,
    *,
    channel: str,
    actor: Actor | None = None,
) -> Complaint:
    """Record a complaint about a unit or batch and give QC the task to
    verify it. ``actor`` is None for a consumer on the public scan page."""
    from bakeprint.packaging import service as packaging

    if not data.description.strip():
        raise Invalid("请描述遇到的问题", "describe the problem", field="description")
    try:
        found = packaging.lookup(session, data.code, tenant_id=tenant_id)
    except NotFound as exc:
        raise NotFound(
            f"找不到编码 {data.code.strip()}：请扫描包装上的二维码或输入批次号",
            f"code {data.code.strip()} not found: scan the QR code on the pack "
            "or type the batch code",
            field="code",
        ) from exc
    pos = None
    if data.point_of_sale:
        pos = catalog.get(session, PointOfSale, tenant_id, data.point_of_sale)
    if actor is not None and shop_bound(actor.roles):
        # shop staff report for their own shop, and only for it
        own = actor.point_of_sale_id
        if pos is None and own is not None:
            pos = session.get(PointOfSale, (tenant_id, own))
        elif pos is not None and pos.id != own:
            raise Forbidden(
                f"您只能为自己的门店登记投诉，不能为 {pos.name}",
                f"you may file complaints only for your own shop, not {pos.code}",
                field="point_of_sale",
            )
    tenant = tenants.get(session, tenant_id)
    now = utcnow()
    # the code first: allocating it queues concurrent filers of the bakery on
    # its sequence row, so the count below sees every report before this one
    code = _code(session, tenant, now)
    if channel == "scan":
        _within_public_limits(session, tenant_id, found, now)
    row = Complaint(
        tenant_id=tenant_id,
        code=code,
        received_at=now,
        channel=channel,
        batch_id=found.batch.id,
        serial=found.unit.serial if found.unit else None,
        point_of_sale_id=pos.id if pos else None,
        category=data.category,
        description=data.description.strip(),
        contact=data.contact.strip(),
        reported_by=actor.username if actor else "",
    )
    session.add(row)
    session.flush()
    zh, en = CATEGORY_NAMES[data.category]
    session.add(
        QcTask(
            tenant_id=tenant_id,
            kind="complaint",
            batch_id=found.batch.id,
            complaint_id=row.id,
            detail_zh=f"核实投诉 {row.code}：批次 {found.batch.code}，{zh}",
            detail_en=f"verify complaint {row.code}: batch {found.batch.code}, {en}",
        )
    )
    session.add(
        OutboxMessage(
            tenant_id=tenant_id,
            topic="complaint.received",
            recipient="role:qc",
            payload={
                "complaint": row.code,
                "batch": found.batch.code,
                "category": data.category,
                "channel": channel,
            },
            available_at=now,
        )
    )
    session.flush()
    return row


class AlreadyReported(BakeprintError):
    """A package or batch the public has already reported often enough for
    QC to be on it: more of the same (a script, a prank) would only bury
    the bakery's QC under tasks and messages."""

    status = 429
    code = "already_reported"


def _open_reports(
    session: Session, tenant_id: uuid.UUID, since: datetime, *where: Any
) -> int:
    # status first: the (tenant, status, received_at) index covers the window
    return int(
        session.scalar(
            select(func.count())
            .select_from(Complaint)
            .where(
                Complaint.tenant_id == tenant_id,
                Complaint.status == "received",
                Complaint.received_at >= since,
                Complaint.channel == "scan",
                *where,
            )
        )
        or 0
    )


def _within_public_limits(
    session: Session, tenant_id: uuid.UUID, found: Found, now: datetime
) -> None:
    """At most ``public_reports_per_unit_day`` open reports from the scan
    page about one package in a day, ``public_reports_per_batch_hour`` about
    one batch in an hour."""
    per_unit = settings.public_reports_per_unit_day
    if found.unit is not None and per_unit > 0:
        n = _open_reports(
            session,
            tenant_id,
            now - timedelta(days=1),
            Complaint.serial == found.unit.serial,
        )
        if n >= per_unit:
            raise AlreadyReported(
                f"这件商品在 24 小时内已收到 {n} 次反馈，质检人员正在核实，"
                "无需重复提交；如有新情况请联系购买的门店",
                f"this package was already reported {n} times in the last 24 hours: "
                "our quality team is checking it, no need to send it again — for "
                "anything new, contact the shop you bought it from",
            )
    per_batch = settings.public_reports_per_batch_hour
    if per_batch > 0:
        n = _open_reports(
            session,
            tenant_id,
            now - timedelta(hours=1),
            Complaint.batch_id == found.batch.id,
        )
        if n >= per_batch:
            raise AlreadyReported(
                f"这一批商品在过去一小时已收到 {n} 次反馈，质检人员正在核实；"
                "请稍后再试，或联系购买的门店",
                f"this batch was reported {n} times in the last hour and our "
                "quality team is checking it: try again later, or contact the "
                "shop you bought it from",
            )


def get(session: Session, tenant_id: uuid.UUID, code: str) -> Complaint:
    row = session.scalar(
        select(Complaint).where(
            Complaint.tenant_id == tenant_id, Complaint.code == code.strip()
        )
    )
    if row is None:
        raise NotFound(f"找不到投诉 {code}", f"complaint {code} not found")
    return row


def decide(
    session: Session, code: str, data: ComplaintDecision, *, actor: Actor
) -> tuple[Complaint, BatchAlert | None]:
    """QC's verdict. Verified: level 3 — the impact report of the batch's
    scope and a recall draft. Either way the verification task is done."""
    t = actor.tenant_id
    row = session.scalar(
        select(Complaint)
        .where(Complaint.tenant_id == t, Complaint.code == code.strip())
        .with_for_update()
    )
    if row is None:
        raise NotFound(f"找不到投诉 {code}", f"complaint {code} not found")
    if row.status != "received":
        zh = "属实" if row.status == "verified" else "不属实"
        raise Conflict(
            f"投诉 {row.code} 已由 {row.verified_by} 判定为{zh}",
            f"complaint {row.code} was already judged {row.status} by "
            f"{row.verified_by}",
        )
    if not data.verdict.strip():
        raise Invalid(
            "请写明核实结论", "write down what the check found", field="verdict"
        )
    now = utcnow()
    row.status = "verified" if data.verified else "rejected"
    row.verified_by, row.verified_at = actor.username, now
    row.verdict = data.verdict.strip()
    for task in session.scalars(
        select(QcTask).where(
            QcTask.tenant_id == t,
            QcTask.complaint_id == row.id,
            QcTask.status == "open",
        )
    ):
        task.status, task.done_by, task.done_at = "done", actor.username, now
        task.result = f"{row.status}: {row.verdict}"
    session.flush()
    if not data.verified:
        return row, None
    batch = session.get(Batch, (t, row.batch_id))
    assert batch is not None
    zh, en = CATEGORY_NAMES[row.category]
    alert = attention.escalate(
        session,
        scope.Criteria(batch=batch.code),
        key=f"complaint:{row.code}",
        cause="complaint",
        zh=f"投诉 {row.code} 核实属实（{zh}）：批次 {batch.code}",
        en=f"complaint {row.code} verified ({en}): batch {batch.code}",
        actor=actor,
    )
    return row, alert


def complaints(
    session: Session,
    tenant_id: uuid.UUID,
    *,
    status: str | None = None,
    limit: int = 200,
) -> list[Complaint]:
    stmt = select(Complaint).where(Complaint.tenant_id == tenant_id)
    if status:
        stmt = stmt.where(Complaint.status == status)
    return list(
        session.scalars(stmt.order_by(Complaint.received_at.desc()).limit(limit))
    )
