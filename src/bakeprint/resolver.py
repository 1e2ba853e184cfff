"""The public GS1 Digital Link resolver and scan page (R2.1, R4.1).

``GET /01/{gtin}/10/{batch}/21/{serial}`` answers a browser with the public
scan page and an API client (``Accept: application/json``) with JSON. Nothing
internal is shown: no people's names, no notes, no other customer's data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from bakeprint import localtime
from bakeprint.catalog import repository as catalog_repo
from bakeprint.catalog.allergens import ALLERGENS
from bakeprint.catalog.models import PointOfSale, Product
from bakeprint.deps import FormDep, SessionDep, WriterDep
from bakeprint.errors import Invalid, NotFound
from bakeprint.events import repository as log
from bakeprint.identity import repository as tenants
from bakeprint.interop import digital_link
from bakeprint.logistics import repository as trips
from bakeprint.materials import repository as lots_repo
from bakeprint.packaging import service as packaging
from bakeprint.packaging import state as unit_state
from bakeprint.production import repository as batches
from bakeprint.production.models import Batch, Consumption
from bakeprint.ratelimit import limited
from bakeprint.retail import service as retail
from bakeprint.shelflife import views as shelf_life
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
        "shelf_life": shelf_life.public(session, batch, lang),
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
    if _wants_json(request):
        return JSONResponse(view, headers=CORS)
    from bakeprint.quality.complaints import CATEGORY_NAMES

    return render(
        request,
        "public/scan.html",
        {"v": view, "me": None, "categories": CATEGORY_NAMES, "report": {}},
    )


# --- the GS1-Conformant resolver (GS1 Digital Link URI syntax 1.4, GS1-
# Conformant Resolver 1.0): linkset, Link header, linkType redirects --------

VOC = "https://ref.gs1.org/voc/"
# link types as a client may name them: gs1:pip, the full URI, the old host
_VOC_FORMS = ("gs1:", VOC, "https://gs1.org/voc/", "http://gs1.org/voc/")
LINKSET = "application/linkset+json"
LINKSET_CONTEXT = "https://gs1.github.io/linkset/gs1-linkset-context.jsonld"
METHODS = "GET, HEAD, OPTIONS"
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": METHODS,
    "Access-Control-Allow-Headers": "Accept, Accept-Language",
    "Access-Control-Expose-Headers": "Link, Location, Content-Type",
}
TITLES = {
    "defaultLink": ("扫码页面", "Scan page"),
    "pip": ("产品信息", "Product information"),
    "traceability": ("批次与行程", "Batch and journey"),
    "recallStatus": ("召回状态", "Recall status"),
    "certificationInfo": ("限量证书", "Limited-edition certificate"),
    "epcis": ("EPCIS 事件（合作方，需令牌）", "EPCIS events (partners, with a token)"),
}


class BadLink(Invalid):
    """A request URI that is not a GS1 Digital Link: 400, with the reason."""

    status = 400
    code = "invalid_digital_link"


@dataclass
class Link:
    rel: str  # a GS1 Web vocabulary term: "pip", "defaultLink"…
    href: str
    media: str | None = "text/html"

    def as_dict(self, lang: str) -> dict[str, Any]:
        title = TITLES[self.rel][1 if lang == "en" else 0]
        out: dict[str, Any] = {"href": self.href, "title": title}
        if self.rel != "defaultLink":  # the default has no optional attributes
            if self.media:
                out["type"] = self.media
            if self.media == "text/html":
                out["hreflang"] = ["zh-CN", "en"]
        return out


@dataclass
class Level:
    anchor: str
    description: str
    links: list[Link]


def _product(
    session: Session, gtin: str, lot: str | None = None, serial: str | None = None
) -> Product:
    """The product a link names. A GTIN is one brand owner's; where several
    bakeries on this server carry it (a demo copied), the link's serial or
    lot says whose, and a bare GTIN shows the newest."""
    rows = catalog_repo.products_with_gtin(session, gtin)
    if not rows:
        raise NotFound(f"没有 GTIN 为 {gtin} 的产品", f"no product has the GTIN {gtin}")
    if len(rows) == 1:
        return rows[0]
    if serial:
        for p in rows:
            try:
                packaging.resolve(session, gtin, lot, serial, tenant_id=p.tenant_id)
            except (NotFound, Invalid):
                continue
            return p
    if lot:
        with_lot = [p for p in rows if batches.batch_of_product(session, p, lot)]
        if with_lot:
            return with_lot[-1]
    return rows[-1]


def _batch_of(session: Session, product: Product, lot: str) -> Batch | None:
    return batches.batch_of_product(session, product, lot)


def _levels(
    session: Session, link: digital_link.ParsedLink, lang: str
) -> tuple[list[Level], packaging.Found | None]:
    """The linkset's entries, most specific first: each level of the request
    URI that identifies something bakeprint knows, up to the GTIN (an unknown
    lot or serial falls back to the level above)."""
    values = dict(link.path)
    gtin = values["01"]
    product = _product(session, gtin, values.get("10"), values.get("21"))
    batch = _batch_of(session, product, values["10"]) if "10" in values else None
    found = None
    if "21" in values:
        try:
            found = packaging.resolve(
                session,
                gtin,
                values.get("10"),
                values["21"],
                tenant_id=product.tenant_id,
            )
        except (NotFound, Invalid):
            found = None
    en = lang == "en"
    name = (product.name_en or product.name_zh) if en else product.name_zh
    levels = []
    for path in link.levels():
        anchor = digital_link.ParsedLink(link.scheme, link.host, "", path).uri()
        last = path[-1][0]
        if last == "21" and found is not None and found.unit is not None:
            serial = found.unit.serial
            page = f"/u/{serial}"
            links = [
                Link("defaultLink", page),
                Link("traceability", f"{page}#journey"),
                Link("recallStatus", page),
                Link("pip", f"/p/{gtin}"),
                Link("epcis", _epcis(anchor), "application/ld+json"),
            ]
            if found.unit.edition_number is not None:
                links.insert(1, Link("certificationInfo", f"{page}#certificate"))
            what = f"{name}, {found.batch.code}, #{found.unit.number}"
            levels.append(Level(anchor, what, links))
        elif last == "10" and batch is not None:
            page = f"/p/{gtin}/{quote(batch.code, safe='')}"
            links = [
                Link("defaultLink", page),
                Link("traceability", f"{page}#batch-journey"),
                Link("recallStatus", page),
                Link("pip", f"/p/{gtin}"),
                Link("epcis", _epcis(anchor, lot=True), "application/ld+json"),
            ]
            levels.append(Level(anchor, f"{name}, {batch.code}", links))
        elif last == "01":
            page = f"/p/{gtin}"
            links = [Link("defaultLink", page), Link("pip", page)]
            levels.append(Level(anchor, name, links))
    return levels, found


def _epcis(anchor: str, *, lot: bool = False) -> str:
    key = "MATCH_epcClass" if lot else "MATCH_epc"
    return f"/api/v1/epcis/events?{urlencode({key: anchor})}"


def _absolute(request: Request, href: str) -> str:
    return str(request.base_url).rstrip("/") + href if href.startswith("/") else href


def linkset(request: Request, levels: list[Level], lang: str) -> dict[str, Any]:
    out = []
    for level in levels:
        entry: dict[str, Any] = {
            "anchor": level.anchor,
            "itemDescription": level.description,
        }
        for link in level.links:
            entry.setdefault(VOC + link.rel, []).append(
                {**link.as_dict(lang), "href": _absolute(request, link.href)}
            )
        out.append(entry)
    return {"linkset": out}


def _link_type(value: str) -> str | None:
    for form in _VOC_FORMS:
        if value.startswith(form):
            return value[len(form) :]
    return None


def _target(href: str, query: list[tuple[str, str]]) -> str:
    """``href`` with the request's query string passed on (before a fragment)."""
    if not query:
        return href
    base, hash_, fragment = href.partition("#")
    sep = "&" if "?" in base else "?"
    return base + sep + urlencode(query) + hash_ + fragment


