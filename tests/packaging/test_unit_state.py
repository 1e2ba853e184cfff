"""A unit says what is known of it (issue #16 item 4): its own state when it
was scanned, else the batch's distribution — never "in stock" for a piece
that may have been sold, and never the batch's first drop as its own way."""

from __future__ import annotations

from datetime import timedelta

from bakeprint.packaging import service as packaging
from bakeprint.retail import service as retail
from bakeprint.retail.schemas import SaleCreate
from tests.packaging.conftest import pack_a_batch
from tests.production.conftest import T0
from tests.trace.test_scope import _ship
from tests.web.test_distribution_pages import login_as

VAN = T0 + timedelta(hours=2, minutes=30)  # 16:30 Shanghai


def _the_case(session, bakery, cat):  # type: ignore[no-untyped-def]
    """30 packed, 24 on van #2 to 城市书房, 18 of them sold by quantity."""
    batch = pack_a_batch(session, bakery.actor, cat)
    _ship(session, bakery.actor, "VAN-2", VAN, [(batch, "CITY-LIB", 24, 18)])
    session.commit()
    return batch, packaging.units_of(session, batch)


def test_an_unscanned_unit_is_untracked_with_the_batch_distribution(
    client, session, bakery, cat
):
    batch, units = _the_case(session, bakery, cat)
    h = {**bakery.headers, "Accept-Language": "en"}
    r = client.get(f"/api/v1/units/{units[0].serial}", headers=h)
    assert r.status_code == 200, r.text
    unit = r.json()["unit"]
    assert (unit["status"], unit["scanned"], unit["basis"]) == (
        "untracked",
        False,
        "batch",
    )
    d = unit["batch_distribution"]
    assert (d["made"], d["loaded"], d["delivered"], d["sold"], d["in_kitchen"]) == (
        30,
        24,
        24,
        18,
        6,
    )
    assert unit["note_en"] == (
        "batch-level: of 30 made, 24 loaded, 18 sold — "
        "this unit's own state was not scanned"
    )
    assert "共 30 件，装车 24 件，售出 18 件" in unit["note_zh"]
    listed = client.get(f"/api/v1/batches/{batch.code}/units", headers=h).json()
    assert {u["status"] for u in listed} == {"untracked"}  # never "in_stock"
    looked = client.get(
        "/api/v1/lookup", params={"code": units[0].serial}, headers=h
    ).json()
    assert looked["unit"]["status"] == "untracked"


def test_a_scanned_sale_is_the_units_own_state(client, session, bakery, cat):
    _batch, units = _the_case(session, bakery, cat)
    retail.sell(
        session,
        "CITY-LIB",
        SaleCreate(unit=units[1].serial, at=VAN + timedelta(hours=3)),
        actor=bakery.actor,
    )
    session.commit()
    unit = client.get(
        f"/api/v1/units/{units[1].serial}", headers=bakery.headers
    ).json()["unit"]
    assert (unit["status"], unit["scanned"], unit["point_of_sale"]) == (
        "sold",
        True,
        "CITY-LIB",
    )
    assert unit["note_zh"] == "单件扫码：城市书房已售出"
    # the others are still untracked: 5 on the shelf, 6 in the kitchen
    other = client.get(
        f"/api/v1/units/{units[0].serial}", headers=bakery.headers
    ).json()["unit"]
    assert other["status"] == "untracked"
    assert other["batch_distribution"]["sold"] == 19


def test_what_the_batch_records_leave_no_doubt_about_is_stated(
    client, session, bakery, cat
):
    batch = pack_a_batch(session, bakery.actor, cat)
    session.commit()
    serial = packaging.units_of(session, batch)[0].serial
    unit = client.get(f"/api/v1/units/{serial}", headers=bakery.headers).json()["unit"]
    assert (unit["status"], unit["scanned"]) == ("in_stock", False)  # all 30 are
    # the whole batch goes to one shop and is all sold there: so was this one
    _ship(session, bakery.actor, "VAN-2", VAN, [(batch, "CITY-LIB", 30, 30)])
    session.commit()
    unit = client.get(f"/api/v1/units/{serial}", headers=bakery.headers).json()["unit"]
    assert (unit["status"], unit["basis"]) == ("sold", "batch")
    view = client.get(f"/u/{serial}?format=json").json()
    assert [s["stage"] for s in view["journey"]][-2:] == ["van", "shop"]
    assert view["journey"][-1]["label"] == "城市书房"


def test_the_public_page_shows_the_batchs_way_as_the_batchs(
    client, session, bakery, cat
):
    _batch, units = _the_case(session, bakery, cat)
    view = client.get(f"/u/{units[0].serial}?format=json").json()
    steps = [s["step"] for s in view["timeline"]]
    assert "delivered" not in steps and "departed" not in steps
    assert [s["stage"] for s in view["journey"]] == ["kitchen"]
    assert view["sold_at"] is None
    assert view["batch_journey"]["made"] == 30
    assert [(s["step"], s["count"]) for s in view["batch_journey"]["steps"]] == [
        ("departed", 24),
        ("delivered", 24),
        ("sold", 18),
    ]
    page = client.get(f"/u/{units[0].serial}").text
    own = page[page.index("它的旅程") : page.index('id="batch-journey"')]
    assert "送达门店" not in own and "冷链车出发" not in own
    assert "这一批的去向" in page
    assert (
        "整批共 30 件" in page
        and "2025-12-03 16:30 +08:00</time> 冷链车出发 · 24" in page
    )
    for private in ("王某", "WANG-03", "刘司机", "内部备注"):
        assert private not in page


def test_the_trace_page_says_what_is_known_of_the_unit(client, session, bakery, cat):
    _batch, units = _the_case(session, bakery, cat)
    login_as(client, bakery)
    page = client.get("/trace", params={"code": units[0].serial}).text
    assert 'id="unit-state"' in page
    assert "批次层面：共 30 件，装车 24 件，售出 18 件" in page
