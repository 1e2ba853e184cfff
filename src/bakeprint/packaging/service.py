"""Commission one unit per package, find a unit from what a phone scanned."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from bakeprint import keys, localtime
from bakeprint.catalog.models import Product
from bakeprint.db import utcnow
from bakeprint.errors import Conflict, Invalid, NotFound
from bakeprint.events import service as events
from bakeprint.identity import repository as tenants
from bakeprint.identity.models import Tenant
from bakeprint.identity.service import Actor
from bakeprint.interop import ids
from bakeprint.interop.digital_link import DigitalLink, parse_element_string, parse_uri
from bakeprint.packaging import serials
from bakeprint.packaging.models import Unit
from bakeprint.production import repository as batches
from bakeprint.production.models import Batch


def unit_link(product: Product, batch: Batch, unit: Unit) -> DigitalLink:
    from bakeprint.config import settings

    return DigitalLink(
        gtin=product.gtin,
        lot=batch.code,
        serial=unit.serial,
        expiry=batch.best_before,
        host=settings.resolver_host,
    )


def units_of(session: Session, batch: Batch) -> list[Unit]:
    return list(
        session.scalars(
            select(Unit)
            .where(Unit.tenant_id == batch.tenant_id, Unit.batch_id == batch.id)
            .order_by(Unit.number)
        )
    )


def commission_units(
    session: Session, *, tenant_id: uuid.UUID, batch_id: uuid.UUID, actor: Actor
) -> list[Unit]:
    """One unit per packed package, each with its own serial. Idempotent."""
    batch = session.get(Batch, (tenant_id, batch_id))
    if batch is None:
        raise NotFound("找不到批次", "batch not found")
    if batch.status not in ("packed",) or not batch.packed_quantity:
        raise Conflict(
            f"批次 {batch.code} 还没有包装，不能生成单件码",
            f"batch {batch.code} is not packed yet; units come with packing",
        )
    existing = units_of(session, batch)
    if existing:
        return existing
    product = session.get(Product, (tenant_id, batch.product_id))
    assert product is not None
    first = _edition_start(session, batch, product)
    rows: list[dict[str, Any]] = [
        {
            "tenant_id": tenant_id,
            "id": uuid.uuid4(),
            "batch_id": batch.id,
            "number": n,
            "serial": serials.new_serial(),
            "status": "in_stock",
            "status_at": batch.packed_at,
            "scan_count": 0,
            "created_at": batch.packed_at,
        }
        for n in range(1, batch.packed_quantity + 1)
    ]
    if first is not None:
        sign = keys.signer(session, tenant_id)
        for row in rows:
            number = first + row["number"] - 1
            row["edition_number"] = number
            row["certificate"] = sign(
                certificate_payload(session, product, batch.code, row["serial"], number)
            )
    session.execute(insert(Unit), rows)
    units = units_of(session, batch)
    events.append(
        session,
        tenant_id=tenant_id,
        kind="units_commissioned",
        subject=f"batch:{batch.code}",
        event_type="ObjectEvent",
        action="ADD",
        biz_step="commissioning",
        disposition="sellable_not_accessible",
        event_time=batch.packed_at or batch.started_at,
        actor=actor.ref,
        fields={
            "epcList": [ids.unit_uri(product.gtin, batch.code, u.serial) for u in units]
        },
        extension={"batch": batch.code, "units": len(units)},
    )
    return units


def _edition_start(session: Session, batch: Batch, product: Product) -> int | None:
    """The first edition number of this batch's units, for a limited product;
    refused when the edition would run over its size."""
    size = product.limited_edition_size
    if not size:
        return None
    done = session.scalar(
        select(func.max(Unit.edition_number))
        .join(Batch, (Batch.tenant_id == Unit.tenant_id) & (Batch.id == Unit.batch_id))
        .where(Unit.tenant_id == batch.tenant_id, Batch.product_id == product.id)
    )
    done = int(done or 0)
    count = batch.packed_quantity or 0
    if done + count > size:
        raise Conflict(
            f"{product.name_zh} 限量 {size} 份，已编号 {done} 份，"
            f"不能再包装 {count} 份",
            f"{product.name_en or product.name_zh} is limited to {size}; {done} are "
            f"numbered, {count} more cannot be packed",
            field="quantity",
        )
    return done + 1


def certificate_payload(
    session: Session, product: Product, batch_code: str, serial: str, number: int
) -> dict[str, Any]:
    """What a limited-edition certificate states (and its signature covers)."""

    tenant = tenants.get(session, product.tenant_id)
    return {
        "type": "bakeprint.limited-edition-certificate",
        "bakery": tenant.slug,
        "gtin": product.gtin,
        "batch": batch_code,
        "serial": serial,
        "edition": number,
        "of": product.limited_edition_size,
    }


def certificate_of(session: Session, found: Found) -> dict[str, Any] | None:
    """A unit's certificate as the scan page shows it, with its signature
    checked against the bakery's key now."""
    unit = found.unit
    if unit is None or unit.edition_number is None:
        return None
    key = keys.key_row(session, found.batch.tenant_id, create=False)
    payload = certificate_payload(
        session, found.product, found.batch.code, unit.serial, unit.edition_number
    )
    valid = bool(
        key
        and unit.certificate
        and keys.verify(keys.public_b64(key), payload, unit.certificate)
    )
    return {
        **payload,
        "valid": valid,
        "key_id": key.key_id if key else None,
        "public_key": keys.public_b64(key) if key else None,
        "signature": unit.certificate,
        "claimed_at": localtime.iso(unit.claimed_at) if unit.claimed_at else None,
        "first_scanned_at": localtime.iso(unit.first_scanned_at)
        if unit.first_scanned_at
        else None,
        "scans": unit.scan_count,
    }


