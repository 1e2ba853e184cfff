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

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bakeprint.catalog.allergens import ALLERGENS
from bakeprint.catalog.models import Product
from bakeprint.db import utcnow
from bakeprint.events.models import ChainHead, Event
from bakeprint.identity import repository as tenants
from bakeprint.logistics import service as logistics
from bakeprint.packaging import service as packaging
from bakeprint.packaging import state as unit_state
from bakeprint.production import views as batch_views
from bakeprint.production.models import Batch
from bakeprint.sensors import environment
from bakeprint.shelflife import views as shelf_views
from bakeprint.trace import downstream, upstream
from bakeprint.trace.schemas import (
    Anomaly,
    LogHead,
    Material,
    TraceReport,
    UnitStateRead,
)

__all__ = ["Anomaly", "Material", "TraceReport", "build", "for_batch", "pdf"]

SESSION_NAMES = {"AM": ("上午", "morning"), "PM": ("下午", "afternoon")}


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
        rep.unit_state = UnitStateRead(
            status=st.status,
            scanned=st.scanned,
            at=st.at,
            point_of_sale=st.shop.code if st.shop else None,
            zh=st.text("zh"),
            en=st.text("en"),
        )
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
    """The report of a batch, section by section (``trace.upstream``: what
    went into it; ``trace.downstream``: where it went)."""
    t = batch.tenant_id
    uses = batch_views.consumption_rows(session, batch)
    operators = _operators(session, batch)
    detail = batch_views.detail(session, batch, uses=uses, operators=operators)
    materials = upstream.materials(session, batch, uses)
    checks = upstream.live_checks(detail)
    legs = logistics.legs_of_batch(session, batch)
    stocks = environment.shop_stocks(session, batch)
    segments = environment.batch_environment(
        session, batch, with_points=with_points, legs=legs, stocks=stocks
    )
    anomalies = upstream.anomalies(materials, detail, checks)
    anomalies += downstream.environment_anomalies(segments)
    anomalies.sort(key=lambda a: -a.level)
    places = downstream.environment_sections(segments)
    drops_of, delivered_at = downstream.drops(session, batch)
    shops = downstream.points_of_sale(batch, product, delivered_at, stocks)
    kitchen = (
        logistics.kitchen_stock(session, batch, legs)
        if batch.status in ("packed", "recalled", "on_hold")
        else None
    )
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
        production=upstream.production(batch, detail, operators),
        qc=checks,
        environment=places,
        alerts=downstream.alerts(session, t, product.category, segments),
        distribution=downstream.distribution(legs, drops_of, places),
        points_of_sale=shops,
        kitchen_stock=kitchen,
        counts=downstream.counts(batch, shops),
        generated_at=utcnow(),
        generated_by=generated_by,
        log=_log_head(session, batch),
    )
    report.shelf_life = shelf_views.live(
        session, batch, segments=segments, stocks=stocks
    )
    report.segments = segments
    return report


def _log_head(session: Session, batch: Batch) -> LogHead:
    """The log's head and the batch's events, in one statement (one
    snapshot)."""
    t = batch.tenant_id
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
    return LogHead(
        head_seq=head[0] if head else 0,
        head_hash=head[1] if head else "",
        batch_events=int(head[2] or 0) if head else 0,
    )


def _operators(session: Session, batch: Batch) -> list[tuple[Any, str]]:
    from bakeprint.production import service as production

    return production.operators_of(session, batch)


def pdf(session: Session, rep: TraceReport, tenant_id: uuid.UUID) -> bytes:
    from bakeprint.trace.pdf import trace_pdf

    tenant = tenants.get(session, tenant_id)
    return trace_pdf(rep, tenant.timezone, tenant.name)
