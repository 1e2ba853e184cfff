"""HTTP API: units, their QR codes, label sheets and code look-up."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from bakeprint.catalog import repository as catalog
from bakeprint.catalog.models import Product
from bakeprint.deps import CanLookup, CanRead, CanWriteProduction, SessionDep
from bakeprint.errors import NotFound
from bakeprint.packaging import qr, serials
from bakeprint.packaging import service as packaging
from bakeprint.packaging import state as unit_state
from bakeprint.packaging.models import Unit
from bakeprint.production import repository as batches
from bakeprint.production.models import Batch
from bakeprint.shelflife import service as shelf_life
from bakeprint.web.templating import render

router = APIRouter(tags=["units"])


class UnitRead(BaseModel):
    serial: str
    number: int
    # the unit's own scanned state, a state the batch's records leave no doubt
    # about, or "untracked" (see batch_distribution)
    status: str
    scanned: bool
    basis: str  # "unit": its own scan; "batch": the batch-level records
    status_at: str | None
    point_of_sale: str | None
    note_zh: str
    note_en: str
    batch_distribution: dict[str, Any]
    uri: str
    element_string: str


class LookupRead(BaseModel):
    batch: str
    product: str
    product_gtin: str
    unit: UnitRead | None


def _read(
    product: Product, batch: Batch, unit: Unit, states: unit_state.BatchStates
) -> UnitRead:
    link = packaging.unit_link(product, batch, unit)
    st = states.of(unit)
    d = st.as_dict()
    return UnitRead(
        serial=unit.serial,
        number=unit.number,
        status=st.status,
        scanned=st.scanned,
        basis=st.basis,
        status_at=d["at"],
        point_of_sale=d["point_of_sale"],
        note_zh=st.text("zh"),
        note_en=st.text("en"),
        batch_distribution=d["batch_distribution"],
        uri=link.uri(),
        element_string=link.element_string(),
    )


def _product(session: SessionDep, batch: Batch) -> Product:
    return catalog.by_id(session, Product, batch.tenant_id, batch.product_id)


@router.post("/batches/{code}/units", response_model=list[UnitRead], status_code=201)
def commission(
    code: str, session: SessionDep, actor: CanWriteProduction
) -> list[UnitRead]:
    """Create the batch's units (done automatically at packing; idempotent)."""
    batch = batches.get(session, actor.tenant_id, code)
    units = packaging.commission_units(
        session, tenant_id=actor.tenant_id, batch_id=batch.id, actor=actor
    )
    product = _product(session, batch)
    states = unit_state.BatchStates(session, batch)
    return [_read(product, batch, u, states) for u in units]


@router.get("/batches/{code}/units", response_model=list[UnitRead])
def list_units(code: str, session: SessionDep, actor: CanRead) -> list[UnitRead]:
    """The batch's units with their Digital Link URIs."""
    batch = batches.get(session, actor.tenant_id, code)
    product = _product(session, batch)
    states = unit_state.BatchStates(session, batch)
    return [
        _read(product, batch, u, states) for u in packaging.units_of(session, batch)
    ]


def _unit(
    session: SessionDep, tenant_id: object, serial: str
) -> tuple[Product, Batch, Unit]:
    found = packaging.lookup(session, serials.normalize(serial), tenant_id=tenant_id)  # type: ignore[arg-type]
    if found.unit is None:
        raise NotFound("找不到这件产品", "package not found")
    return found.product, found.batch, found.unit


@router.get("/units/{serial}/qr.svg")
def qr_svg(serial: str, session: SessionDep, actor: CanRead) -> Response:
    """The unit's QR code (SVG) holding its GS1 Digital Link URI."""
    product, batch, unit = _unit(session, actor.tenant_id, serial)
    uri = packaging.unit_link(product, batch, unit).uri()
    return Response(qr.svg(uri), media_type="image/svg+xml")


@router.get("/units/{serial}/qr.png")
def qr_png(serial: str, session: SessionDep, actor: CanRead) -> Response:
    """The unit's QR code as a PNG for label printers."""
    product, batch, unit = _unit(session, actor.tenant_id, serial)
    uri = packaging.unit_link(product, batch, unit).uri()
    return Response(qr.png(uri), media_type="image/png")


@router.get("/batches/{code}/labels", response_class=HTMLResponse)
def labels(
    request: Request, code: str, session: SessionDep, actor: CanRead
) -> Response:
    """A print-ready A4 label sheet for every unit of the batch."""
    batch = batches.get(session, actor.tenant_id, code)
    product = _product(session, batch)
    from bakeprint.catalog.allergens import ALLERGENS

    rows = []
    for unit in packaging.units_of(session, batch):
        link = packaging.unit_link(product, batch, unit)
        rows.append(
            {
                "unit": unit,
                "uri": link.uri(),
                "svg": qr.svg(link.uri(), border=4, fit=True),
            }
        )
    names = [ALLERGENS.get(a, (a, a)) for a in product.allergens]
    return render(
        request,
        "packaging/labels.html",
        {
            "batch": batch,
            "best_before": shelf_life.label_date(session, batch),
            "product": product,
            "rows": rows,
            "allergens": names,
            "me": None,
        },
    )


@router.get("/lookup", response_model=LookupRead)
def lookup(code: str, session: SessionDep, actor: CanLookup) -> LookupRead:
    """Find the batch behind a QR URI, element string, serial or batch code."""
    found = packaging.lookup(session, code, tenant_id=actor.tenant_id)
    return LookupRead(
        batch=found.batch.code,
        product=found.product.name_zh,
        product_gtin=found.product.gtin,
        unit=_read(
            found.product,
            found.batch,
            found.unit,
            unit_state.BatchStates(session, found.batch),
        )
        if found.unit
        else None,
    )


@router.get("/units/{serial}", response_model=LookupRead)
def get_unit(serial: str, session: SessionDep, actor: CanRead) -> LookupRead:
    """One unit: its batch and what is known of its state."""
    product, batch, unit = _unit(session, actor.tenant_id, serial)
    states = unit_state.BatchStates(session, batch)
    return LookupRead(
        batch=batch.code,
        product=product.name_zh,
        product_gtin=product.gtin,
        unit=_read(product, batch, unit, states),
    )