def count_scan(session: Session, unit: Unit) -> tuple[int, datetime]:
    """One atomic increment of a unit's scan count (two phones scanning at once
    both count); returns the new count and the first scan's time."""
    row = session.execute(
        update(Unit)
        .where(Unit.tenant_id == unit.tenant_id, Unit.id == unit.id)
        .values(
            scan_count=Unit.scan_count + 1,
            first_scanned_at=func.coalesce(Unit.first_scanned_at, utcnow()),
        )
        .returning(Unit.scan_count, Unit.first_scanned_at)
    ).one()
    assert row[1] is not None  # just set by this statement
    return int(row[0]), row[1]


def claim(session: Session, serial: str) -> Unit:
    """A buyer claims a limited-edition unit: once."""
    found = lookup(session, serial, tenant_id=None)
    unit = found.unit
    if unit is None or unit.edition_number is None:
        raise Invalid(
            "只有限量款的单件可以认领证书",
            "only a limited-edition unit has a certificate",
        )
    row = session.scalar(
        select(Unit)
        .where(Unit.tenant_id == unit.tenant_id, Unit.id == unit.id)
        .with_for_update()
    )
    assert row is not None
    if row.claimed_at is not None:
        tenant = session.get(Tenant, row.tenant_id)
        when = localtime.text(row.claimed_at, tenant.timezone if tenant else None)
        raise Conflict(
            f"这份证书已于 {when} 被认领",
            f"this certificate was already claimed on {when}",
        )
    row.claimed_at = utcnow()
    session.flush()
    return row


@dataclass
class Found:
    batch: Batch
    product: Product
    unit: Unit | None


def _by_serial(
    session: Session, serial: str, tenant_id: uuid.UUID | None = None
) -> list[Unit]:
    stmt = select(Unit).where(Unit.serial == serial)
    if tenant_id is not None:
        stmt = stmt.where(Unit.tenant_id == tenant_id)
    return list(session.scalars(stmt.limit(2)))


def resolve(
    session: Session,
    gtin: str,
    batch_code: str | None,
    serial: str,
    *,
    tenant_id: uuid.UUID | None = None,
) -> Found:
    """The unit behind a GS1 Digital Link (the lot may be left out: the serial
    is unique with the GTIN), or a 404 that reveals nothing else."""
    link = DigitalLink(gtin=gtin, lot=batch_code, serial=serials.normalize(serial))
    nothing = NotFound(
        "找不到这件产品：请核对二维码或编号",
        "no such package: check the QR code or the number",
    )
    for unit in _by_serial(session, link.serial or "", tenant_id):
        batch = session.get(Batch, (unit.tenant_id, unit.batch_id))
        product = (
            session.get(Product, (unit.tenant_id, batch.product_id)) if batch else None
        )
        if (
            batch
            and product
            and link.lot in (None, batch.code)
            and product.gtin == link.gtin
        ):
            return Found(batch, product, unit)
    raise nothing


def lookup(session: Session, text: str, *, tenant_id: uuid.UUID | None) -> Found:
    """A full URI, an element string, a serial, or (signed in) a batch code."""
    raw = text.strip()
    if not raw:
        raise Invalid("请输入或扫描一个编码", "type or scan a code", field="code")
    if "/01/" in raw or raw.startswith(("http://", "https://")):
        link = parse_uri(raw)
    elif raw.startswith(("(01)", "]")) or (
        raw.startswith("01") and raw[2:16].isdigit() and len(raw) >= 16
    ):
        link = parse_element_string(raw)
    else:
        link = None
    if link is not None:
        if link.serial:
            return resolve(
                session, link.gtin, link.lot, link.serial, tenant_id=tenant_id
            )
        if link.lot and tenant_id is not None:
            return _batch(session, tenant_id, link.lot)
        raise Invalid(
            "这个码只有 GTIN，没有批号或序列号",
            "this code holds only a GTIN, no batch or serial",
            field="code",
        )
    serial = serials.normalize(raw)
    if serials.is_valid(serial):
        units = _by_serial(session, serial, tenant_id)
        if len(units) == 1:
            unit = units[0]
            batch = session.get(Batch, (unit.tenant_id, unit.batch_id))
            assert batch is not None
            product = session.get(Product, (unit.tenant_id, batch.product_id))
            assert product is not None
            return Found(batch, product, unit)
        raise NotFound(f"找不到编号 {serial}", f"no package numbered {serial}")
    if tenant_id is not None:
        return _batch(session, tenant_id, raw)
    if len(serial) == serials.BODY + 1 and all(c in serials.ALPHABET for c in serial):
        raise Invalid(
            f"编号 {serial} 的校验位不对，请核对是否输错",
            f"{serial} fails its check character: check for a typo",
            field="code",
        )
    raise NotFound(f"找不到编号 {raw}", f"no package numbered {raw}")


def _batch(session: Session, tenant_id: uuid.UUID, code: str) -> Found:
    batch = batches.get(session, tenant_id, code)
    product = session.get(Product, (tenant_id, batch.product_id))
    assert product is not None
    return Found(batch, product, None)
