"""The public GS1 Digital Link resolver and scan page (R2.1, R4.1).

``GET /01/{gtin}/10/{batch}/21/{serial}`` answers a browser with the public
scan page and an API client (``Accept: application/json``) with JSON. Nothing
internal is shown: no people's names, no notes, no other customer's data.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from bakeprint.catalog.allergens import ALLERGENS
from bakeprint.catalog.models import PointOfSale
from bakeprint.deps import FormDep, SessionDep, WriterDep
from bakeprint.events.models import Event
from bakeprint.identity.models import Tenant
from bakeprint.packaging import service as packaging
from bakeprint.ratelimit import limited
from bakeprint.web.i18n import lang_of
from bakeprint.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(limited("public"))])

PUBLIC_KINDS = {
    "batch_started": ("开始制作", "Baking began"),
    "batch_completed": ("出炉", "Out of the oven"),
    "packed": ("包装", "Packed"),
    "departed": ("冷链车出发", "Left the kitchen"),
    "delivered": ("送达门店", "Arrived at the shop"),
    "shelved": ("上架", "On the shelf"),
}


def public_view(session: Session, found: packaging.Found, lang: str) -> dict[str, Any]:
    batch, product, unit = found.batch, found.product, found.unit
    tenant = session.get(Tenant, batch.tenant_id)
    assert tenant is not None
    evs = session.scalars(
        select(Event)
        .where(
            Event.tenant_id == batch.tenant_id,
            Event.subject == f"batch:{batch.code}",
            Event.kind.in_(tuple(PUBLIC_KINDS)),
        )
        .order_by(Event.event_time)
    )
    seen: set[str] = set()
    timeline = []
    tz = ZoneInfo(tenant.timezone)  # the bakery's clock, as on its labels
    for ev in evs:
        if ev.kind in seen:
            continue
        seen.add(ev.kind)
        zh, en = PUBLIC_KINDS[ev.kind]
        timeline.append(
            {
                "step": ev.kind,
                "label": en if lang == "en" else zh,
                "time": ev.event_time.astimezone(tz).isoformat(),
            }
        )
    shop = None
    if unit is not None and unit.point_of_sale_id is not None:
        pos = session.get(PointOfSale, (batch.tenant_id, unit.point_of_sale_id))
        shop = pos.name if pos else None
    idx = 1 if lang == "en" else 0
    return {
        "bakery": tenant.name,
        "product": (product.name_en or product.name_zh)
        if lang == "en"
        else product.name_zh,
        "product_gtin": product.gtin,
        "category": product.category,
        "batch": batch.code,
        "made_on": batch.production_date.isoformat(),
        "best_before": batch.best_before.isoformat() if batch.best_before else None,
        "allergens": [ALLERGENS.get(a, (a, a))[idx] for a in product.allergens],
        "story": (product.story_en or product.story_zh)
        if lang == "en"
        else product.story_zh,
        "serial": unit.serial if unit else None,
        "number": unit.number if unit else None,
        "recalled": batch.status == "recalled",
        "sold_at": shop,
        "timeline": timeline,
        "scans": unit.scan_count if unit else 0,
        "certificate": packaging.certificate_of(session, found),
        "journey": _journey(session, found, lang, timeline, shop, tz),
        "footprint": _footprint(session, found),
    }


def _footprint(session: Session, found: packaging.Found) -> dict[str, Any] | None:
    from bakeprint.trace import footprint

    fp = footprint.for_batch(session, found.batch)
    if not fp.units or not fp.total_kg:
        return None
    parts = {
        "materials": fp.materials_kg,
        "baking": fp.baking_kg,
        "transport": fp.transport_kg,
    }
    return {
        "per_unit_g": fp.per_unit_g,
        "shares": {k: round(v / fp.total_kg * 100) for k, v in parts.items()},
        "not_counted": len(fp.not_counted),
        "grid": footprint.GRID_SOURCE,
        "sources": sorted({x["source"] for x in fp.lines if x["part"] == "material"}),
    }


def _answer(
    request: Request, session: Session, found: packaging.Found, writer: WriterDep
) -> Response:
    lang = lang_of(request)
    unit = found.unit
    if unit is not None:
        # counted in its own transaction; shown without making this read write
        scans, first = writer(lambda s: packaging.count_scan(s, unit))
        set_committed_value(unit, "scan_count", scans)
        set_committed_value(unit, "first_scanned_at", first)
    view = public_view(session, found, lang)
    accept = request.headers.get("accept", "")
    if request.query_params.get("format") == "json" or (
        "application/json" in accept and "text/html" not in accept
    ):
        return JSONResponse(view)
    from bakeprint.quality.complaints import CATEGORY_NAMES

    return render(
        request,
        "public/scan.html",
        {"v": view, "me": None, "categories": CATEGORY_NAMES, "report": {}},
    )


@router.get("/01/{gtin}/10/{batch}/21/{serial}")
def resolve(
    request: Request,
    gtin: str,
    batch: str,
    serial: str,
    session: SessionDep,
    writer: WriterDep,
) -> Response:
    """A package's QR code: the public trace summary."""
    found = packaging.resolve(session, gtin, batch, serial)
    return _answer(request, session, found, writer)


