"""`make demo`'s data reproduces every fact of the brief's case (seed §3.1):
时光印记, batch 251203-SS-PM-002 — 樱花蜜饯 from supplier B, 3号烤箱, 75 %
humidity in the hall against ≤ 70 %, van #2 out at 16:30, 城市书房 at 18:20,
24 delivered and 18 sold."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest

CASE = "251203-SS-PM-002"
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def api(server: str):  # type: ignore[no-untyped-def]
    with httpx.Client(base_url=server, timeout=20) as c:
        page = c.get("/login").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        r = c.post(
            "/login",
            data={
                "csrf": csrf,
                "bakery": "shiguang",
                "username": "owner",
                "password": "shiguang-demo",
                "next": "/",
            },
        )
        assert r.status_code in (200, 303)
        yield c


def local(text: str) -> str:
    return datetime.fromisoformat(text).astimezone(TZ).strftime("%H:%M")


def test_materials_and_production(api):
    b = api.get(f"/api/v1/batches/{CASE}").json()
    assert b["product"] == "春日樱花饼" and b["session"] == "PM"
    sakura = next(c for c in b["consumptions"] if c["material"] == "樱花蜜饯")
    assert (sakura["supplier_code"], sakura["supplier_lot"]) == ("B", "LOT25S-45")
    assert {"code": "OVEN-3", "name": "3号烤箱"} in b["equipment"]


def test_the_hall_was_at_75_percent_against_70(api):
    env = api.get(f"/api/v1/batches/{CASE}/environment").json()
    top = env["anomalies"][0]
    assert top["zh"] == "湿度 75%，标准 ≤ 70%" and top["stage"] == "production"
    assert top["level"] == 1
    trip = next(s for s in env["segments"] if s["stage"] == "trip")
    assert trip["place"] == "VAN-2" and local(trip["start"]) == "16:30"
    assert all(not s["excursions"] for s in trip["sensors"])  # the van was fine


def test_van_2_city_library_24_delivered_18_sold(api):
    stock = api.get("/api/v1/pos/CITY-LIB/stock").json()
    row = next(r for r in stock if r["batch"] == CASE)
    assert (row["delivered"], row["sold"], row["on_shelf"]) == (24, 18, 6)
    assert local(row["received_at"]) == "18:20"


def test_the_public_page_tells_the_case_in_the_bakerys_time(api):
    """A customer in Shanghai reads 16:30 for van #2 leaving, not UTC 08:30."""
    units = api.get(f"/api/v1/batches/{CASE}/units").json()
    path = "/" + units[0]["uri"].split("/", 3)[3]
    # the Digital Link redirects (307) to the unit's scan page, as GS1's
    # resolver standard asks
    page = httpx.get(
        f"{api.base_url}{path}".replace("//01", "/01"),
        timeout=20,
        follow_redirects=True,
    ).text
    assert re.search(
        r'<time datetime="2025-12-03T16:30[^"]*\+08:00">2025-12-03 16:30 \+08:00</time>'
        r"\s*冷链车出发",
        page,
    ), page[-3000:]
    assert "08:30" not in page
