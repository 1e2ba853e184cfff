"""The driver's and the shop's pages: a van run and a shop day, by form posts."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from bakeprint.catalog.models import PointOfSale
from bakeprint.events.models import Event
from bakeprint.identity.models import User
from bakeprint.packaging import service as packaging
from tests.factories import make_catalog
from tests.packaging.conftest import pack_a_batch
from tests.web.test_pages import csrf_of


def login_as(client, bakery, username: str = "owner"):  # type: ignore[no-untyped-def]
    page = client.get("/login")
    r = client.post(
        "/login",
        data={
            "csrf": csrf_of(page.text),
            "bakery": bakery.tenant.slug,
            "username": username,
            "password": "correct-horse-1",
            "next": "/",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text


def _csrf(client) -> str:  # type: ignore[no-untyped-def]
    return csrf_of(client.get("/trips").text)


def _events(session, bakery) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(
        select(func.count())
        .select_from(Event)
        .where(Event.tenant_id == bakery.tenant.id)
    )


def test_a_van_run_from_the_drivers_phone(client, bakery, session):
    cat = make_catalog(session, bakery.tenant.id)
    batch = pack_a_batch(session, bakery.actor, cat, quantity=30)
    session.commit()
    login_as(client, bakery)
    csrf = _csrf(client)
    r = client.post(
        "/trips",
        data={
            "csrf": csrf,
            "vehicle": "VAN-2",
            "driver": "刘",
            "planned_departure": "",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    trip = r.headers["location"].rsplit("/", 1)[1]
    page = client.get(f"/trips/{trip}").text
    assert batch.code in page  # offered for loading: still in the kitchen
    post = lambda path, **data: client.post(  # noqa: E731
        f"/trips/{trip}/{path}", data={"csrf": csrf, **data}, follow_redirects=False
    )
    # too many: refused next to the field with the numbers, nothing written
    before = _events(session, bakery)
    r = post("load", batch=batch.code, quantity="31")
    assert r.status_code == 422
    assert re.search(r'class="invalid">[^<]*<small>|field-error">[^<]*30', r.text)
    assert "31" in r.text and _events(session, bakery) == before
    assert post("load", batch=batch.code, quantity="24").status_code == 303
    assert post("depart", at="").status_code == 303
    r = post("deliver", point_of_sale="CITY-LIB", batch=batch.code, quantity="25")
    assert r.status_code == 422 and "24" in r.text
    r = post("deliver", point_of_sale="CITY-LIB", batch=batch.code, quantity="24")
    assert r.status_code == 303
    assert post("arrive", at="").status_code == 303
    page = client.get(f"/trips/{trip}").text
    assert "城市书房" in page and "24" in page
    batch_page = client.get(f"/batches/{batch.code}").text
    assert trip in batch_page and "/shops/CITY-LIB" in batch_page


def test_a_shop_day_receive_shelve_sell_by_scan_and_write_off(client, bakery, session):
    cat = make_catalog(session, bakery.tenant.id)
    batch = pack_a_batch(session, bakery.actor, cat, quantity=30)
    serial = packaging.units_of(session, batch)[0].serial
    session.commit()
    login_as(client, bakery)
    csrf = _csrf(client)
    r = client.post(
        "/trips", data={"csrf": csrf, "vehicle": "VAN-2"}, follow_redirects=False
    )
    trip = r.headers["location"].rsplit("/", 1)[1]
    for path, data in (
        ("load", {"batch": batch.code, "quantity": "24"}),
        ("depart", {}),
        (
            "deliver",
            {"point_of_sale": "CITY-LIB", "batch": batch.code, "quantity": "24"},
        ),
    ):
        r = client.post(
            f"/trips/{trip}/{path}", data={"csrf": csrf, **data}, follow_redirects=False
        )
        assert r.status_code == 303, r.text
    # the shop's staff, bound to 城市书房, lands on its page
    store = session.scalar(
        select(User).where(
            User.tenant_id == bakery.tenant.id, User.username == "store-user"
        )
    )
    pos = session.scalar(
        select(PointOfSale).where(
            PointOfSale.tenant_id == bakery.tenant.id, PointOfSale.code == "CITY-LIB"
        )
    )
    store.point_of_sale_id = pos.id
    session.add(
        PointOfSale(
            tenant_id=bakery.tenant.id, code="MUSEUM", name="博物馆文创店", kind="shop"
        )
    )
    session.commit()
    client.cookies.clear()
    login_as(client, bakery, "store-user")
    r = client.get("/", follow_redirects=True)
    assert r.url.path == "/shops/CITY-LIB"
    assert "待收货" in r.text and batch.code in r.text
    csrf = csrf_of(r.text)
    delivery = re.search(r'name="delivery_id" value="([^"]+)"', r.text).group(1)
    shop = lambda path, **data: client.post(  # noqa: E731
        f"/shops/CITY-LIB/{path}", data={"csrf": csrf, **data}, follow_redirects=False
    )
    r = shop("receive", delivery_id=delivery, quantity="25", receiver="小李")
    assert r.status_code == 422 and "24" in r.text and "25" in r.text
    r = shop(
        "receive", delivery_id=delivery, quantity="24", receiver="小李", shelve="1"
    )
    assert r.status_code == 303
    assert shop("sell", unit=serial).status_code == 303
    r = shop("sell", unit=serial)  # the same package twice
    assert r.status_code == 422 and serial in r.text
    assert shop("sell", unit="", batch=batch.code, quantity="17").status_code == 303
    r = shop("sell", unit="", batch=batch.code, quantity="7")
    assert r.status_code == 422 and "6" in r.text  # only 6 on the shelf
    r = shop("remove", batch=batch.code, quantity="1", reason="压坏", kind="waste")
    assert r.status_code == 303
    page = client.get("/shops/CITY-LIB").text
    row = re.search(
        rf'<tr><td[^>]*><span class="batch">{batch.code}.*?</tr>', page, re.S
    ).group(0)
    cells = re.findall(r"<td[^>]*>(?:<b>|<time>)?([^<]*)", row)
    assert "24/24" in cells and "5" in cells and "18" in cells
    # another shop is not theirs; the management pages are not for them
    assert client.get("/shops/MUSEUM").status_code == 403
    assert client.get("/batches").status_code == 403
