"""The whole journey in a real browser (issue 7 item 6), every step through
the pages a bakery uses, on a 390 px phone: register an intake, start a batch,
bind the lot, oven actuals, pass the checkpoints, close production, pack,
print labels (their QR code is decoded and followed), load a van, deliver,
receive at the shop, sell the unit by its serial, open the unit's public page
as a customer would, trace the batch, work out the scope of the lot and open
a recall. Screenshots of each screen land in test-artifacts/."""

from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

import pytest
import zxingcpp
from PIL import Image

from tests.e2e.conftest import login, shot

pytestmark = pytest.mark.browser

SHOP = "CITY-LIB"
SHOP_NAME = "城市书房"  # pages name the shop; its code is for forms and links


def _fits(page) -> None:  # type: ignore[no-untyped-def]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} is {width}px wide on a 390px phone"


def _no_error(page) -> None:  # type: ignore[no-untyped-def]
    alerts = page.locator("form .error[role=alert], .field-error")
    assert alerts.count() == 0, alerts.first.inner_text()


def test_from_intake_to_recall_in_the_browser(server, phone, browser):  # type: ignore[no-untyped-def]
    page = phone
    login(page, server)
    _fits(page)
    shot(page, "journey-01-board")

    # 1. intake: a fresh lot of a material (the demo's lots are a year old)
    page.goto(f"{server}/lots/new")
    page.select_option("select[name=material]", index=1)
    page.select_option("select[name=supplier]", index=1)
    page.fill("input[name=supplier_lot]", "E2E-LOT-1")
    page.fill("input[name=quantity]", "10")
    page.fill("input[name=expires_on]", "2099-12-31")
    page.select_option("select[name=qc_result]", "pass")
    page.fill("input[name=quality_score]", "95")
    page.click("form.card button.primary")
    page.wait_for_url(re.compile(r".*/lots/RM-[0-9]{8}-[0-9]{3}$"))
    lot = page.locator(".code-big").inner_text().strip()
    _no_error(page)

    # 2. start a batch: its code shown large
    page.goto(f"{server}/batches/new")
    page.select_option("select[name=product_gtin]", index=0)
    page.fill("input[name=planned_quantity]", "24")
    page.select_option("select[name=operators]", index=0)
    oven = page.locator("select[name=equipment] option", has_text="烤箱").first
    page.select_option("select[name=equipment]", oven.get_attribute("value"))
    page.click("form.card button.primary")
    page.wait_for_url(re.compile(r".*/batches/[0-9]{6}-.*"))
    batch = page.locator(".code-big").inner_text().strip()
    assert urlsplit(page.url).path == f"/batches/{batch}"
    _fits(page)
    shot(page, "journey-02-batch-started")

    def submit(form_id: str) -> None:
        page.click(f"#{form_id} button.primary")
        page.wait_for_load_state()
        _no_error(page)

    # 3. the kitchen floor, on the batch page
    page.fill("#consume input[name=lot]", lot)
    page.fill("#consume input[name=quantity]", "0.8")
    submit("consume")
    assert lot in page.locator("main").inner_text()
    page.fill("#bake input[name=actual_temp_c]", "180")
    page.fill("#bake input[name=actual_minutes]", "22")
    submit("bake")
    for stage in ("pre_bake", "post_bake"):
        page.select_option("#check select[name=stage]", stage)
        submit("check")
    page.fill("#complete input[name=produced_quantity]", "24")
    submit("complete")
    page.select_option("#check select[name=stage]", "post_cooling")
    submit("check")
    page.fill("#pack input[name=quantity]", "24")
    submit("pack")
    body = page.locator("main").inner_text()
    assert "已包装" in body and "冷却后检验" in body
    shot(page, "journey-03-batch-packed")

    # 4. labels: the first label's QR code, decoded from the rendered page
    printer = browser.new_context(
        viewport={"width": 900, "height": 1200}, device_scale_factor=4
    )
    labels = printer.new_page()
    login(labels, server)
    labels.goto(f"{server}/api/v1/batches/{batch}/labels")
    assert labels.locator(".label").count() == 24
    qr = labels.locator(".label svg").first
    png = qr.screenshot()
    # as printed: the whole code inside its 24 mm box, quiet zone included
    (found,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    uri = found.text
    assert f"/10/{batch}/21/" in uri
    serial = urlsplit(uri).path.rsplit("/21/", 1)[1]
    first_serial = labels.locator(".label .serial").first.inner_text()
    assert serial in first_serial
    shot(labels, "journey-04-labels")
    printer.close()

    # 5. a van: load, leave, drop at the shop, come back
    page.goto(f"{server}/trips")
    page.select_option("form[action='/trips'] select[name=vehicle]", index=0)
    page.click("form[action='/trips'] button.primary")
    page.wait_for_url(re.compile(r".*/trips/[^/]+$"))
    trip = urlsplit(page.url).path.rsplit("/", 1)[1]
    page.fill("#load input[name=batch]", batch)
    page.fill("#load input[name=quantity]", "24")
    submit("load")
    page.click(f"form[action='/trips/{trip}/depart'] button.primary")
    page.wait_for_load_state()
    _no_error(page)
    page.select_option("#deliver select[name=point_of_sale]", SHOP)
    page.select_option("#deliver select[name=batch]", batch)
    page.fill("#deliver input[name=quantity]", "20")
    submit("deliver")
    page.click(f"form[action='/trips/{trip}/arrive'] button")
    page.wait_for_load_state()
    _no_error(page)
    _fits(page)
    shot(page, "journey-05-trip")

    # 6. the shop receives and sells that very package by its serial
    page.goto(f"{server}/shops/{SHOP}")
    row = page.locator("ul.rows li", has_text=batch)
    row.locator("button.primary").click()
    page.wait_for_load_state()
    _no_error(page)
    page.fill("#sell input[name=unit]", serial)
    submit("sell")
    # the stock table (the FEFO list below names the batch too)
    shelf = page.locator("table.list:not(.fefo) tr", has_text=batch).inner_text()
    assert re.search(r"20/20\s+19\s+1", shelf), shelf  # received, on shelf, sold
    _fits(page)
    shot(page, "journey-06-shop")

    # 7. the customer's phone: no login, the label's URI on this server
    customer = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=2
    )
    pub = customer.new_page()
    parts = urlsplit(uri)
    pub.goto(f"{server}{parts.path}?{parts.query}")
    text = pub.locator("body").inner_text()
    assert batch in text
    journey = pub.locator("#journey svg")
    assert journey.count() == 1
    box = journey.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 50
    assert journey.locator("text, circle, path, line").count() > 3
    assert pub.locator("#footprint").count() == 1
    for name in ("王", "李", "张"):  # no operator names on a public page
        assert f"{name}师傅" not in text
    _fits(pub)
    shot(pub, "journey-07-public-scan")
    customer.close()

    # 8. trace the batch: timeline, distribution path to the shop
    page.goto(f"{server}/trace?code={batch}")
    trace_text = page.locator("main").inner_text()
    assert batch in trace_text and SHOP_NAME in trace_text and lot in trace_text
    _fits(page)
    shot(page, "journey-08-trace")
    # the brief's batch has readings: its charts are real, non-empty SVG
    page.goto(f"{server}/trace?code=251203-SS-PM-002")
    charts = page.locator("main svg")
    assert charts.count() >= 1
    first = charts.first
    assert first.locator("path, polyline").count() >= 1
    box = first.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 80
    shot(page, "journey-08b-trace-case")

    # 9. scope of the lot, then a recall opened from it (a person's decision:
    # it is open at once, the shops are told)
    page.goto(f"{server}/scope?lot={lot}")
    assert batch in page.locator("main").inner_text()
    page.fill("#open-recall textarea[name=reason]", "顾客投诉：口感发酸")
    page.click("#open-recall button.primary")
    page.wait_for_load_state()
    assert re.search(r"/recalls/[^/]+$", page.url), page.locator("main").inner_text()
    _no_error(page)
    recall_text = page.locator("main").inner_text()
    assert batch in recall_text and SHOP_NAME in recall_text
    _fits(page)
    shot(page, "journey-09-recall-open")