def _headers(request: Request, anchor: str | None) -> dict[str, str]:
    out = dict(CORS)
    out["Vary"] = "Accept, Accept-Language"
    if anchor is not None:
        out["Link"] = f'<{anchor}?linkType=linkset>; rel="linkset"; type="{LINKSET}"'
    return out


def _request_link(request: Request) -> digital_link.ParsedLink:
    """The request URI as the Digital Link it must be (400 if it is not):
    read from the raw path (percent-escapes intact), a trailing slash
    tolerated."""
    raw = request.scope.get("raw_path") or request.url.path.encode()
    path = raw.decode("latin-1").split("?")[0].rstrip("/")
    query = request.scope.get("query_string", b"").decode("latin-1")
    base = str(request.base_url).rstrip("/")
    uri = base + path + (f"?{query}" if query else "")
    try:
        return digital_link.parse(uri)
    except Invalid as exc:
        bad = BadLink(
            f"不是有效的 GS1 数字链接：{exc.zh}",
            f"not a valid GS1 Digital Link: {exc.en}",
        )
        bad.headers = _headers(request, None)
        raise bad from None


@router.api_route("/01/{rest:path}", methods=["GET", "HEAD", "OPTIONS"])
def resolve(request: Request, rest: str, session: SessionDep) -> Response:
    """A GS1 Digital Link for a product, a lot or a package: a 307 redirect to
    the link asked for (``?linkType=gs1:pip``…) or to the default (the scan
    page); the linkset (``?linkType=linkset`` or ``Accept:
    application/linkset+json``); 400 with the reason for a malformed link."""
    if request.method == "OPTIONS":
        return Response(status_code=204, headers={**CORS, "Allow": METHODS})
    link = _request_link(request)
    lang = lang_of(request)
    try:
        levels, _ = _levels(session, link, lang)
    except NotFound as exc:
        exc.headers = _headers(request, None)
        raise
    anchor = levels[0].anchor
    headers = _headers(request, anchor)
    params = request.query_params
    wanted = params.get("linkType")
    query = [(k, v) for k, v in params.multi_items() if k != "linkType"]
    accept = request.headers.get("accept", "")
    head = request.method == "HEAD"
    if wanted in ("linkset", "all") or (wanted is None and LINKSET in accept):
        headers["Link"] += (
            f', <{LINKSET_CONTEXT}>; rel="http://www.w3.org/ns/json-ld#context"; '
            'type="application/ld+json"'
        )
        body = b"" if head else json.dumps(linkset(request, levels, lang)).encode()
        return Response(body, media_type=LINKSET, headers=headers)
    rel = "defaultLink" if wanted is None else _link_type(wanted)
    for level in levels:
        for candidate in level.links:
            if candidate.rel == rel:
                headers["Location"] = _absolute(request, _target(candidate.href, query))
                return Response(status_code=307, headers=headers)
    missing = NotFound(
        f"这个链接没有 {wanted} 类型的目标", f"this link has no {wanted} target"
    )
    missing.headers = headers
    raise missing


