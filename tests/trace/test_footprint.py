"""Carbon footprint (R4.2): per batch from the materials used × their factors
(the bakery's own figure, else the cited default table), baking energy and
delivery, each line with its source; what lacks data is not guessed but
listed; per piece on the public scan page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bakeprint.catalog.models import Equipment, PointOfSale, Vehicle
from bakeprint.packaging.models import Unit
from bakeprint.production import service as production
from bakeprint.production.schemas import BakeCreate, BatchCreate
from bakeprint.trace import footprint
from tests.trace.test_scope import AM, chain  # noqa: F401


def _set(client, bakery, path, **values):  # type: ignore[no-untyped-def]
    r = client.patch(f"/api/v1/catalog/{path}", json=values, headers=bakery.headers)
    assert r.status_code == 200, r.text
    return r.json()


def test_a_batch_footprint_line_by_line(client, session, bakery, chain):  # noqa: F811
    t = bakery.tenant.id
    _set(client, bakery, "material-types/SAKURA", footprint_key="other_fruit")
    _set(client, bakery, "material-types/FLOUR", emission_factor=2.0)
    session.scalar(
        select(PointOfSale).where(
            PointOfSale.code == "CITY-LIB", PointOfSale.tenant_id == t
        )
    ).distance_km = 10
    session.scalar(
        select(Vehicle).where(Vehicle.code == "VAN-1", Vehicle.tenant_id == t)
    ).emission_kg_per_km = 0.3
    session.commit()
    b1 = chain["b"][1]  # 0.5 kg SAK-1 + 0.5 kg FL-1, 20 to CITY-LIB on VAN-1
    r = client.get(
        f"/api/v1/batches/{b1.code}/footprint", headers=bakery.auth("auditor")
    )
    assert r.status_code == 200, r.text
    fp = r.json()
    assert fp["materials_kg_co2e"] == pytest.approx(0.5 * 1.05 + 0.5 * 2.0)
    assert fp["transport_kg_co2e"] == pytest.approx(10 * 0.3)
    assert fp["baking_kg_co2e"] == 0
    assert fp["per_unit_g_co2e"] == pytest.approx((1.525 + 3.0) * 1000 / 40, abs=0.1)
    sources = {x["what"].split()[0]: x["source"] for x in fp["lines"]}
    assert "Poore & Nemecek (2018)" in sources["樱花蜜饯"]
    assert sources["低筋面粉"] == "the bakery's own figure"
    # b2 went to the museum, whose distance is not set: not counted, not guessed
    b2 = client.get(
        f"/api/v1/batches/{chain['b'][2].code}/footprint", headers=bakery.headers
    ).json()
    assert b2["transport_kg_co2e"] == 0 and any(
        "博物馆" in x for x in b2["not_counted"]
    )

    bad = client.patch(
        "/api/v1/catalog/material-types/SAKURA",
        json={"footprint_key": "unicorn"},
        headers=bakery.headers,
    )
    assert bad.status_code == 422 and "wheat_rye" in bad.text
    neg = client.patch(
        "/api/v1/catalog/material-types/SAKURA",
        json={"emission_factor": -1},
        headers=bakery.headers,
    )
    assert neg.status_code == 422
    table = client.get("/api/v1/emission-factors", headers=bakery.headers).json()
    assert {k: v for k, v in table[0].items() if k in ("key", "kg_co2e_per_kg")} == {
        "key": "wheat_rye",
        "kg_co2e_per_kg": 1.57,
    }

    unit = session.scalar(select(Unit).where(Unit.batch_id == b1.id).limit(1))
    page = client.get(f"/u/{unit.serial}")
    assert 'id="footprint"' in page.text and "g CO₂e" in page.text
    assert client.get(f"/u/{unit.serial}?format=json").json()["footprint"][
        "per_unit_g"
    ] == pytest.approx(113.1, abs=0.1)


def test_baking_energy_uses_the_ovens_power(client, session, bakery, chain):  # noqa: F811
    _set(client, bakery, "equipment/OVEN-3", power_kw=12)
    b = production.start_batch(
        session,
        BatchCreate(
            product_gtin=_gtin(session, chain),
            planned_quantity=10,
            operators=["WANG-03"],
            equipment=["OVEN-3"],
            location="HALL-1",
            started_at=AM + timedelta(days=3),
        ),
        actor=bakery.actor,
    )
    production.record_bake(
        session,
        b.code,
        BakeCreate(
            actual_temp_c=185,
            actual_minutes=18,
            equipment="OVEN-3",
            recorded_at=AM + timedelta(days=3, minutes=30),
        ),
        actor=bakery.actor,
    )
    fp = footprint.for_batch(session, b)
    assert fp.baking_kg == pytest.approx(18 / 60 * 12 * footprint.GRID_KG_PER_KWH)
    oven = session.scalar(
        select(Equipment).where(
            Equipment.code == "OVEN-3", Equipment.tenant_id == bakery.tenant.id
        )
    )
    oven.power_kw = None
    session.flush()
    again = footprint.for_batch(session, b)
    assert again.baking_kg == pytest.approx(18 / 60 * 10 * footprint.GRID_KG_PER_KWH)
    assert "assumed 10 kW" in again.lines[-1]["source"]


def _gtin(session, built):  # type: ignore[no-untyped-def]
    from bakeprint.catalog.models import Product

    b = built["b"][1]
    return session.get(Product, (b.tenant_id, b.product_id)).gtin
