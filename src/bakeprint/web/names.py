"""Names for the handles the records keep, for the management pages.

Records name people by a login (``wang``, or ``user:wang`` in the event log)
or an operator code (``WANG-03``), and places by their codes (``HALL-1``,
``CITY-LIB``). The management pages show the names a person knows them by;
the public scan page never uses this (it shows no people at all).

Each table is read once per request, on first use.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bakeprint.catalog.models import (
    Equipment,
    Location,
    Operator,
    PointOfSale,
    Vehicle,
)
from bakeprint.identity.models import User

# records made by bakeprint itself rather than by a person
AUTOMATIC = {"system": ("系统自动", "automatic"), "demo": ("演示数据", "demo data")}

PLACES: dict[str, Any] = {
    "location": Location,
    "vehicle": Vehicle,
    "point_of_sale": PointOfSale,
    "equipment": Equipment,
    "operator": Operator,
}


class Names:
    def __init__(self, session: Session, tenant_id: uuid.UUID) -> None:
        self._session, self._tenant_id = session, tenant_id
        self._tables: dict[str, dict[str, str]] = {}

    def _table(self, kind: str) -> dict[str, str]:
        if kind not in self._tables:
            if kind == "user":
                model, key, name = User, User.username, User.display_name
            else:
                model = PLACES[kind]
                key, name = model.code, model.name
            rows = self._session.execute(
                select(key, name).where(model.tenant_id == self._tenant_id)
            )
            self._tables[kind] = {str(k): str(v) for k, v in rows}
        return self._tables[kind]

    def person(self, ref: str | None, lang: str) -> str:
        """A user (``wang``, ``user:wang``) or the system, by name."""
        if not ref:
            return "—"
        handle = ref.removeprefix("user:")
        if handle in AUTOMATIC and handle not in self._table("user"):
            zh, en = AUTOMATIC[handle]
            return en if lang == "en" else zh
        return self._table("user").get(handle, handle)

    def of(self, kind: str, code: str | None) -> str:
        """An operator, a place, a van, a shop or a machine, by name."""
        if not code:
            return "—"
        if kind not in PLACES:  # a product category names itself
            return code
        return self._table(kind).get(code, code)