@router.get("/u/{serial}")
def short_code(
    request: Request, serial: str, session: SessionDep, writer: WriterDep
) -> Response:
    """The number printed under the QR code, typed in on a phone."""
    found = packaging.lookup(session, serial, tenant_id=None)
    return _answer(request, session, found, writer)


@router.post("/u/{serial}/report")
def report_problem(
    request: Request, serial: str, form: FormDep, session: SessionDep
) -> Response:
    """The scan page's "report a problem" form (a consumer, no login)."""
    from bakeprint.quality.pages import public_report

    return public_report(request, session, serial, form)


@router.post("/u/{serial}/claim")
def claim_certificate(request: Request, serial: str, session: SessionDep) -> Response:
    """A buyer claims a limited-edition unit's certificate (once)."""
    from bakeprint.errors import BakeprintError
    from bakeprint.quality.complaints import CATEGORY_NAMES

    lang = lang_of(request)
    message, status = None, 200
    try:
        with session.begin_nested():
            packaging.claim(session, serial)
    except BakeprintError as exc:
        message, status = exc.message(lang), exc.status
    found = packaging.lookup(session, serial, tenant_id=None)
    return render(
        request,
        "public/scan.html",
        {
            "v": public_view(session, found, lang),
            "me": None,
            "categories": CATEGORY_NAMES,
            "report": {},
            "claim_error": message,
            "claimed_now": message is None,
        },
        status_code=status,
    )


def _journey(
    session: Session,
    found: packaging.Found,
    lang: str,
    timeline: list[dict[str, Any]],
    shop: str | None,
    tz: ZoneInfo,
) -> list[dict[str, Any]]:
    """Origin (each ingredient's region) → kitchen → van → shop, with times:
    the stops of the scan page's map. Places, never people."""
    from bakeprint.materials import repository as lots_repo
    from bakeprint.materials.models import MaterialLot
    from bakeprint.production.models import Consumption
    from bakeprint.trace import scope

    batch = found.batch
    t = batch.tenant_id
    used = scope.live_consumptions(session, t, Consumption.batch_id == batch.id)
    stops: list[dict[str, Any]] = []
    if used:
        rows = session.execute(
            lots_repo.with_type_and_supplier(t)
            .where(MaterialLot.id.in_({c.lot_id for c in used}))
            .order_by(MaterialLot.received_at)
        ).all()
        seen: set[str] = set()
        for lot, mt, sup in rows:
            received = lot.received_at.astimezone(tz)
            name = (mt.name_en or mt.name_zh) if lang == "en" else mt.name_zh
            if name in seen:
                continue
            seen.add(name)
            stops.append(
                {
                    "stage": "origin",
                    "label": f"{name} · {sup.region}" if sup.region else name,
                    "when": received.date().isoformat(),
                }
            )
    times = {s["step"]: s["time"][:16].replace("T", " ") for s in timeline}
    kitchen = "中央厨房" if lang != "en" else "Our kitchen"
    if "batch_completed" in times or "batch_started" in times:
        stops.append(
            {
                "stage": "kitchen",
                "label": kitchen,
                "when": times.get("batch_completed") or times.get("batch_started"),
            }
        )
    if "departed" in times:
        van = "冷链配送" if lang != "en" else "Chilled van"
        stops.append({"stage": "van", "label": van, "when": times["departed"]})
    if "delivered" in times:
        label = shop or ("门店" if lang != "en" else "The shop")
        stops.append({"stage": "shop", "label": label, "when": times["delivered"]})
    return stops
