"""EPCIS 2.0 capture (R5.4): partners' events into the bakery's event log.

A document (EPCISDocument or EPCISQueryDocument, JSON / JSON-LD) is checked
whole before anything is stored — one bad event refuses the document with the
path of each problem — then every event is appended to the hash-chained log
as it came (its eventID, time, offset and members, extensions included), so
it is exported again unchanged. Capture is idempotent: an event is known by
its eventID, or, without one, by its CBV 2.0 event hash ID
(``interop.event_hash``: the same event written with other prefixes, key
order, URNs instead of Digital Link URIs or in another time zone is the same
event); sending a document twice stores nothing new, and a different event
under a known eventID is refused. An eventID that is itself a CBV 2.0 hash
but does not match the event's content is stored as sent, with a note (the
event was changed after it was hashed, or the sender hashes differently).

Strict (issue 21): a document the official EPCIS 2.0 JSON schema rejects is
refused whole with each problem's JSON path (``interop.validation``, 400).
An event's own ``@context`` is kept with the document's prefixes, so the
exported event stays valid JSON-LD and hashes as it did when captured.

Error declarations: an event sent again with an ``errorDeclaration`` for an
eventID already stored is appended as a new record (kind
``error_declaration``, ``corrects_seq`` → the declared event) — history stays
append-only — and the declared event is exported with its declaration; trace
and recall scope leave a declared-erroneous consumption out.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bakeprint.errors import Conflict, Invalid
from bakeprint.events import declarations
from bakeprint.events import service as events
from bakeprint.events.models import Event
from bakeprint.events.service import EVENT_TYPES
from bakeprint.identity import repository as tenants
from bakeprint.interop import epcis, event_hash, validation
from bakeprint.interop.validation import NotEpcis

NEEDS_ACTION = (
    "ObjectEvent",
    "AggregationEvent",
    "TransactionEvent",
    "AssociationEvent",
)
ACTIONS = ("ADD", "OBSERVE", "DELETE")
_OFFSET = re.compile(r"^[+-]([01]\d|2[0-3]):[0-5]\d$")
_ID_LISTS = ("epcList", "childEPCs", "inputEPCList", "outputEPCList")
_QTY_LISTS = (
    "quantityList",
    "childQuantityList",
    "inputQuantityList",
    "outputQuantityList",
)
MAX_EVENTS = 10_000


@dataclass
class Result:
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    declared: int = 0
    event_ids: list[str] = field(default_factory=list)
    announced: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "stored": self.stored,
            "duplicates": self.duplicates,
            "errorDeclarations": self.declared,
            "eventIDs": self.event_ids,
            "incoming_lots": self.announced,
            "notes": self.notes,
        }


def event_list(doc: Any) -> list[Any]:
    """The events of a document, or an Invalid naming what is wrong with it."""
    if not isinstance(doc, dict):
        raise NotEpcis("EPCIS 文档应为 JSON 对象", "an EPCIS document is a JSON object")
    kind = doc.get("type")
    if kind not in ("EPCISDocument", "EPCISQueryDocument"):
        raise NotEpcis(
            f"type 应为 EPCISDocument 或 EPCISQueryDocument，而不是 {kind!r}",
            f"type must be EPCISDocument or EPCISQueryDocument, not {kind!r}",
            field="type",
        )
    if doc.get("schemaVersion") not in ("2.0", "2.0.0"):
        raise NotEpcis(
            f"只接受 EPCIS 2.0（schemaVersion {doc.get('schemaVersion')!r}）",
            f"only EPCIS 2.0 is accepted (schemaVersion {doc.get('schemaVersion')!r})",
            field="schemaVersion",
        )
    body = doc.get("epcisBody")
    if kind == "EPCISQueryDocument":
        body = ((body or {}).get("queryResults") or {}).get("resultsBody")
    found = (body or {}).get("eventList") if isinstance(body, dict) else None
    if not isinstance(found, list):
        where = (
            "epcisBody/queryResults/resultsBody/eventList"
            if kind == "EPCISQueryDocument"
            else "epcisBody/eventList"
        )
        raise NotEpcis(f"缺少 {where}", f"{where} is missing", field=where)
    if len(found) > MAX_EVENTS:
        raise Invalid(
            f"一个文档最多 {MAX_EVENTS} 个事件，请分批发送",
            f"at most {MAX_EVENTS} events per document: send it in parts",
            field="eventList",
        )
    return found


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


def problems_of(ev: Any, path: str) -> list[str]:
    """What keeps an event from being an EPCIS 2.0 event, each with its path."""
    if not isinstance(ev, dict):
        return [f"{path}: an event is a JSON object"]
    out = []
    kind = ev.get("type")
    if kind not in EVENT_TYPES:
        return [f"{path}/type: {kind!r} is not an EPCIS 2.0 event type"]
    if _time(ev.get("eventTime")) is None:
        out.append(f"{path}/eventTime: an ISO 8601 time with its offset is required")
    if not isinstance(ev.get("eventTimeZoneOffset"), str) or not _OFFSET.match(
        ev["eventTimeZoneOffset"]
    ):
        out.append(f"{path}/eventTimeZoneOffset: ±hh:mm is required")
    if kind in NEEDS_ACTION and ev.get("action") not in ACTIONS:
        out.append(f"{path}/action: one of ADD, OBSERVE, DELETE is required")
    if "eventID" in ev and not isinstance(ev["eventID"], str):
        out.append(f"{path}/eventID: must be a URI")
    for key in _ID_LISTS:
        if key in ev and not (
            isinstance(ev[key], list) and all(isinstance(x, str) for x in ev[key])
        ):
            out.append(f"{path}/{key}: a list of identifiers (URIs) is required")
    for key in _QTY_LISTS:
        items = ev.get(key)
        if items is None:
            continue
        if not isinstance(items, list):
            out.append(f"{path}/{key}: must be a list")
            continue
        for i, q in enumerate(items):
            if not isinstance(q, dict) or not isinstance(q.get("epcClass"), str):
                out.append(f"{path}/{key}/{i}: epcClass is required")
            elif "quantity" in q and (
                isinstance(q["quantity"], bool)
                or not isinstance(q["quantity"], int | float)
                or q["quantity"] < 0
            ):
                out.append(f"{path}/{key}/{i}/quantity: a number ≥ 0 is required")
    for key in ("bizStep", "disposition", "parentID", "transformationID"):
        if key in ev and not isinstance(ev[key], str):
            out.append(f"{path}/{key}: must be a string")
    for key in ("readPoint", "bizLocation"):
        if key in ev and not (
            isinstance(ev[key], dict) and isinstance(ev[key].get("id"), str)
        ):
            out.append(f"{path}/{key}/id: is required")
    if "recordTime" in ev and _time(ev["recordTime"]) is None:
        out.append(f"{path}/recordTime: an ISO 8601 time with its offset is required")
    return out


def key_of(ev: dict[str, Any], hashed: str) -> str:
    """The event's identity for idempotency: its eventID, or its CBV 2.0
    event hash ID."""
    return str(ev["eventID"]) if ev.get("eventID") else hashed


def _hash_note(key: str, hashed: str) -> str | None:
    """A note when an eventID claims to be a CBV 2.0 hash of other content."""
    if not (key.startswith("ni:///sha-256;") and key.endswith("?ver=CBV2.0")):
        return None
    if hashed == key:
        return None
    return (
        f"{key}: this eventID is a CBV 2.0 event hash, but the event's content "
        f"hashes to {hashed}"
    )


def _stored(ev: dict[str, Any], context: list[Any]) -> dict[str, Any]:
    """What is kept: the event without its eventID and recordTime (the log
    holds those as columns; recordTime becomes our time of capture), with the
    document's own namespace prefixes and the event's own ``@context`` as the
    event's @context, so its extensions keep their meaning when exported."""
    body = {
        k: v for k, v in ev.items() if k not in ("eventID", "recordTime", "@context")
    }
    own = ev.get("@context")
    merged: list[Any] = []
    for item in [*context, *(own if isinstance(own, list) else [own] if own else [])]:
        if item not in merged:  # the schema wants each entry once
            merged.append(item)
    return {"@context": merged, **body} if merged else body


