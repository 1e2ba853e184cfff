"""The sortable spreadsheet a regulator asks for within 24 hours (FSMA 204,
21 CFR 1.1340/1.1345/1.1350; R6.1): one row per critical tracking event with
its key data elements, in the order of FDA's sortable spreadsheet template.

Critical tracking events in a bakery:
- receiving   — a material lot arrives from a supplier: its traceability lot
                code is the one the supplier assigned, its source the supplier;
                our intake record (the lot code we gave it) is the reference
                document;
- transformation — a batch is made: a new traceability lot code (the batch
                code), one row per lot it used with that lot's code and
                product description;
- shipping    — the batch leaves the kitchen on a trip, per destination shop;
- receiving   — a shop receives the batch.

Locations are described by name, then whatever address and phone is recorded
(shops' addresses, suppliers' region and contact). Times carry the bakery's
UTC offset; the English export uses the catalogue's English names. Rows are
read from the domain records (not re-derived from prose), in time order; the
CSV opens in Excel with Chinese text intact (UTF-8 with BOM), the XLSX has a
frozen, filterable header.
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
from bakeprint.identity.models import Tenant
from bakeprint.logistics import service as logistics
from bakeprint.logistics.models import Delivery
from bakeprint.materials import repository as lots_repo
from bakeprint.materials.models import MaterialLot
from bakeprint.production import repository as production_repo
from bakeprint.production.models import Batch, Consumption

# Columns in the order of the key data elements of 21 CFR 1.1345 (receiving),
# 1.1350 (transformation) and 1.1340 (shipping), as FDA's sortable spreadsheet
# template lays them out: the event, the lot, what and how much, where, when,
# from whom / to whom, the lot code's source, the reference document, then
# the lots a transformation used (one row per input lot).
COLUMNS = {
    "cte": ("关键追溯事件", "Critical tracking event (CTE)"),
    "traceability_lot_code": ("追溯批号", "Traceability lot code (TLC)"),
    "product_description": ("产品描述", "Product description"),
    "quantity": ("数量", "Quantity"),
    "unit": ("单位", "Unit of measure"),
    "location": ("事件地点（名称、地址、电话）", "Location description"),
    "date": ("日期", "Date"),
    "time": ("时间（含时区）", "Time (with UTC offset)"),
    "previous_source": ("直接上一来源", "Immediate previous source location"),
    "subsequent_recipient": (
        "直接下一接收方",
        "Immediate subsequent recipient location",
    ),
    "tlc_source": ("追溯批号来源", "Traceability lot code source location"),
    "reference_document_type": ("单据类型", "Reference document type"),
    "reference_document_number": ("单据编号", "Reference document number"),
    "input_traceability_lot_code": ("所用原料追溯批号", "Input traceability lot code"),
    "input_product_description": ("所用原料描述", "Input product description"),
    "input_quantity": ("所用原料数量", "Input quantity"),
    "input_unit": ("所用原料单位", "Input unit of measure"),
    "product_id": ("产品编码（GTIN）", "Product identifier (GTIN)"),
}
CTE_NAMES = {
    "receiving": ("收货", "Receiving"),
    "transformation": ("加工", "Transformation"),
    "shipping": ("发货", "Shipping"),
}
DOCUMENTS = {
    "intake": ("收货记录", "Receiving record"),
    "batch": ("生产批记录", "Batch production record"),
    "trip": ("配送单", "Delivery trip sheet"),
}
_ORDER = {"receiving": 0, "transformation": 1, "shipping": 2}


@dataclass
class Row:
    cte: str
    traceability_lot_code: str
    product_description: str
    quantity: float
    unit: str
    location: str
    date: str
    time: str
    previous_source: str
    subsequent_recipient: str
    tlc_source: str
    reference_document_type: str  # a DOCUMENTS key
    reference_document_number: str
    input_traceability_lot_code: str = ""
    input_product_description: str = ""
    input_quantity: float | None = None
    input_unit: str = ""
    product_id: str = ""
    # English names, where the catalogue has them (the English export)
    product_description_en: str = ""
    input_product_description_en: str = ""
    at: datetime | None = None  # for ordering only


@dataclass
class Input:
    """A lot a batch used: its supplier-assigned code and what it is."""

    tlc: str
    name_zh: str
    name_en: str
    quantity: float
    unit: str


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


def describe(name: str, *details: str | None) -> str:
    """A location description (21 CFR 1.1310): the business and place name,
    then what is recorded of its address and phone, comma-separated."""
    return ", ".join(x.strip() for x in (name, *details) if x and x.strip())


@dataclass
class _Scope:
    """What one export reads: the bakery, its zone and the filter's window."""

    tenant: Tenant
    zone: Any
    f: Filter
    lo: datetime | None
    hi: datetime | None
    lot_ids: list[uuid.UUID] | None
    batch_ids: list[uuid.UUID] | None

    def within(self, when: datetime | None) -> bool:
        return (
            when is not None
            and (self.lo is None or when >= self.lo)
            and (self.hi is None or when < self.hi)
        )

    def local(self, when: datetime) -> tuple[str, str]:
        # the bakery's day, and its time with the offset: 16:30 +08:00
        day = localtime.day(when, self.zone).isoformat()
        return day, localtime.text(when, self.zone, "%H:%M")

    def place(self, loc: Location | None) -> str:
        """One of the bakery's own places: the bakery, then the room."""
        return describe(self.tenant.name, loc.name if loc else None)


