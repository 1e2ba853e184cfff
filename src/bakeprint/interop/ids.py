"""Identifiers used in events and on packages: GS1 Digital Link URIs.

Batches are EPC classes (GTIN + lot); units are GTIN + serial (+ lot); bakeprint's
own things without a GS1 key get a tenant-scoped URN.
"""

from __future__ import annotations

from urllib.parse import quote

from bakeprint.config import settings


def _base(host: str | None) -> str:
    return f"https://{host or settings.resolver_host}"


def batch_class(gtin: str, batch_code: str, *, host: str | None = None) -> str:
    return f"{_base(host)}/01/{gtin}/10/{quote(batch_code, safe='')}"


def unit_uri(
    gtin: str, batch_code: str, serial: str, *, host: str | None = None
) -> str:
    return (
        f"{_base(host)}/01/{gtin}/10/{quote(batch_code, safe='')}"
        f"/21/{quote(serial, safe='')}"
    )


def lot_class(
    tenant_slug: str,
    lot_code: str,
    *,
    gtin: str | None = None,
    supplier_lot: str | None = None,
    host: str | None = None,
) -> str:
    """A material lot: GS1 class when the material has a GTIN, else a URN."""
    if gtin and supplier_lot:
        return f"{_base(host)}/01/{gtin}/10/{quote(supplier_lot, safe='')}"
    return f"urn:bakeprint:{tenant_slug}:lot:{quote(lot_code, safe='')}"


def location_urn(tenant_slug: str, kind: str, code: str) -> str:
    """A place: kitchen zone, cold room, vehicle, point of sale."""
    return f"urn:bakeprint:{tenant_slug}:{kind}:{quote(code, safe='')}"
