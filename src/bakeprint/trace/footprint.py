"""A batch's carbon footprint estimate (R4.2), and per unit for the scan page.

    materials  Σ quantity used (kg) × the material's factor (kg CO2e / kg):
               the bakery's own figure, else the cited default table
               (``data/emission_factors.csv``); a material with neither is
               listed as not counted rather than guessed.
    baking     Σ bake minutes × the oven's power (kW; 10 kW when not set) ×
               the grid factor (China national grid average).
    transport  per drop-off: the shop's distance (km, one way) × the van's
               factor (kg CO2e / km) × this batch's share of the units
               dropped at that shop on that trip.

Every figure says where it came from; the estimate is an estimate.
"""

from __future__ import annotations

import csv
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bakeprint.catalog.models import Equipment, MaterialType
from bakeprint.errors import Invalid
from bakeprint.logistics.models import Delivery
from bakeprint.materials.models import MaterialLot
from bakeprint.production import repository as batches
from bakeprint.production.models import BakeRecord, Batch, Consumption

TABLE = Path(__file__).resolve().parent.parent / "data" / "emission_factors.csv"
GRID_KG_PER_KWH = 0.5703
GRID_SOURCE = (
    "China national grid average emission factor 2022, 0.5703 t CO2/MWh "
    "(Ministry of Ecology and Environment, 2024)"
)
DEFAULT_OVEN_KW = 10.0
TO_KG = {"kg": 1.0, "g": 0.001, "L": 1.0, "mL": 0.001}  # liquids at ~1 kg/L


@dataclass
class Factor:
    key: str
    name_zh: str
    name_en: str
    kg_co2e_per_kg: float
    source: str


@lru_cache(maxsize=1)
def default_factors() -> dict[str, Factor]:
    with TABLE.open(encoding="utf-8") as f:
        return {
            r["key"]: Factor(
                r["key"],
                r["name_zh"],
                r["name_en"],
                float(r["kg_co2e_per_kg"]),
                r["source"],
            )
            for r in csv.DictReader(f)
        }


def check_key(key: str | None) -> str | None:
    if key is None or key == "":
        return None
    if key not in default_factors():
        raise Invalid(
            f"排放因子表里没有 {key}（可用：{', '.join(default_factors())}）",
            f"no {key} in the emission factor table "
            f"(one of {', '.join(default_factors())})",
            field="footprint_key",
        )
    return key


@dataclass
class Footprint:
    batch: str
    units: int
    materials_kg: float = 0.0
    baking_kg: float = 0.0
    transport_kg: float = 0.0
    lines: list[dict[str, Any]] = field(default_factory=list)
    not_counted: list[str] = field(default_factory=list)

    @property
    def total_kg(self) -> float:
        return self.materials_kg + self.baking_kg + self.transport_kg

    @property
    def per_unit_g(self) -> float | None:
        return round(self.total_kg * 1000 / self.units, 1) if self.units else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "batch": self.batch,
            "units": self.units,
            "total_kg_co2e": round(self.total_kg, 3),
            "per_unit_g_co2e": self.per_unit_g,
            "materials_kg_co2e": round(self.materials_kg, 3),
            "baking_kg_co2e": round(self.baking_kg, 3),
            "transport_kg_co2e": round(self.transport_kg, 3),
            "lines": self.lines,
            "not_counted": self.not_counted,
            "method": __doc__.strip().split("\n\n")[1] if __doc__ else "",
            "grid": GRID_SOURCE,
        }