def _namespaces(doc: dict[str, Any]) -> list[Any]:
    """The document's @context entries other than the standard one."""
    ctx = doc.get("@context")
    items = ctx if isinstance(ctx, list) else [ctx] if ctx else []
    return [c for c in items if isinstance(c, dict)]


def _declare(
    session: Session,
    tenant_id: uuid.UUID,
    stored: Event,
    declaration: dict[str, Any],
    actor: str | None,
) -> bool:
    """Append an error declaration for a stored event; False when the same
    declaration is already recorded (sending it twice changes nothing)."""
    latest = declarations.latest(session, tenant_id, [stored.seq]).get(stored.seq)
    if latest is not None and latest.body.get("errorDeclaration") == declaration:
        return False
    if latest is None and stored.body.get("errorDeclaration") == declaration:
        return False
    body = {**stored.body, "errorDeclaration": declaration}
    events.append_captured(
        session,
        tenant_id,
        event_id=f"urn:uuid:{uuid.uuid4()}",
        body=body,
        event_time=stored.event_time,
        subject=declarations.SUBJECT,
        actor=actor,
        kind=declarations.KIND,
        corrects_seq=stored.seq,
    )
    from bakeprint.materials import incoming  # as in capture(): no cycle

    incoming.withdraw(session, tenant_id, stored.event_id)
    return True