@router.api_route("/.well-known/gs1resolver", methods=["GET", "HEAD", "OPTIONS"])
def resolver_description(request: Request) -> Response:
    """The resolver description file (GS1-Conformant Resolver 1.0 §5)."""
    if request.method == "OPTIONS":
        return Response(status_code=204, headers={**CORS, "Allow": METHODS})
    return JSONResponse(
        {
            "name": "bakeprint",
            "resolverRoot": str(request.base_url).rstrip("/"),
            "supportedPrimaryKeys": ["01"],
            "supportedLinkType": [
                {"namespace": VOC, "prefix": "gs1:", "profile": VOC + "?show=linktypes"}
            ],
            "linkTypeDefaultCanBeLinkset": False,
            "supportedContextValuesEnumerated": [],
            "jsonLdContextLocation": LINKSET_CONTEXT,
        },
        headers=CORS,
    )


@router.get("/p/{gtin}")
def product_page(request: Request, gtin: str, session: SessionDep) -> Response:
    """A product's public information (gs1:pip, the GTIN level's default)."""
    product = _product(session, gtin)
    tenant = tenants.get(session, product.tenant_id)
    lang = lang_of(request)
    en = lang == "en"
    recalled = batches.recalled_codes(session, product)
    view = {
        "bakery": tenant.name,
        "product": (product.name_en or product.name_zh) if en else product.name_zh,
        "gtin": product.gtin,
        "allergens": [
            ALLERGENS.get(a, (a, a))[1 if en else 0] for a in product.allergens
        ],
        "story": (product.story_en or product.story_zh) if en else product.story_zh,
        "recalled_lots": list(recalled),
    }
    if _wants_json(request):
        return JSONResponse(view, headers=CORS)
    return render(request, "public/product.html", {"v": view, "me": None})


@router.get("/p/{gtin}/{lot}")
def lot_page(
    request: Request, gtin: str, lot: str, session: SessionDep, writer: WriterDep
) -> Response:
    """A lot's public scan page (a Digital Link with a lot and no serial)."""
    product = _product(session, gtin, lot)
    batch = _batch_of(session, product, lot)
    if batch is None:
        raise NotFound(f"找不到批次 {lot}", f"no lot {lot} of this product")
    return _answer(request, session, packaging.Found(batch, product, None), writer)


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return request.query_params.get("format") == "json" or (
        "application/json" in accept and "text/html" not in accept
    )


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
