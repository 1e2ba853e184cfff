"""The sortable spreadsheet a regulator asks for within 24 hours (FSMA 204
style, R6.1): one row per critical tracking event with its key data elements.

Critical tracking events in a bakery:
- receiving   — a material lot arrives from a supplier (the supplier's lot
                code is kept as the traceability lot code source's number);
- transformation — a batch is made: a new traceability lot code (the batch
                code) from the lots it used;
- shipping    — the batch leaves the kitchen on a trip, per destination shop;
- receiving   — a shop receives the batch.

Rows are read from the domain records (not re-derived from prose), in time
order; the CSV opens in Excel with Chinese text intact (UTF-8 with BOM), the
XLSX has a frozen, filterable header.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bakeprint import localtime
from bakeprint.catalog.models import (
    Location,
    MaterialType,
    Product,
)
from bakeprint.errors import Invalid
from bakeprint.identity import repository as tenants
from bakeprint.logistics import service as logistics
from bakeprint.logistics.models import Delivery
from bakeprint.materials import repository as lots_repo
from bakeprint.materials.models import MaterialLot
from bakeprint.production import repository as production_repo
from bakeprint.production.models import Batch, Consumption

COLUMNS = {
    "cte": ("关键追溯事件", "Critical tracking event"),
    "traceability_lot_code": ("追溯批号", "Traceability lot code"),
    "product": ("产品", "Product"),
    "product_id": ("产品编码（GTIN）", "Product identifier (GTIN)"),
    "quantity": ("数量", "Quantity"),
    "unit": ("单位", "Unit of measure"),
    "location": ("地点", "Location"),
    "location_id": ("地点编码", "Location identifier"),
    "date": ("日期", "Date"),
    "time": ("时间", "Time"),
    "source": ("来源", "Immediate previous source"),
    "destination": ("去向", "Immediate subsequent recipient"),
    "reference_document": ("单据", "Reference document"),
    "tlc_source": ("追溯批号来源", "Traceability lot code source"),
    "input_lots": ("所用原料批号", "Input traceability lot codes"),
}
CTE_NAMES = {
    "receiving": ("收货", "Receiving"),
    "transformation": ("加工", "Transformation"),
    "shipping": ("发货", "Shipping"),
}
_ORDER = {"receiving": 0, "transformation": 1, "shipping": 2}


@dataclass
class Row:
    cte: str
    traceability_lot_code: str
    product: str
    product_id: str
    quantity: float
    unit: str
    location: str
    location_id: str
    date: str
    time: str
    source: str
    destination: str
    reference_document: str
    tlc_source: str
    input_lots: str = ""
    at: datetime | None = None  # for ordering only


@dataclass
class Filter:
    product: str | None = None  # GTIN of a product, or a material code
    lot: str | None = None  # batch code, our lot code or the supplier's
    start: date | None = None  # the bakery's days, inclusive
    end: date | None = None

    def check(self) -> None:
        if not (self.product or self.lot or self.start or self.end):
            raise Invalid(
                "请指定产品、批号或日期范围",
                "give a product, a lot or a date range",
                field="lot",
            )
        if self.start and self.end and self.start > self.end:
            raise Invalid(
                "开始日期晚于结束日期",
                "the start date is after the end date",
                field="start",
            )


def rows(session: Session, tenant_id: uuid.UUID, f: Filter) -> list[Row]:
    f.check()
    tenant = tenants.get(session, tenant_id)
    zone = localtime.zone(tenant.timezone)
    lo = datetime.combine(f.start, time.min, zone) if f.start else None
    hi = datetime.combine(f.end + timedelta(days=1), time.min, zone) if f.end else None
    lot_ids, batch_ids = _chain(session, tenant_id, f.lot) if f.lot else (None, None)

    def local(when: datetime) -> tuple[str, str]:
        # the bakery's day, and its time with the offset: 16:30 +08:00
        day = localtime.day(when, zone).isoformat()
        return day, localtime.text(when, zone, "%H:%M")

    def within(when: datetime | None) -> bool:
        return (
            when is not None
            and (lo is None or when >= lo)
            and (hi is None or when < hi)
        )

    out: list[Row] = []
    # receiving: material lots
    stmt = (
        lots_repo.with_type_and_supplier(tenant_id)
        .add_columns(Location)
        .outerjoin(
            Location,
            (Location.tenant_id == MaterialLot.tenant_id)
            & (Location.id == MaterialLot.location_id),
        )
    )
    if lot_ids is not None:
        stmt = stmt.where(MaterialLot.id.in_(lot_ids))
    if f.product:
        stmt = stmt.where(
            or_(MaterialType.code == f.product, MaterialType.gtin == f.product)
        )
    for lot, mt, sup, loc in session.execute(stmt):
        if not within(lot.received_at):
            continue
        d, t = local(lot.received_at)
        out.append(
            Row(
                cte="receiving",
                traceability_lot_code=lot.code,
                product=mt.name_zh,
                product_id=mt.gtin or mt.code,
                quantity=lot.quantity,
                unit=lot.unit,
                location=loc.name if loc else tenant.name,
                location_id=(loc.gln or loc.code) if loc else tenant.slug,
                date=d,
                time=t,
                source=f"{sup.name} ({sup.code})",
                destination=tenant.name,
                reference_document=f"supplier lot {lot.supplier_lot}",
                tlc_source=f"{tenant.name}: {lot.code} ← {sup.code} {lot.supplier_lot}",
                at=lot.received_at,
            )
        )
    # transformation and shipping: batches
    bstmt = (
        select(Batch, Product, Location)
        .join(
            Product,
            (Product.tenant_id == Batch.tenant_id) & (Product.id == Batch.product_id),
        )
        .outerjoin(
            Location,
            (Location.tenant_id == Batch.tenant_id)
            & (Location.id == Batch.location_id),
        )
        .where(Batch.tenant_id == tenant_id, Batch.ended_at.is_not(None))
    )
    if batch_ids is not None:
        bstmt = bstmt.where(Batch.id.in_(batch_ids))
    if f.product:
        bstmt = bstmt.where(Product.gtin == f.product)
    made = session.execute(bstmt).all()
    inputs = _inputs(session, tenant_id, [b.id for b, _, _ in made])
    for batch, product, loc in made:
        assert batch.ended_at is not None
        if within(batch.ended_at):
            d, t = local(batch.ended_at)
            out.append(
                Row(
                    cte="transformation",
                    traceability_lot_code=batch.code,
                    product=product.name_zh,
                    product_id=product.gtin,
                    quantity=batch.produced_quantity or 0,
                    unit="pcs",
                    location=loc.name if loc else tenant.name,
                    location_id=(loc.gln or loc.code) if loc else tenant.slug,
                    date=d,
                    time=t,
                    source="",
                    destination="",
                    reference_document=f"batch record {batch.code}",
                    tlc_source=f"{tenant.name}: {loc.name if loc else ''}".strip(),
                    input_lots="; ".join(inputs.get(batch.id, [])),
                    at=batch.ended_at,
                )
            )
    by_id = {b.id: (b, p, loc) for b, p, loc in made}
    if by_id:
        dstmt = logistics.drops(tenant_id).where(Delivery.batch_id.in_(list(by_id)))
        for dl, trip, van, pos in session.execute(dstmt):
            batch, product, loc = by_id[dl.batch_id]
            common = {
                "traceability_lot_code": batch.code,
                "product": product.name_zh,
                "product_id": product.gtin,
                "unit": "pcs",
                "tlc_source": f"{tenant.name}: {loc.name if loc else ''}".strip(),
            }
            shipped = trip.departed_at or dl.delivered_at
            if within(shipped):
                d, t = local(shipped)
                out.append(
                    Row(
                        cte="shipping",
                        quantity=dl.quantity,
                        location=loc.name if loc else tenant.name,
                        location_id=(loc.gln or loc.code) if loc else tenant.slug,
                        date=d,
                        time=t,
                        source=tenant.name,
                        destination=f"{pos.name} ({pos.code})",
                        reference_document=f"trip {trip.code} ({van.code})",
                        at=shipped,
                        **common,
                    )
                )
            if dl.received and within(dl.delivered_at):
                d, t = local(dl.delivered_at)
                out.append(
                    Row(
                        cte="receiving",
                        quantity=dl.received,
                        location=pos.name,
                        location_id=pos.gln or pos.code,
                        date=d,
                        time=t,
                        source=f"{tenant.name} ({van.code})",
                        destination=pos.name,
                        reference_document=f"trip {trip.code}",
                        at=dl.delivered_at,
                        **common,
                    )
                )
    out.sort(
        key=lambda r: (r.at or datetime.min, _ORDER[r.cte], r.traceability_lot_code)
    )
    return out


def _chain(
    session: Session, tenant_id: uuid.UUID, text: str
) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
    """The lots and batches a traceability lot code reaches: a material lot
    (ours or the supplier's number) → the batches made with it; a batch → the
    lots it used."""
    code = text.strip()
    lots = [lot.id for lot in lots_repo.by_either_code(session, tenant_id, code)]
    batch = session.scalar(
        select(Batch.id).where(Batch.tenant_id == tenant_id, Batch.code == code)
    )
    if not lots and batch is None:
        from bakeprint.errors import NotFound

        raise NotFound(
            f"找不到批号 {code}（批次号、原料批号或供应商批号）",
            f"no lot {code} (a batch code, our lot code or the supplier's)",
            field="lot",
        )
    batches = [batch] if batch is not None else []
    if lots:
        used = production_repo.live_consumptions(
            session, tenant_id, Consumption.lot_id.in_(lots)
        )
        batches += sorted({c.batch_id for c in used} - set(batches))
    else:
        used = production_repo.live_consumptions(
            session, tenant_id, Consumption.batch_id == batch
        )
        lots = sorted({c.lot_id for c in used})
    return lots, batches


def _inputs(
    session: Session, tenant_id: uuid.UUID, batch_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[str]]:
    if not batch_ids:
        return {}
    used = production_repo.live_consumptions(
        session, tenant_id, Consumption.batch_id.in_(batch_ids)
    )
    codes = dict(
        session.execute(
            select(MaterialLot.id, MaterialLot.code).where(
                MaterialLot.tenant_id == tenant_id,
                MaterialLot.id.in_({c.lot_id for c in used}),
            )
        ).all()
    )
    out: dict[uuid.UUID, list[str]] = {}
    for c in sorted(used, key=lambda c: codes.get(c.lot_id, "")):
        out.setdefault(c.batch_id, []).append(
            f"{codes.get(c.lot_id, '?')} {c.quantity:g} {c.unit}"
        )
    return out


def _cells(r: Row, lang: str) -> list[Any]:
    d = asdict(r)
    d.pop("at")
    zh, en = CTE_NAMES[r.cte]
    d["cte"] = f"{en} / {zh}" if lang == "en" else f"{zh} / {en}"
    return [d[k] for k in COLUMNS]


def _header(lang: str) -> list[str]:
    return [en if lang == "en" else f"{zh} {en}" for zh, en in COLUMNS.values()]


def to_csv(found: list[Row], lang: str = "zh") -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(_header(lang))
    for r in found:
        w.writerow(_cells(r, lang))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(found: list[Row], lang: str = "zh", *, title: str = "") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "KDE"
    ws.append(_header(lang))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    table = [_cells(r, lang) for r in found]
    for cells in table:
        ws.append(cells)
    ws.freeze_panes = "A2"
    last = get_column_letter(len(COLUMNS))
    ws.auto_filter.ref = f"A1:{last}{max(1, len(found) + 1)}"
    for i, key in enumerate(COLUMNS, start=1):
        width = max([len(key)] + [len(str(cells[i - 1])) for cells in table[:200]])
        ws.column_dimensions[get_column_letter(i)].width = min(60, width + 4)
    if title:
        wb.properties.title = title
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
