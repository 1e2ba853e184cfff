"""Time as a person reads it: in the bakery's time zone, with its offset.

Times are stored in UTC (``db.UTCDateTime``). Everything that leaves bakeprint
for a person or a client — API answers, CLI output (human and ``--json``),
pages, the trace PDF, CSV/XLSX exports — is rendered here, so the same moment
reads the same everywhere:

- API and ``--json``: ISO 8601 with the bakery's offset,
  ``2025-12-03T16:30:00+08:00`` (never ``Z``, even for a bakery on UTC, which
  gets ``+00:00``); a fraction of a second only when the stored time has one.
- text for people: ``2025-12-03 16:30 +08:00``.
- a calendar day: the bakery's day, never the UTC one (a lot received at
  01:00 in Shanghai was received that day, not the day before).

EPCIS keeps its own standard form (``eventTime`` with ``eventTimeZoneOffset``):
``interop.epcis`` and ``events.hashing`` do not go through here.

Which bakery: each API request and CLI command opens a ``scope()``; once the
caller's bakery is known (``deps.get_actor``, the web login,
``cli_support.resolve_tenant``, the public scan page) ``use(tenant.timezone)``
names its zone for the rest of that request or command — also for the
response serializer, which runs after the dependencies that learnt it (they
run in a worker thread: a value set there would not come back, so the scope
holds a mutable slot that both share). Outside any scope, and before the
bakery is known, the server's ``BAKEPRINT_TIMEZONE`` applies.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo

from pydantic import (
    PlainSerializer,
    SerializerFunctionWrapHandler,
    WithJsonSchema,
    WrapSerializer,
)

from bakeprint.config import settings

TEXT = "%Y-%m-%d %H:%M"


@dataclass
class _Slot:
    zone: ZoneInfo | None = None


_slot: ContextVar[_Slot | None] = ContextVar("bakeprint_bakery_zone", default=None)


@lru_cache(maxsize=64)
def zone_of(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@contextmanager
def scope() -> Iterator[None]:
    """One request or command: the zone named inside it by ``use`` holds until
    it ends, and never leaks into the next one."""
    token = _slot.set(_Slot())
    try:
        yield
    finally:
        _slot.reset(token)


def use(tz: str | None) -> None:
    """The bakery's zone (its tenant setting) for the rest of this scope."""
    slot = _slot.get()
    if slot is not None and tz:
        slot.zone = zone_of(tz)


def zone(tz: str | ZoneInfo | None = None) -> ZoneInfo:
    """``tz`` when given, else the current bakery's, else the server's."""
    if isinstance(tz, ZoneInfo):
        return tz
    if tz:
        return zone_of(tz)
    slot = _slot.get()
    if slot is not None and slot.zone is not None:
        return slot.zone
    return zone_of(settings.timezone)


def local(when: datetime, tz: str | ZoneInfo | None = None) -> datetime:
    """``when`` on the bakery's clock (aware, with its offset)."""
    if when.tzinfo is None:
        raise ValueError("naive datetime: give a time zone")
    return when.astimezone(zone(tz))


def iso(when: datetime, tz: str | ZoneInfo | None = None) -> str:
    """The one ISO 8601 form of the API: ``2025-12-03T16:30:00+08:00``."""
    return local(when, tz).isoformat()


def offset(when: datetime, tz: str | ZoneInfo | None = None) -> str:
    """The bakery's UTC offset at that moment: ``+08:00``."""
    return local(when, tz).isoformat()[-6:]


def text(
    when: datetime | str | None, tz: str | ZoneInfo | None = None, fmt: str = TEXT
) -> str:
    """For people: ``2025-12-03 16:30 +08:00`` (``fmt`` without an hour — a
    date — carries no offset); ``—`` for no time."""
    if when is None or when == "":
        return "—"
    if isinstance(when, str):
        when = datetime.fromisoformat(when)
    t = local(when, tz)
    shown = t.strftime(fmt)
    return f"{shown} {t.isoformat()[-6:]}" if "%H" in fmt else shown


def span(
    start: datetime | str,
    end: datetime | str | None,
    tz: str | ZoneInfo | None = None,
    *,
    open_end: str = "…",
) -> str:
    """A stretch of time for people, its offset said once:
    ``12-03 14:20–15:00 +08:00`` (the end's day too when it is another day);
    ``open_end`` stands for an end not yet known."""
    if isinstance(start, str):
        start = datetime.fromisoformat(start)
    if isinstance(end, str):
        end = datetime.fromisoformat(end)
    a = local(start, tz)
    if end is None:
        return f"{a:%m-%d %H:%M}–{open_end} {a.isoformat()[-6:]}"
    b = local(end, tz)
    until = f"{b:%H:%M}" if b.date() == a.date() else f"{b:%m-%d %H:%M}"
    return f"{a:%m-%d %H:%M}–{until} {b.isoformat()[-6:]}"


def day(when: datetime, tz: str | ZoneInfo | None = None) -> date:
    """The bakery's calendar day of ``when`` (not the UTC one)."""
    return local(when, tz).date()


def jsonable(value: Any) -> Any:
    """``value`` with every datetime inside it (dicts, lists, tuples) in the
    API's ISO form; everything else left for the JSON encoder."""
    if isinstance(value, datetime):
        return _json(value)
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def _json(when: datetime) -> str:
    return iso(when) if when.tzinfo is not None else when.isoformat()


def _walk(value: Any, handler: SerializerFunctionWrapHandler):
    # no return annotation: the JSON schema stays the field's own
    return handler(jsonable(value))


# A response schema's datetime field: ``at: LocalDateTime``. Python mode
# (``model_dump()``, pages) keeps the datetime; JSON (API, --json) is ``iso``.
LocalDateTime = Annotated[
    datetime,
    PlainSerializer(_json, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}, mode="serialization"),
]

# A free-form payload (``dict[str, Any]``, ``list[dict[str, Any]]``) whose
# datetimes are rendered the same way, at any depth, in JSON output only:
# ``production: Localised[dict[str, Any]]``.
T = TypeVar("T")
Localised = Annotated[T, WrapSerializer(_walk, when_used="json")]
