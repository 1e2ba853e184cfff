"""The public GS1 Digital Link resolver and scan page (R2.1, R4.1).

``GET /01/{gtin}/10/{batch}/21/{serial}`` answers a browser with the public
scan page and an API client (``Accept: application/json``) with JSON. Nothing
internal is shown: no people's names, no notes, no other customer's data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from bakeprint import localtime
from bakeprint.catalog.allergens import ALLERGENS
from bakeprint.catalog.models import PointOfSale
from bakeprint.deps import FormDep, SessionDep, WriterDep
from bakeprint.events import repository as log
from bakeprint.identity import repository as tenants
from bakeprint.logistics import repository as trips
from bakeprint.materials import repository as lots_repo
from bakeprint.packaging import service as packaging
from bakeprint.packaging import state as unit_state
from bakeprint.production import repository as batches
from bakeprint.production.models import Batch, Consumption
from bakeprint.ratelimit import limited
from bakeprint.retail import service as retail
from bakeprint.web.i18n import lang_of
from bakeprint.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(limited("public"))])

# the batch's own steps: true of every unit it packed
MADE_KINDS = {
    "batch_started": ("开始制作", "Baking began"),
    "batch_completed": ("出炉", "Out of the oven"),
    "packed": ("包装", "Packed"),
}
UNIT_STEPS = {
    "departed": ("冷链车出发", "Left the kitchen"),
    "delivered": ("送达门店", "Arrived at the shop"),
    "shelved": ("上架", "On the shelf"),
    "sold": ("售出", "Sold"),
}


@dataclass
class Known:
    """The legs of one unit's way that the records make certain: its own
    scan, or batch-level counts that leave no other possibility."""

    departed: datetime | None = None
    shop: PointOfSale | None = None
    delivered: datetime | None = None
    shelved: datetime | None = None
    sold: datetime | None = None


def known_way(session: Session, batch: Batch, st: unit_state.UnitState | None) -> Known:
    """Never the batch's first drop as this unit's: a shop only when the unit
    was scanned there or the whole batch went to that one shop, a van only
    when it is the one van that could have carried it."""
    known = Known()
    if st is None or st.status in ("in_stock", unit_state.UNTRACKED):
        return known
    d = st.distribution
    if st.scanned:
        known.shop = st.shop
        known.sold = st.at if st.status == "sold" else None
    elif st.status != "loaded" and d.shops == 1:
        known.shop = trips.a_shop_of(session, batch)
    if known.shop is not None:
        drops = trips.drops_at(session, batch, known.shop.id)
        if len(drops) == 1:  # one drop there: its van and its time
            known.delivered, known.departed = drops[0]
            stock = retail.find_stock(session, batch.tenant_id, known.shop.id, batch.id)
            known.shelved = stock.shelved_at if stock else None
    elif d.trips == 1:  # every unit left the kitchen, on the one van
        known.departed = d.first_departure
    return known


def public_view(session: Session, found: packaging.Found, lang: str) -> dict[str, Any]:
    batch, product, unit = found.batch, found.product, found.unit
    tenant = tenants.get(session, batch.tenant_id)
    localtime.use(tenant.timezone)  # the bakery's clock, as on its labels
    en = lang == "en"
    evs = log.of_subject(session, batch.tenant_id, f"batch:{batch.code}", MADE_KINDS)
    made: dict[str, datetime] = {}
    for ev in evs:
        made.setdefault(ev.kind, ev.event_time)
    states = unit_state.BatchStates(session, batch)
    st = states.of(unit) if unit is not None else None
    known = known_way(session, batch, st)
    steps = [(k, made[k], MADE_KINDS[k]) for k in MADE_KINDS if k in made] + [
        (k, when, UNIT_STEPS[k])
        for k in UNIT_STEPS
        if (when := getattr(known, k)) is not None
    ]
    timeline = [
        {
            "step": k,
            "label": names[1] if en else names[0],
            "time": localtime.iso(when),
        }
        for k, when, names in sorted(steps, key=lambda x: x[1])
    ]
    shop = known.shop.name if known.shop else None
    idx = 1 if en else 0
    return {
        "bakery": tenant.name,
        "product": (product.name_en or product.name_zh) if en else product.name_zh,
        "product_gtin": product.gtin,
        "category": product.category,
        "batch": batch.code,
        "made_on": batch.production_date.isoformat(),
        "best_before": batch.best_before.isoformat() if batch.best_before else None,
        "allergens": [ALLERGENS.get(a, (a, a))[idx] for a in product.allergens],
        "story": (product.story_en or product.story_zh) if en else product.story_zh,
        "serial": unit.serial if unit else None,
        "number": unit.number if unit else None,
        "recalled": batch.status == "recalled",
        "sold_at": shop if known.sold else None,
        "unit_state": (
            {"status": st.status, "scanned": st.scanned, "note": st.text(lang)}
            if st
            else None
        ),
        "timeline": timeline,
        "batch_journey": _batch_journey(states.distribution, lang),
        "scans": unit.scan_count if unit else 0,
        "certificate": packaging.certificate_of(session, found),
        "journey": _journey(session, found, lang, known),
        "footprint": _footprint(session, found),
    }


def _batch_journey(d: unit_state.Distribution, lang: str) -> dict[str, Any]:
    """Where the batch went, as the batch's: counts, never a unit's way."""
    en = lang == "en"

    def when(t: datetime | None) -> str | None:
        return localtime.iso(t) if t else None

    steps = [
        ("departed", d.first_departure, d.loaded, UNIT_STEPS["departed"]),
        (
            "delivered",
            d.first_drop,
            d.delivered,
            (f"送达 {d.shops} 家门店", f"Arrived at {d.shops} shop(s)"),
        ),
        ("sold", None, d.sold, ("已售出", "Sold")),
    ]
    return {
        "made": d.made,
        "steps": [
            {"step": k, "time": when(t), "count": n, "label": names[1 if en else 0]}
            for k, t, n, names in steps
            if n > 0
        ],
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
    known: Known,
) -> list[dict[str, Any]]:
    """Origin (each ingredient's region) → kitchen → van → shop, with times:
    the stops of the scan page's map, as far as they are this unit's.
    Places, never people."""
    batch = found.batch
    t = batch.tenant_id
    used = batches.live_consumptions(session, t, Consumption.batch_id == batch.id)
    stops: list[dict[str, Any]] = []
    if used:
        rows = lots_repo.of_ids_with_type_and_supplier(
            session, t, {c.lot_id for c in used}
        )
        seen: set[str] = set()
        for lot, mt, sup in rows:
            name = (mt.name_en or mt.name_zh) if lang == "en" else mt.name_zh
            if name in seen:
                continue
            seen.add(name)
            stops.append(
                {
                    "stage": "origin",
                    "label": f"{name} · {sup.region}" if sup.region else name,
                    "when": localtime.day(lot.received_at).isoformat(),
                }
            )

    def local(when: datetime | None) -> str | None:
        return localtime.text(when) if when else None

    baked = batch.ended_at or batch.started_at
    kitchen = "中央厨房" if lang != "en" else "Our kitchen"
    stops.append({"stage": "kitchen", "label": kitchen, "when": local(baked)})
    if known.departed is not None:
        van = "冷链配送" if lang != "en" else "Chilled van"
        stops.append({"stage": "van", "label": van, "when": local(known.departed)})
    if known.shop is not None:
        stops.append(
            {
                "stage": "shop",
                "label": known.shop.name,
                "when": local(known.delivered or known.sold),
            }
        )
    return stops