def rows(session: Session, tenant_id: uuid.UUID, f: Filter) -> list[Row]:
    f.check()
    tenant = tenants.get(session, tenant_id)
    zone = localtime.zone(tenant.timezone)
    lot_ids, batch_ids = _chain(session, tenant_id, f.lot) if f.lot else (None, None)
    scope = _Scope(
        tenant=tenant,
        zone=zone,
        f=f,
        lo=datetime.combine(f.start, time.min, zone) if f.start else None,
        hi=(
            datetime.combine(f.end + timedelta(days=1), time.min, zone)
            if f.end
            else None
        ),
        lot_ids=lot_ids,
        batch_ids=batch_ids,
    )
    out = _receiving(session, scope)
    made = _batches(session, scope)
    out += _transformation(session, scope, made)
    out += _shipping(session, scope, made)
    out.sort(
        key=lambda r: (r.at or datetime.min, _ORDER[r.cte], r.traceability_lot_code)
    )
    return out


def _receiving(session: Session, scope: _Scope) -> list[Row]:
    """Material lots received from suppliers (21 CFR 1.1345): the lot code is
    the one the supplier assigned, and its source is the supplier."""
    tenant_id, f = scope.tenant.id, scope.f
    stmt = (
        lots_repo.with_type_and_supplier(tenant_id)
        .add_columns(Location)
        .outerjoin(
            Location,
            (Location.tenant_id == MaterialLot.tenant_id)
            & (Location.id == MaterialLot.location_id),
        )
    )
    if scope.lot_ids is not None:
        stmt = stmt.where(MaterialLot.id.in_(scope.lot_ids))
    if f.product:
        stmt = stmt.where(
            or_(MaterialType.code == f.product, MaterialType.gtin == f.product)
        )
    out: list[Row] = []
    for lot, mt, sup, loc in session.execute(stmt):
        if not scope.within(lot.received_at):
            continue
        d, t = scope.local(lot.received_at)
        supplier = describe(f"{sup.name} ({sup.code})", sup.region, sup.contact)
        out.append(
            Row(
                cte="receiving",
                traceability_lot_code=lot.supplier_lot,
                product_description=mt.name_zh,
                product_description_en=mt.name_en,
                product_id=mt.gtin or mt.code,
                quantity=lot.quantity,
                unit=lot.unit,
                location=scope.place(loc),
                date=d,
                time=t,
                previous_source=supplier,
                subsequent_recipient="",
                tlc_source=supplier,
                reference_document_type="intake",
                reference_document_number=lot.code,
                at=lot.received_at,
            )
        )
    return out


_Made = list[tuple[Batch, Product, Location | None]]


def _batches(session: Session, scope: _Scope) -> _Made:
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
        .where(Batch.tenant_id == scope.tenant.id, Batch.ended_at.is_not(None))
    )
    if scope.batch_ids is not None:
        bstmt = bstmt.where(Batch.id.in_(scope.batch_ids))
    if scope.f.product:
        bstmt = bstmt.where(Product.gtin == scope.f.product)
    return [(b, p, loc) for b, p, loc in session.execute(bstmt).all()]


