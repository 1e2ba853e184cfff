"""Page: master data at a glance (products, materials, suppliers, people, places)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bakeprint.catalog import repository as catalog
from bakeprint.catalog.models import (
    Equipment,
    Location,
    MaterialType,
    Operator,
    PointOfSale,
    Product,
    ProductLine,
    Supplier,
    Vehicle,
)
from bakeprint.deps import SessionDep
from bakeprint.web.auth import CurrentUser, csrf_token
from bakeprint.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/master")
def master(request: Request, session: SessionDep, me: CurrentUser) -> Response:
    me.require("read")

    def rows(model: Any) -> list[Any]:
        return catalog.rows(session, model, me.tenant.id)

    return render(
        request,
        "catalog/master.html",
        {
            "me": me,
            "csrf": csrf_token(request),
            "lines": rows(ProductLine),
            "products": rows(Product),
            "materials": rows(MaterialType),
            "suppliers": rows(Supplier),
            "operators": rows(Operator),
            "equipment": rows(Equipment),
            "locations": rows(Location),
            "vehicles": rows(Vehicle),
            "shops": rows(PointOfSale),
        },
    )
