"""Jinja2 environment for the server-rendered pages."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from bakeprint import localtime
from bakeprint.web.i18n import lang_of, t
from bakeprint.web.public_forms import report_token

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


templates.env.filters["local"] = _local
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
    ctx: dict[str, Any] = {
        "lang": lang,
        "t": lambda key, **kw: t(lang, key, **kw),
        "name_of": lambda zh, en: (en or zh) if lang == "en" else zh,
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
