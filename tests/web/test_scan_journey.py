"""The scan page's supply-chain map (R4.1): origin (each ingredient's
region) → kitchen → van → shop, with times, drawn as SVG — places, never
people."""

from __future__ import annotations

from sqlalchemy import select

from bakeprint.catalog.models import Supplier
from bakeprint.packaging.models import Unit
from tests.trace.test_scope import chain  # noqa: F401


def test_the_journey_of_a_piece(client, session, bakery, chain):  # noqa: F811
    for s in session.scalars(
        select(Supplier).where(Supplier.tenant_id == bakery.tenant.id)
    ):
        s.region = {"A": "河北", "B": "云南"}.get(s.code, "")
    session.commit()
    b1 = chain["b"][1]  # SAK-1 (supplier B) and FL-1 (supplier A), VAN-1 to CITY-LIB
    unit, other = session.scalars(
        select(Unit).where(Unit.batch_id == b1.id).order_by(Unit.number).limit(2)
    )
    # the till scans this piece: its own way is known, van and shop
    r = client.post(
        "/api/v1/pos/CITY-LIB/sales",
        json={"unit": unit.serial},
        headers=bakery.auth("store"),
    )
    assert r.status_code == 201, r.text
    data = client.get(f"/u/{unit.serial}?format=json").json()
    stages = [s["stage"] for s in data["journey"]]
    assert stages == ["origin", "origin", "kitchen", "van", "shop"]
    labels = [s["label"] for s in data["journey"]]
    assert "樱花蜜饯 · 云南" in labels and "低筋面粉 · 河北" in labels
    assert all(s["when"] for s in data["journey"])
    page = client.get(f"/u/{unit.serial}").text
    svg = page[
        page.index('<svg class="journey"') : page.index(
            "</svg>", page.index('<svg class="journey"')
        )
    ]
    assert svg.count("<circle") == 5 and "冷链配送" in svg and "中央厨房" in svg
    for private in ("WANG-03", "王", "wang", "driver"):
        assert private not in svg
    en = client.get(f"/u/{unit.serial}?lang=en").text
    assert "Chilled van" in en and "Candied sakura · 云南" in en
    # a piece nobody scanned: 20 of the 40 stayed in the kitchen, so the van
    # and the shop are the batch's, not its own
    data = client.get(f"/u/{other.serial}?format=json").json()
    assert [s["stage"] for s in data["journey"]] == ["origin", "origin", "kitchen"]
    assert data["unit_state"]["status"] == "untracked"
    assert [(s["step"], s["count"]) for s in data["batch_journey"]["steps"]] == [
        ("departed", 20),
        ("delivered", 20),
        ("sold", 16),
    ]
