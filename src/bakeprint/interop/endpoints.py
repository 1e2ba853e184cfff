"""HTTP API per the EPCIS 2.0 REST binding: capture (``POST /capture`` →
202 and a capture job, ``POST /events`` for one event), events (``GET
/events`` with the binding's query parameters), and a batch's whole history
as one EPCIS document. Every answer carries ``GS1-EPCIS-Version`` and
``GS1-CBV-Version``."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from bakeprint.bodies import check_depth
from bakeprint.deps import CanCapture, CanRead, SessionDep, read_limited
from bakeprint.downloads import disposition
from bakeprint.errors import Invalid
from bakeprint.interop import capture as cap
from bakeprint.interop import epcis, jobs, validation
from bakeprint.interop.validation import NotEpcis
from bakeprint.localtime import Localised
from bakeprint.web.lang import lang_of

VERSIONS = {
    "GS1-EPCIS-Version": jobs.EPCIS_VERSION,
    "GS1-CBV-Version": jobs.CBV_VERSION,
}


def _versions(request: Request, response: Response) -> None:
    """The binding's version headers; a client asking for another EPCIS or
    CBV version than 2.0 is answered 406."""
    for name in VERSIONS:
        asked = request.headers.get(name)
        if asked and not asked.strip().startswith("2.0"):
            raise validation.VersionNotSupported(
                f"只支持 {name} 2.0.x，而不是 {asked}",
                f"only {name} 2.0.x is supported, not {asked}",
                field=name,
            )
    response.headers.update(VERSIONS)


router = APIRouter(
    prefix="/epcis", tags=["EPCIS 2.0"], dependencies=[Depends(_versions)]
)


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
        epcis.query_document(epcis.events_json(session, actor.tenant_id, rows)),
        headers={**headers, **VERSIONS},
    )


MAX_DOCUMENT = 20 * 2**20


async def _document(request: Request) -> bytes:
    """The posted document (already whole in memory: ``bodies.WholeBody``)."""
    return await read_limited(request, MAX_DOCUMENT)


def _json(raw: bytes) -> Any:
    check_depth(raw)
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise NotEpcis(
            f"不是有效的 JSON：{exc}", f"not valid JSON: {exc}", field="body"
        ) from None


@router.post("/capture", status_code=202)
def capture(
    request: Request,
    response: Response,
    raw: Annotated[bytes, Depends(_document)],
    session: SessionDep,
    actor: CanCapture,
) -> dict[str, Any]:
    """Capture an EPCIS 2.0 document (JSON / JSON-LD): 202 and the capture
    job's URL in ``Location``. A document the official schema rejects is a
    400 naming each problem's path, and nothing is stored. Idempotent by
    eventID (or, without one, by the CBV 2.0 event hash); an event sent
    again with an errorDeclaration records the declaration."""
    job = jobs.run(session, actor.tenant_id, _json(raw), actor=actor.ref)
    response.headers["Location"] = str(
        request.url_for("capture_job", capture_id=job.id.hex)
    )
    return jobs.as_json(job)


@router.get("/capture")
def capture_jobs(session: SessionDep, actor: CanRead) -> dict[str, Any]:
    """The latest 100 capture jobs, newest first."""
    return {
        "captureJobs": [jobs.as_json(j) for j in jobs.latest(session, actor.tenant_id)]
    }


@router.get("/capture/{capture_id}", name="capture_job")
def capture_job(capture_id: str, session: SessionDep, actor: CanRead) -> dict[str, Any]:
    """A capture job: ``running``, ``success``, ``errors`` and what was stored."""
    return jobs.as_json(jobs.get(session, actor.tenant_id, capture_id))


@router.post("/events", status_code=201)
def capture_event(
    request: Request,
    response: Response,
    raw: Annotated[bytes, Depends(_document)],
    session: SessionDep,
    actor: CanCapture,
) -> dict[str, Any]:
    """Capture one EPCIS 2.0 event (with its @context): 201 and the event's
    URL in ``Location``; 400 when the schema rejects it, 409 when its
    eventID is stored with other content."""
    event = _json(raw)
    validation.check(event)
    result = cap.capture(
        session, actor.tenant_id, jobs.single_event(event), actor=actor.ref
    )
    response.headers["Location"] = str(
        # an eventID may hold "/", ";" and "?" (a CBV 2.0 hash ID)
        request.url_for("event_by_id", event_id=quote(result.event_ids[0], safe=""))
    )
    return result.as_dict()


@router.get("/events/{event_id:path}", name="event_by_id")
def event_by_id(event_id: str, session: SessionDep, actor: CanRead) -> JSONResponse:
    """One event by its eventID."""
    return JSONResponse(
        epcis.event_by_id(session, actor.tenant_id, event_id), headers=VERSIONS
    )


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
    rows = list(epcis.iter_matching(session, actor.tenant_id, q))
    return JSONResponse(
        epcis.document(epcis.events_json(session, actor.tenant_id, rows)),
        headers={"Content-Disposition": disposition(f"epcis-{code}.json"), **VERSIONS},
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