def for_batch(session: Session, batch: Batch) -> Footprint:
    t = batch.tenant_id
    fp = Footprint(batch.code, batch.packed_quantity or batch.produced_quantity or 0)
    table = default_factors()
    used = batches.live_consumptions(session, t, Consumption.batch_id == batch.id)
    lots = {
        lot.id: (lot, mt)
        for lot, mt in session.execute(
            select(MaterialLot, MaterialType)
            .join(
                MaterialType,
                (MaterialType.tenant_id == MaterialLot.tenant_id)
                & (MaterialType.id == MaterialLot.material_type_id),
            )
            .where(
                MaterialLot.tenant_id == t,
                MaterialLot.id.in_({c.lot_id for c in used}),
            )
        )
    }
    for c in used:
        lot, mt = lots[c.lot_id]
        factor, source = _factor(mt, table)
        kg = c.quantity * TO_KG.get(c.unit, 0.0) if c.unit in TO_KG else None
        if factor is None or kg is None:
            why = "no emission factor" if factor is None else f"unit {c.unit}"
            fp.not_counted.append(f"{mt.name_zh} ({mt.code}): {why}")
            continue
        kg_co2e = kg * factor
        fp.materials_kg += kg_co2e
        fp.lines.append(
            {
                "part": "material",
                "what": f"{mt.name_zh} {lot.code}",
                "quantity": f"{kg:g} kg",
                "factor": f"{factor:g} kg CO2e/kg",
                "kg_co2e": round(kg_co2e, 4),
                "source": source,
            }
        )
    _baking(session, batch, fp)
    _transport(session, batch, fp)
    return fp


def _factor(mt: MaterialType, table: dict[str, Factor]) -> tuple[float | None, str]:
    if mt.emission_factor is not None:
        return mt.emission_factor, "the bakery's own figure"
    if mt.footprint_key and mt.footprint_key in table:
        row = table[mt.footprint_key]
        return row.kg_co2e_per_kg, f"{row.name_en}: {row.source}"
    return None, ""


def _baking(session: Session, batch: Batch, fp: Footprint) -> None:
    t = batch.tenant_id
    bakes = list(
        session.scalars(
            select(BakeRecord).where(
                BakeRecord.tenant_id == t,
                BakeRecord.batch_id == batch.id,
                batches.in_force(BakeRecord),
            )
        )
    )
    for bake in bakes:
        oven = (
            session.get(Equipment, (t, bake.equipment_id))
            if bake.equipment_id
            else None
        )
        kw = oven.power_kw if oven and oven.power_kw is not None else DEFAULT_OVEN_KW
        kwh = bake.actual_minutes / 60 * kw
        kg_co2e = kwh * GRID_KG_PER_KWH
        fp.baking_kg += kg_co2e
        fp.lines.append(
            {
                "part": "baking",
                "what": oven.name if oven else "oven",
                "quantity": f"{bake.actual_minutes:g} min × {kw:g} kW = {kwh:.2f} kWh",
                "factor": f"{GRID_KG_PER_KWH} kg CO2e/kWh",
                "kg_co2e": round(kg_co2e, 4),
                "source": GRID_SOURCE
                + ("" if oven and oven.power_kw else f"; oven power assumed {kw:g} kW"),
            }
        )


def _transport(session: Session, batch: Batch, fp: Footprint) -> None:
    t = batch.tenant_id
    from bakeprint.logistics import service as logistics

    mine = session.execute(
        logistics.drops(t).where(Delivery.batch_id == batch.id)
    ).all()
    # every batch's pieces dropped at each shop on these trips, in one query
    dropped = {
        (trip_id, pos_id): int(n or 0)
        for trip_id, pos_id, n in session.execute(
            select(
                Delivery.trip_id, Delivery.point_of_sale_id, func.sum(Delivery.quantity)
            )
            .where(
                Delivery.tenant_id == t,
                Delivery.trip_id.in_({trip.id for _, trip, _, _ in mine}),
            )
            .group_by(Delivery.trip_id, Delivery.point_of_sale_id)
        )
    }
    for dl, trip, van, pos in mine:
        if pos.distance_km is None:
            fp.not_counted.append(f"{pos.name}: distance not set")
            continue
        share = dl.quantity / (dropped.get((trip.id, pos.id)) or dl.quantity)
        kg_co2e = pos.distance_km * van.emission_kg_per_km * share
        fp.transport_kg += kg_co2e
        fp.lines.append(
            {
                "part": "transport",
                "what": f"{van.code} → {pos.name}",
                "quantity": f"{pos.distance_km:g} km × {share:.0%} of the drop",
                "factor": f"{van.emission_kg_per_km:g} kg CO2e/km",
                "kg_co2e": round(kg_co2e, 4),
                "source": "the van's factor and the shop's distance (master data)",
            }
        )


def for_code(session: Session, tenant_id: uuid.UUID, code: str) -> Footprint:

    return for_batch(session, batches.get(session, tenant_id, code))