def _transformation(session: Session, scope: _Scope, made: _Made) -> list[Row]:
    """Batches made (21 CFR 1.1350): the batch code is the new lot code, one
    row per lot it used, with that lot's code and description."""
    inputs = _inputs(session, scope.tenant.id, [b.id for b, _, _ in made])
    out: list[Row] = []
    for batch, product, loc in made:
        assert batch.ended_at is not None
        if not scope.within(batch.ended_at):
            continue
        d, t = scope.local(batch.ended_at)
        here = scope.place(loc)
        each: list[Input | None] = [*inputs.get(batch.id, [])] or [None]
        for used in each:
            out.append(
                Row(
                    cte="transformation",
                    traceability_lot_code=batch.code,
                    product_description=product.name_zh,
                    product_description_en=product.name_en,
                    product_id=product.gtin,
                    quantity=batch.produced_quantity or 0,
                    unit="pcs",
                    location=here,
                    date=d,
                    time=t,
                    previous_source="",
                    subsequent_recipient="",
                    tlc_source=here,
                    reference_document_type="batch",
                    reference_document_number=batch.code,
                    input_traceability_lot_code=used.tlc if used else "",
                    input_product_description=used.name_zh if used else "",
                    input_product_description_en=used.name_en if used else "",
                    input_quantity=used.quantity if used else None,
                    input_unit=used.unit if used else "",
                    at=batch.ended_at,
                )
            )
    return out


def _shipping(session: Session, scope: _Scope, made: _Made) -> list[Row]:
    """Batches leaving the kitchen (21 CFR 1.1340) and each shop receiving
    them (1.1345), per delivery."""
    by_id = {b.id: (b, p, loc) for b, p, loc in made}
    if not by_id:
        return []
    out: list[Row] = []
    dstmt = logistics.drops(scope.tenant.id).where(Delivery.batch_id.in_(list(by_id)))
    for dl, trip, van, pos in session.execute(dstmt):
        batch, product, loc = by_id[dl.batch_id]
        kitchen = scope.place(loc)
        shop = describe(f"{pos.name} ({pos.code})", pos.address)
        common: dict[str, Any] = {
            "traceability_lot_code": batch.code,
            "product_description": product.name_zh,
            "product_description_en": product.name_en,
            "product_id": product.gtin,
            "unit": "pcs",
            "tlc_source": kitchen,
            "reference_document_type": "trip",
            "reference_document_number": f"{trip.code} ({van.code})",
        }
        shipped = trip.departed_at or dl.delivered_at
        if scope.within(shipped):
            d, t = scope.local(shipped)
            out.append(
                Row(
                    cte="shipping",
                    quantity=dl.quantity,
                    location=kitchen,
                    date=d,
                    time=t,
                    previous_source="",
                    subsequent_recipient=shop,
                    at=shipped,
                    **common,
                )
            )
        if dl.received and scope.within(dl.delivered_at):
            d, t = scope.local(dl.delivered_at)
            out.append(
                Row(
                    cte="receiving",
                    quantity=dl.received,
                    location=shop,
                    date=d,
                    time=t,
                    previous_source=kitchen,
                    subsequent_recipient="",
                    at=dl.delivered_at,
                    **common,
                )
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
) -> dict[uuid.UUID, list[Input]]:
    """Per batch, the lots it used (a use corrected to zero does not count),
    by the code their supplier assigned."""
    if not batch_ids:
        return {}
    used = production_repo.live_consumptions(
        session, tenant_id, Consumption.batch_id.in_(batch_ids)
    )
    lots = {
        lot.id: (lot, mt)
        for lot, mt, _ in session.execute(
            lots_repo.with_type_and_supplier(tenant_id).where(
                MaterialLot.id.in_({c.lot_id for c in used})
            )
        )
    }
    out: dict[uuid.UUID, list[Input]] = {}
    for c in sorted(used, key=lambda c: lots[c.lot_id][0].supplier_lot):
        lot, mt = lots[c.lot_id]
        out.setdefault(c.batch_id, []).append(
            Input(lot.supplier_lot, mt.name_zh, mt.name_en, c.quantity, c.unit)
        )
    return out


def _cells(r: Row, lang: str) -> list[Any]:
    d = asdict(r)
    zh, en = CTE_NAMES[r.cte]
    d["cte"] = en if lang == "en" else zh
    doc_zh, doc_en = DOCUMENTS[r.reference_document_type]
    d["reference_document_type"] = doc_en if lang == "en" else doc_zh
    if lang == "en":  # English names where the catalogue has them
        d["product_description"] = r.product_description_en or r.product_description
        d["input_product_description"] = (
            r.input_product_description_en or r.input_product_description
        )
    return ["" if d[k] is None else d[k] for k in COLUMNS]


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