def capture(
    session: Session, tenant_id: uuid.UUID, doc: Any, *, actor: str | None
) -> Result:
    validation.check_document(doc)
    found = event_list(doc)
    context = _namespaces(doc)
    problems: list[str] = []
    for i, ev in enumerate(found):
        problems += problems_of(ev, f"eventList/{i}")
    if problems:
        raise NotEpcis(
            "EPCIS 文档无效：" + "；".join(problems[:20]),
            "the EPCIS document is not valid: " + "; ".join(problems[:20]),
            field="eventList",
        )
    result = Result(received=len(found))
    # Two writings of one event (prefixes, key order, URN or Digital Link,
    # time zone) are the same event: content is compared by CBV 2.0 hash.
    ignore = event_hash.document_ignore(doc)
    # bakeprint's own members (bp:…) read with our prefix on both sides
    ours = [*epcis.CONTEXT, *context]
    hashes = [
        event_hash.hash_id(_stored(ev, context), context=ours, ignore=ignore)
        for ev in found
    ]
    keys = [key_of(ev, hashed) for ev, hashed in zip(found, hashes, strict=True)]
    bodies = [_stored(ev, context) for ev in found]
    first: dict[str, str] = {}
    for key, hashed in zip(keys, hashes, strict=True):
        if first.setdefault(key, hashed) != hashed:
            raise NotEpcis(
                f"同一文档中 eventID {key} 出现了两次且内容不同",
                f"eventID {key} appears twice in the document with different content",
                field="eventList",
            )
    known = {
        e.event_id: e
        for e in session.scalars(
            select(Event).where(
                Event.tenant_id == tenant_id, Event.event_id.in_(set(keys))
            )
        )
    }
    from bakeprint.materials import incoming

    tenant = tenants.get(session, tenant_id)
    seen: set[str] = set()
    for ev, key, body, hashed in zip(found, keys, bodies, hashes, strict=True):
        result.event_ids.append(key)
        if key in seen:
            result.duplicates += 1
            continue
        seen.add(key)
        if key in known:
            if (
                event_hash.hash_id(known[key].body, context=ours, ignore=ignore)
                != hashed
            ):
                raise Conflict(
                    f"eventID {key} 已收到过，但内容不同：更正请发送新的事件，"
                    "或在原事件上加 errorDeclaration",
                    f"eventID {key} was captured before with different content: "
                    "send a correction as a new event, or the event with an "
                    "errorDeclaration",
                    field="eventList",
                )
            if isinstance(ev.get("errorDeclaration"), dict) and _declare(
                session, tenant_id, known[key], ev["errorDeclaration"], actor
            ):
                result.declared += 1
                continue
            result.duplicates += 1
            continue
        when = _time(ev["eventTime"])
        assert when is not None
        events.append_captured(
            session,
            tenant_id,
            event_id=key,
            body=body,
            event_time=when,
            subject="epcis:captured",
            actor=actor,
        )
        result.stored += 1
        note = _hash_note(key, hashed)
        if note:
            result.notes.append(note)
        lots, notes = incoming.announce(
            session, tenant_id, tenant.slug, key, body, when
        )
        result.notes += notes
        result.announced += [
            {
                "supplier_lot": x.supplier_lot,
                "quantity": x.quantity,
                "unit": x.unit,
                "expires_on": x.expires_on.isoformat() if x.expires_on else None,
            }
            for x in lots
        ]
    session.flush()
    return result
