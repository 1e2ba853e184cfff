"""The one language picker for a request: ``?lang=``, then the ``lang``
cookie, then ``Accept-Language`` (zh-CN unless English is preferred). Kept
apart from ``web.i18n`` (which loads the texts and labels) so the error
handlers in ``app`` can use it without importing the pages' vocabulary."""

from __future__ import annotations

from fastapi import Request

from bakeprint.errors import pick_language


def lang_of(request: Request) -> str:
    asked = request.query_params.get("lang")
    if asked in ("zh", "en"):
        return asked
    cookie = request.cookies.get("lang")
    if cookie in ("zh", "en"):
        return cookie
    return pick_language(request.headers.get("accept-language"))
