"""Jinja2 environment for the server-rendered pages."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from bakeprint import localtime
from bakeprint.web.i18n import lang_of, t
from bakeprint.web.labels import dead_reason, event_words, label
from bakeprint.web.public_forms import report_token
from bakeprint.web.sources import factor_source

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES))


def _local(
    value: datetime | str | None,
    tz: str | None = None,
    fmt: str = localtime.TEXT,
) -> str:
    """``{{ x.at | local(tz) }}``: the bakery's clock with its offset."""
    return localtime.text(value, tz, fmt)


def _day(value: date | None) -> str:
    return value.isoformat() if value else "—"


def _num(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:g}"


def _band(low: float | None, high: float | None) -> str:
    """An allowed range as a bakery writes it: 16–28, ≤ 70, ≥ 2."""
    if low is not None and high is not None:
        return f"{low:g}–{high:g}"
    if high is not None:
        return f"≤ {high:g}"
    if low is not None:
        return f"≥ {low:g}"
    return "—"


_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


def _in_lang(text: str | None, lang: str) -> str:
    """A stored text written "中文 / English" (warnings, reasons): the half in
    the page's language. The split is the first " / " after which no Chinese
    follows; a text without one is shown whole."""
    if not text:
        return ""
    at = text.find(" / ")
    while at != -1:
        if not _CJK.search(text, at + 3):
            return text[at + 3 :] if lang == "en" else text[:at]
        at = text.find(" / ", at + 3)
    return text


# a date, a time or a code inside a sentence the records wrote: kept on one
# line (a phone would break "2025-12-22" or "RM-20251202-005" at a hyphen)
_UNBROKEN = re.compile(
    r"\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2})?|\d{2}-\d{2} \d{2}:\d{2}"
    r"|[A-Z0-9]+(?:-[A-Z0-9]+)+"
)


def _unbroken(text: str | None) -> Markup:
    text = text or ""
    out, at = [], 0
    for m in _UNBROKEN.finditer(text):
        out += [escape(text[at : m.start()]), _NW.format(m.group(0))]
        at = m.end()
    out.append(escape(text[at:]))
    return Markup("").join(out)


_NW = Markup('<span class="nw">{}</span>')

templates.env.filters["local"] = _local
templates.env.filters["unbroken"] = _unbroken
templates.env.filters["in_lang"] = _in_lang
templates.env.filters["band"] = _band
templates.env.filters["day"] = _day
templates.env.filters["num"] = _num


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    lang = lang_of(request)
    names = getattr((context or {}).get("me"), "names", None)
    ctx: dict[str, Any] = {
        "lang": lang,
        "t": lambda key, **kw: t(lang, key, **kw),
        "label": lambda group, value: label(lang, group, value),
        "event_words": lambda e: event_words(lang, e.kind, e.subject),
        "subject_of": lambda subject: event_words(lang, "", subject),
        "dead_reason": lambda reason: _in_lang(dead_reason(lang, reason), lang),
        # people and places by name (management pages only: `me` is set)
        "person": lambda ref: names.person(ref, lang) if names else ref or "—",
        "named": lambda kind, code: names.of(kind, code) if names else code or "—",
        "name_of": lambda zh, en: (en or zh) if lang == "en" else zh,
        "factor_source": lambda source: factor_source(lang, source),
        "tz": getattr(request.state, "tz", None) or localtime.zone().key,
        "flash": request.session.pop("flash", None)
        if "session" in request.scope
        else None,
        **(context or {}),
    }
    return templates.TemplateResponse(
        request, name, ctx, status_code=status_code, headers=headers
    )


def _journey_map(stops: Any, lang: str) -> Any:
    from bakeprint.web.charts import journey_map

    return journey_map(stops, lang)


templates.env.globals["journey_map"] = _journey_map
templates.env.globals["report_token"] = report_token
