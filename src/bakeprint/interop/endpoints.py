"""HTTP API: EPCIS 2.0 events (the REST binding's ``GET /events`` query
parameters) and a batch's whole history as one EPCIS document."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from bakeprint.bodies import check_depth
from bakeprint.deps import CanCapture, CanRead, SessionDep, read_limited
from bakeprint.downloads import disposition
from bakeprint.errors import Invalid
from bakeprint.interop import capture as cap
from bakeprint.interop import epcis
from bakeprint.localtime import Localised
from bakeprint.web.lang import lang_of

router = APIRouter(prefix="/epcis", tags=["EPCIS 2.0"])


def _list(value: str | None) -> list[str]:
    """EPCIS query values: several separated by ``|``."""
    return [v for v in (value or "").split("|") if v]


def _time(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise Invalid(
            f"{name} 应为带时区的 ISO 时间，例如 2025-12-03T00:00:00+08:00",
            f"{name} must be an ISO time with its offset, e.g. "
            "2025-12-03T00:00:00+08:00",
            field=name,
        )
    return when


@router.get("/events")
def events(
    request: Request,
    session: SessionDep,
    actor: CanRead,
    event_type: Annotated[str | None, Query(alias="eventType")] = None,
    ge_time: Annotated[str | None, Query(alias="GE_eventTime")] = None,
    lt_time: Annotated[str | None, Query(alias="LT_eventTime")] = None,
    biz_step: Annotated[str | None, Query(alias="EQ_bizStep")] = None,
    match_epc: Annotated[str | None, Query(alias="MATCH_epc")] = None,
    match_any: Annotated[str | None, Query(alias="MATCH_anyEPC")] = None,
    match_class: Annotated[str | None, Query(alias="MATCH_epcClass")] = None,
    per_page: Annotated[int, Query(alias="perPage", ge=1, le=epcis.MAX_PAGE)] = 100,
    next_token: Annotated[str | None, Query(alias="nextPageToken")] = None,
) -> JSONResponse:
    """EPCIS 2.0 events in an EPCISQueryDocument, oldest first. More pages:
    the ``Link: <…>; rel="next"`` header (and ``nextPageToken``)."""
    q = epcis.Query(
        event_types=_list(event_type),
        ge_time=_time(ge_time, "GE_eventTime"),
        lt_time=_time(lt_time, "LT_eventTime"),
        biz_steps=_list(biz_step),
        match_epc=_list(match_epc),
        match_any_epc=_list(match_any),
        match_epc_class=_list(match_class),
    )
    after = epcis.untoken(next_token) if next_token else 0
    rows, nxt = epcis.page(session, actor.tenant_id, q, after=after, per_page=per_page)
    headers = {}
    if nxt is not None:
        url = request.url.include_query_params(nextPageToken=epcis.token(nxt))
        headers["Link"] = f'<{url}>; rel="next"'
    return JSONResponse(
        epcis.query_document([epcis.event_json(e) for e in rows]), headers=headers
    )


MAX_DOCUMENT = 20 * 2**20


async def _document(request: Request) -> bytes:
    """The posted document (already whole in memory: ``bodies.WholeBody``)."""
    return await read_limited(request, MAX_DOCUMENT)


@router.post("/capture", status_code=201)
def capture(
    raw: Annotated[bytes, Depends(_document)], session: SessionDep, actor: CanCapture
) -> dict[str, Any]:
    """Capture an EPCIS 2.0 document (JSON / JSON-LD): every event is checked
    before any is stored, then appended to the event log as it came.
    Idempotent by eventID (or, without one, by a content hash)."""
    check_depth(raw)
    try:
        doc = json.loads(raw)
    except ValueError as exc:
        raise Invalid(
            f"不是有效的 JSON：{exc}", f"not valid JSON: {exc}", field="body"
        ) from None
    return cap.capture(session, actor.tenant_id, doc, actor=actor.ref).as_dict()


@router.get("/incoming-lots")
def incoming_lots(
    session: SessionDep, actor: CanRead
) -> Localised[list[dict[str, Any]]]:
    """Lots suppliers announced with EPCIS shipping events, newest first:
    announced, or received (with the intake's lot code)."""
    from bakeprint.materials import incoming

    return incoming.pending(session, actor.tenant_id)


@router.get("/batches/{code}")
def batch_document(code: str, session: SessionDep, actor: CanRead) -> JSONResponse:
    """Everything recorded about a batch and what it was made from (its lots,
    its intermediate batches), as one EPCISDocument."""
    q = epcis.Query(subjects=epcis.batch_subjects(session, actor.tenant_id, code))
    events = [
        epcis.event_json(e) for e in epcis.iter_matching(session, actor.tenant_id, q)
    ]
    return JSONResponse(
        epcis.document(events),
        headers={"Content-Disposition": disposition(f"epcis-{code}.json")},
    )


kde_router = APIRouter(tags=["FSMA 204 spreadsheet"])


@kde_router.get(
    "/kde",
    responses={
        200: {
            "content": {
                "text/csv": {},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
            }
        }
    },
)
def kde_sheet(
    request: Request,
    session: SessionDep,
    actor: CanRead,
    product: str | None = None,
    lot: str | None = None,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
    format: str = "xlsx",
) -> Response:
    """One row per critical tracking event (receiving, transformation,
    shipping) with its key data elements, for a product (GTIN or material
    code), a lot (batch code, our lot code or the supplier's) and/or a date
    range (the bakery's days, inclusive): CSV, XLSX or JSON."""
    from bakeprint.interop import kde

    if format not in ("csv", "xlsx", "json"):
        raise Invalid(
            "format 只能是 csv、xlsx 或 json",
            "format must be csv, xlsx or json",
            field="format",
        )
    found = kde.rows(
        session,
        actor.tenant_id,
        kde.Filter(product=product, lot=lot, start=start, end=end),
    )
    if format == "json":
        return JSONResponse(
            [{k: v for k, v in vars(r).items() if k != "at"} for r in found]
        )
    name = "kde-" + "-".join(
        x
        for x in (lot, product, start and start.isoformat(), end and end.isoformat())
        if x
    )
    lang = lang_of(request)
    if format == "csv":
        return Response(
            kde.to_csv(found, lang),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": disposition(f"{name}.csv")},
        )
    return Response(
        kde.to_xlsx(found, lang, title=name),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": disposition(f"{name}.xlsx")},
    )
