"""Lots announced by suppliers' EPCIS shipping events (R5.4).

A captured event is read as an announcement when its business step is
shipping, its source (owning or possessing party) is one of the bakery's
suppliers — known by GLN (GS1 Digital Link ``/417/`` or ``/414/``, or an EPC
URN) or by bakeprint's own supplier URN — and its quantity list names
products by GTIN and lot (``…/01/<gtin>/10/<lot>`` or ``urn:epc:class:lgtin``)
that the bakery buys. Each such line becomes an incoming lot; registering the
intake of that supplier's lot later marks it received.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any
from urllib.parse import unquote

from sqlalchemy import select
from sqlalchemy.orm import Session

from bakeprint.catalog.models import MaterialType, Supplier
from bakeprint.interop.canonical import CANONICAL_HOST, canonical_id
from bakeprint.materials.models import IncomingLot, MaterialLot

SHIPPING = {
    "shipping",
    "cbv:BizStep-shipping",
    "https://ref.gs1.org/cbv/BizStep-shipping",
    "urn:epcglobal:cbv:bizstep:shipping",
}
PARTY_TYPES = {"owning_party", "possessing_party"}
UNITS = {"KGM": "kg", "GRM": "g", "LTR": "L", "MLT": "mL", "H87": "pcs", "EA": "pcs"}


def _short(value: Any) -> str:
    text = str(value or "")
    for sep in ("SDT-", "sdt:"):
        if sep in text:
            return text.rsplit(sep, 1)[1]
    return text


def _canonical_path(identifier: str) -> list[str]:
    """The path of an identifier's canonical Digital Link form, or []."""
    canon = canonical_id(identifier)
    if not canon.startswith(CANONICAL_HOST + "/"):
        return []
    return canon.removeprefix(CANONICAL_HOST + "/").split("/")


def gln_of(identifier: str) -> str | None:
    """The GLN a party or location identifier names, if it is a GS1 one
    (``/417/…``, ``/414/…``, or their EPC URNs)."""
    path = _canonical_path(identifier)
    if len(path) >= 2 and path[0] in ("417", "414") and len(path[1]) == 13:
        return path[1]
    return None


def class_of(epc_class: str) -> tuple[str, str] | None:
    """(GTIN-14, lot) from a Digital Link lot class or an LGTIN URN."""
    path = _canonical_path(epc_class)
    if len(path) == 4 and path[0] == "01" and path[2] == "10":
        return path[1], unquote(path[3])
    return None


def _supplier(
    session: Session, tenant_id: uuid.UUID, slug: str, body: dict[str, Any]
) -> Supplier | None:
    sources = [
        str(s.get("source", ""))
        for s in body.get("sourceList") or []
        if isinstance(s, dict) and _short(s.get("type")) in PARTY_TYPES
    ]
    glns = {g for g in (gln_of(x) for x in sources) if g}
    ours = f"urn:bakeprint:{slug}:supplier:"
    codes = {x.removeprefix(ours) for x in sources if x.startswith(ours)}
    if not glns and not codes:
        return None
    rows = session.scalars(
        select(Supplier).where(
            Supplier.tenant_id == tenant_id, Supplier.active.is_(True)
        )
    )
    return next((s for s in rows if s.gln in glns or s.code in codes), None)


def _expiry(body: dict[str, Any]) -> date | None:
    ilmd = body.get("ilmd") or {}
    for key in ("cbvmda:itemExpirationDate", "cbvmda:bestBeforeDate"):
        value = ilmd.get(key)
        if isinstance(value, str):
            try:
                return date.fromisoformat(value[:10])
            except ValueError:
                return None
    return None


def announce(
    session: Session,
    tenant_id: uuid.UUID,
    slug: str,
    event_id: str,
    body: dict[str, Any],
    shipped_at: datetime,
) -> tuple[list[IncomingLot], list[str]]:
    """The incoming lots a captured event announces, and notes on the lines
    it could not use (unknown product…)."""
    if body.get("bizStep") not in SHIPPING or body.get("errorDeclaration"):
        return [], []  # a shipment declared erroneous announces nothing
    supplier = _supplier(session, tenant_id, slug, body)
    if supplier is None:
        return [], []
    out: list[IncomingLot] = []
    notes: list[str] = []
    for q in body.get("quantityList") or []:
        key = class_of(str(q.get("epcClass", "")))
        if key is None:
            notes.append(f"{q.get('epcClass')}: not a product lot (GTIN + lot)")
            continue
        gtin, lot = key
        material = session.scalar(
            select(MaterialType).where(
                MaterialType.tenant_id == tenant_id, MaterialType.gtin == gtin
            )
        )
        if material is None:
            notes.append(f"GTIN {gtin}: no material type of this bakery has it")
            continue
        row = IncomingLot(
            tenant_id=tenant_id,
            event_id=event_id,
            supplier_id=supplier.id,
            material_type_id=material.id,
            supplier_lot=lot[:60],
            quantity=q.get("quantity"),
            unit=UNITS.get(str(q.get("uom") or ""), q.get("uom")),
            expires_on=_expiry(body),
            shipped_at=shipped_at,
        )
        session.add(row)
        out.append(row)
    session.flush()
    return out, notes


def withdraw(session: Session, tenant_id: uuid.UUID, event_id: str) -> int:
    """The supplier declared its shipping event erroneous (an EPCIS error
    declaration): the lots it announced and not yet received no longer are
    expected. Returns how many."""
    rows = session.scalars(
        select(IncomingLot).where(
            IncomingLot.tenant_id == tenant_id,
            IncomingLot.event_id == event_id,
            IncomingLot.status == "announced",
        )
    ).all()
    for row in rows:
        row.status = "withdrawn"
    session.flush()
    return len(rows)


def mark_received(session: Session, lot: MaterialLot) -> IncomingLot | None:
    """Intake of an announced lot: the announcement is fulfilled."""
    row = session.scalar(
        select(IncomingLot)
        .where(
            IncomingLot.tenant_id == lot.tenant_id,
            IncomingLot.supplier_id == lot.supplier_id,
            IncomingLot.material_type_id == lot.material_type_id,
            IncomingLot.supplier_lot == lot.supplier_lot,
            IncomingLot.status == "announced",
        )
        .order_by(IncomingLot.shipped_at)
        .limit(1)
        .with_for_update()
    )
    if row is not None:
        row.status, row.lot_id = "received", lot.id
    return row


def pending(session: Session, tenant_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = session.execute(
        select(IncomingLot, Supplier, MaterialType)
        .join(
            Supplier,
            (Supplier.tenant_id == IncomingLot.tenant_id)
            & (Supplier.id == IncomingLot.supplier_id),
        )
        .join(
            MaterialType,
            (MaterialType.tenant_id == IncomingLot.tenant_id)
            & (MaterialType.id == IncomingLot.material_type_id),
        )
        .where(IncomingLot.tenant_id == tenant_id)
        .order_by(IncomingLot.shipped_at.desc())
        .limit(500)
    )
    out = []
    for inc, sup, mt in rows:
        received = (
            session.get(MaterialLot, (tenant_id, inc.lot_id)) if inc.lot_id else None
        )
        out.append(
            {
                "supplier": sup.code,
                "material": mt.code,
                "supplier_lot": inc.supplier_lot,
                "quantity": inc.quantity,
                "unit": inc.unit,
                "expires_on": inc.expires_on,
                "shipped_at": inc.shipped_at,
                "status": inc.status,
                "lot": received.code if received else None,
                "event_id": inc.event_id,
            }
        )
    return out
