"""EPCIS 2.0 export (R5.4, R6.1): the event log as EPCIS 2.0 JSON-LD.

Every stored event already holds its EPCIS 2.0 form (``Event.body``); here it
gets its eventID, recordTime and CBV 2.0 event hash ID (``bp:eventHash``,
``interop.event_hash``) and is wrapped in an EPCISDocument (a file) or an
EPCISQueryDocument (the REST binding's ``GET /events``). bakeprint's own data
rides along under the ``bp:`` prefix, declared in the @context. The document
lists ``bp:eventHash`` under ``bp:ignoreFields`` — the hash does not cover
itself — so anyone can recompute each event's hash from the file alone.

Queries follow the REST binding's query parameters: ``eventType``,
``GE_eventTime`` / ``LT_eventTime``, ``EQ_bizStep``, ``MATCH_epc`` /
``MATCH_anyEPC`` / ``MATCH_epcClass``, with pages in event-log order (the
page token is the last sequence number returned).
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bakeprint.db import utcnow
from bakeprint.errors import Invalid, NotFound
from bakeprint.events import declarations
from bakeprint.events.models import MAX_SEQ, Event
from bakeprint.events.service import EVENT_TYPES
from bakeprint.interop import event_hash
from bakeprint.interop.canonical import canonical_id

CONTEXT: list[Any] = [
    "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
    {"bp": "https://bakeprint.dev/ns/epcis/"},
]
MAX_PAGE = 1000
HASH_FIELD = "bp:eventHash"
# Fields of our own the CBV 2.0 event hash leaves out (see event_hash).
IGNORED = {"bp:ignoreFields": [HASH_FIELD]}


def _iso(when: datetime) -> str:
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def event_json(ev: Event, declared: Event | None = None) -> dict[str, Any]:
    """One stored event as an EPCIS 2.0 event (key order: the standard's);
    ``declared``: its latest error declaration, exported with it."""
    body = dict(ev.body)
    context = body.pop("@context", None)
    out: dict[str, Any] = {}
    if context:
        out["@context"] = context
    out["type"] = body.pop("type")
    out["eventID"] = ev.event_id
    out["eventTime"] = body.pop("eventTime")
    out["recordTime"] = _iso(ev.record_time)
    out["eventTimeZoneOffset"] = body.pop("eventTimeZoneOffset")
    out.update(body)
    if declared is not None:
        out["errorDeclaration"] = declared.body.get("errorDeclaration")
    out[HASH_FIELD] = event_hash.hash_id(out, context=CONTEXT)
    return out


def events_json(
    session: Session, tenant_id: uuid.UUID, rows: list[Event]
) -> list[dict[str, Any]]:
    """Stored events as EPCIS 2.0 events, each with its error declaration."""
    found = declarations.latest(session, tenant_id, [e.seq for e in rows])
    return [event_json(e, found.get(e.seq)) for e in rows]


def event_by_id(
    session: Session, tenant_id: uuid.UUID, event_id: str
) -> dict[str, Any]:
    """One event by its eventID, as an EPCIS 2.0 JSON-LD event."""
    ev = session.scalar(
        select(Event).where(
            Event.tenant_id == tenant_id,
            Event.event_id == event_id,
            Event.kind != declarations.KIND,
        )
    )
    if ev is None:
        raise NotFound(f"找不到事件 {event_id}", f"event {event_id} not found")
    (out,) = events_json(session, tenant_id, [ev])
    return {"@context": [*CONTEXT, *out.pop("@context", [])], **out}


def document(
    events: list[dict[str, Any]], *, created: datetime | None = None
) -> dict[str, Any]:
    return {
        "@context": CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": _iso(created or utcnow()),
        **IGNORED,
        "epcisBody": {"eventList": events},
    }


def query_document(
    events: list[dict[str, Any]], *, created: datetime | None = None
) -> dict[str, Any]:
    return {
        "@context": CONTEXT,
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": _iso(created or utcnow()),
        **IGNORED,
        "epcisBody": {
            "queryResults": {
                "queryName": "SimpleEventQuery",
                "resultsBody": {"eventList": events},
            }
        },
    }


# --- queries --------------------------------------------------------------------


@dataclass
class Query:
    event_types: list[str] = field(default_factory=list)
    ge_time: datetime | None = None
    lt_time: datetime | None = None
    biz_steps: list[str] = field(default_factory=list)
    match_epc: list[str] = field(default_factory=list)
    match_any_epc: list[str] = field(default_factory=list)
    match_epc_class: list[str] = field(default_factory=list)
    subjects: list[str] | None = None  # bakeprint's own filter: batch:X, lot:Y

    def check(self) -> None:
        for t in self.event_types:
            if t not in EVENT_TYPES:
                raise Invalid(
                    f"未知的事件类型 {t}（可用：{', '.join(EVENT_TYPES)}）",
                    f"unknown event type {t} (one of {', '.join(EVENT_TYPES)})",
                    field="eventType",
                )
        if self.ge_time and self.lt_time and self.ge_time >= self.lt_time:
            raise Invalid(
                "GE_eventTime 应早于 LT_eventTime",
                "GE_eventTime must be before LT_eventTime",
                field="GE_eventTime",
            )


def _bizstep(value: str) -> str:
    """``shipping``, ``cbv:BizStep-shipping`` or the full URI → ``shipping``."""
    for prefix in ("https://ref.gs1.org/cbv/BizStep-", "urn:epcglobal:cbv:bizstep:"):
        if value.startswith(prefix):
            return value[len(prefix) :]
    return value.removeprefix("cbv:BizStep-")


def _epcs(body: dict[str, Any], *, any_: bool) -> set[str]:
    keys = ["epcList", "childEPCs"]
    if any_:
        keys += ["inputEPCList", "outputEPCList"]
    found = {e for k in keys for e in body.get(k) or []}
    if any_ and body.get("parentID"):
        found.add(body["parentID"])
    return found


def _classes(body: dict[str, Any]) -> set[str]:
    keys = ("quantityList", "childQuantityList", "inputQuantityList")
    found = {q.get("epcClass") for k in keys for q in body.get(k) or []}
    found |= {q.get("epcClass") for q in body.get("outputQuantityList") or []}
    return {c for c in found if c}


def _same(found: set[str], wanted: list[str]) -> bool:
    """Whether an identifier of the event is one asked for: an EPC URN and
    the GS1 Digital Link URI of the same item are the same identifier."""
    if found & set(wanted):
        return True
    return bool({canonical_id(x) for x in found} & {canonical_id(w) for w in wanted})


def _matches(ev: Event, q: Query) -> bool:
    body = ev.body
    if q.match_epc and not _same(_epcs(body, any_=False), q.match_epc):
        return False
    if q.match_any_epc and not _same(_epcs(body, any_=True), q.match_any_epc):
        return False
    return not (q.match_epc_class and not _same(_classes(body), q.match_epc_class))


def _subjects_for_epcs(
    session: Session, tenant_id: uuid.UUID, q: Query
) -> list[str] | None:
    """An EPC or class names its batch: read only that batch's events."""
    from bakeprint.errors import NotFound
    from bakeprint.packaging import service as packaging

    wanted = q.match_epc + q.match_any_epc + q.match_epc_class
    if not wanted:
        return q.subjects
    subjects: set[str] = set()
    for code in wanted:
        try:
            found = packaging.lookup(session, code, tenant_id=tenant_id)
        except (NotFound, Invalid):
            return q.subjects  # not one of ours by its form: scan the log
        subjects.add(f"batch:{found.batch.code}")
    if q.subjects is not None:
        return sorted(subjects & set(q.subjects))
    return sorted(subjects)


def page(
    session: Session,
    tenant_id: uuid.UUID,
    q: Query,
    *,
    after: int = 0,
    per_page: int = 100,
) -> tuple[list[Event], int | None]:
    """One page of matching events after sequence ``after``, and the sequence
    to continue from (None: the end)."""
    q.check()
    per_page = max(1, min(per_page, MAX_PAGE))
    subjects = _subjects_for_epcs(session, tenant_id, q)
    # an error declaration is exported with the event it declares
    stmt = select(Event).where(
        Event.tenant_id == tenant_id, Event.kind != declarations.KIND
    )
    if q.event_types:
        stmt = stmt.where(Event.event_type.in_(q.event_types))
    if q.ge_time:
        stmt = stmt.where(Event.event_time >= q.ge_time)
    if q.lt_time:
        stmt = stmt.where(Event.event_time < q.lt_time)
    if q.biz_steps:
        stmt = stmt.where(Event.biz_step.in_([_bizstep(b) for b in q.biz_steps]))
    if subjects is not None:
        if not subjects:
            return [], None
        stmt = stmt.where(Event.subject.in_(subjects))
    out: list[Event] = []
    last = after
    while True:
        need = per_page - len(out)
        # one row more than needed tells whether the log goes on
        rows = session.scalars(
            stmt.where(Event.seq > last).order_by(Event.seq).limit(need + 1)
        ).all()
        for ev in rows:
            if len(out) == per_page:
                return out, last
            last = ev.seq
            if _matches(ev, q):
                out.append(ev)
        if len(rows) <= need:
            return out, None


def token(after: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": after}).encode()).decode()


MAX_TOKEN = 64  # token(MAX_SEQ) is ~40 characters


def untoken(text: str) -> int:
    try:
        # a longer text is no token of ours (and could nest deeply enough to
        # make json.loads raise RecursionError)
        if len(text) <= MAX_TOKEN:
            value = json.loads(base64.urlsafe_b64decode(text.encode()))["after"]
            if isinstance(value, int) and 0 <= value <= MAX_SEQ:
                return value
    except (ValueError, KeyError, TypeError):
        pass
    raise Invalid(
        "nextPageToken 无效", "nextPageToken is not valid", field="nextPageToken"
    )


def iter_matching(
    session: Session, tenant_id: uuid.UUID, q: Query, *, chunk: int = 1000
) -> Iterator[Event]:
    after = 0
    while True:
        rows, nxt = page(session, tenant_id, q, after=after, per_page=chunk)
        yield from rows
        if nxt is None:
            return
        after = nxt


def batch_subjects(session: Session, tenant_id: uuid.UUID, code: str) -> list[str]:
    """A batch's events and those of everything it was made from: its material
    lots, and the intermediate batches (a filling) with their lots."""
    from bakeprint.materials.models import MaterialLot
    from bakeprint.production import genealogy
    from bakeprint.production import repository as batches
    from bakeprint.production.models import Batch, Consumption

    batch = batches.get(session, tenant_id, code)
    ids = [batch.id, *genealogy.ancestors(session, tenant_id, batch.id)]
    codes = session.scalars(
        select(Batch.code).where(Batch.tenant_id == tenant_id, Batch.id.in_(ids))
    ).all()
    lots = session.scalars(
        select(MaterialLot.code)
        .join(
            Consumption,
            (Consumption.tenant_id == MaterialLot.tenant_id)
            & (Consumption.lot_id == MaterialLot.id),
        )
        .where(MaterialLot.tenant_id == tenant_id, Consumption.batch_id.in_(ids))
        .distinct()
    ).all()
    return sorted({f"batch:{c}" for c in codes} | {f"lot:{c}" for c in lots})


def _chunks(rows: Iterator[Event], size: int = 1000) -> Iterator[list[Event]]:
    chunk: list[Event] = []
    for ev in rows:
        chunk.append(ev)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def export_file(
    session: Session, tenant_id: uuid.UUID, q: Query, out: Path, *, progress: Any = None
) -> int:
    """Write an EPCISDocument to ``out`` without holding the log in memory."""
    n = 0
    tmp = out.with_suffix(out.suffix + ".part")
    with tmp.open("w", encoding="utf-8") as f:
        head = json.dumps(document([]), ensure_ascii=False)
        f.write(head[: head.rindex("[") + 1])
        for rows in _chunks(iter_matching(session, tenant_id, q)):
            for out_ev in events_json(session, tenant_id, rows):
                f.write(("," if n else "") + json.dumps(out_ev, ensure_ascii=False))
                n += 1
                if progress is not None and n % 1000 == 0:
                    progress(n)
        f.write("]}}")
    tmp.replace(out)
    return n
