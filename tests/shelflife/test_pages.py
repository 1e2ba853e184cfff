"""The predicted best-before beside the printed one, with the reasons, where
people look: the public scan page and the trace (API, page, CLI), in zh-CN
and en (R3.3)."""

from __future__ import annotations

from sqlalchemy import select

from bakeprint.packaging.models import Unit
from tests.web.test_pages import login

ZH = "湿度 75% 生产 −1.2 天"
EN = "made at 75% humidity −1.2 days"


def test_the_scan_page_shows_the_predicted_date_and_why(client, session, humid_late):
    unit = session.scalars(select(Unit).where(Unit.batch_id == humid_late.id)).first()
    data = client.get(f"/u/{unit.serial}?format=json").json()
    assert data["best_before"] == "2025-12-10"
    assert data["shelf_life"] == {
        "best_before": "2025-12-08",
        "printed": "2025-12-10",
        "shortened": True,
        "reasons": [ZH, "配送延迟 2 h −0.6 天"],
    }
    zh = client.get(f"/u/{unit.serial}?lang=zh").text
    part = zh[
        zh.index('id="shelf-life"') : zh.index("</dd>", zh.index('id="shelf-life"'))
    ]
    assert "预测最佳食用至" in zh and "2025-12-08" in part and ZH in part
    en = client.get(f"/u/{unit.serial}?lang=en").text
    part = en[
        en.index('id="shelf-life"') : en.index("</dd>", en.index('id="shelf-life"'))
    ]
    assert "Predicted best before" in en and EN in part
    assert "delivered 2 h late −0.6 days" in part


def test_the_trace_shows_the_prediction_beside_the_printed_date(
    client, session, bakery, humid_late
):
    r = client.get(f"/api/v1/trace?code={humid_late.code}", headers=bakery.headers)
    assert r.status_code == 200
    rep = r.json()
    assert rep["best_before"] == "2025-12-10"
    sl = rep["shelf_life"]
    assert (sl["best_before"], sl["shortened"], sl["model_days"]) == (
        "2025-12-08",
        True,
        5.2,
    )
    assert [x["zh"] for x in sl["reasons"]] == [ZH, "配送延迟 2 h −0.6 天"]
    session.commit()
    assert login(client, bakery).status_code == 303
    page = client.get(f"/trace?code={humid_late.code}").text
    line = page[
        page.index('id="shelf-life"') : page.index(
            "</p>", page.index('id="shelf-life"')
        )
    ]
    assert "预测最佳食用至" in line and "2025-12-08" in line and ZH in line
    client.cookies.set("lang", "en")
    page = client.get(f"/trace?code={humid_late.code}").text
    line = page[
        page.index('id="shelf-life"') : page.index(
            "</p>", page.index('id="shelf-life"')
        )
    ]
    assert "Predicted best before" in line and EN in line
    assert "model 5.2 days · standard 7 days · parameters v0" in line


def test_labels_printed_after_a_shorter_prediction_carry_it(client, bakery, humid_late):
    url = f"/api/v1/batches/{humid_late.code}/labels"
    before = client.get(url, headers=bakery.headers).text
    assert "Best before <b>2025-12-10</b>" in before
    r = client.post(
        f"/api/v1/shelflife/batches/{humid_late.code}/predictions",
        headers=bakery.auth("qc"),
    )
    assert r.status_code == 201
    after = client.get(url, headers=bakery.headers).text
    assert "Best before <b>2025-12-08</b>" in after
    assert "2025-12-10" not in after


def test_the_shop_page_lists_its_stock_first_expiry_first(
    client, session, bakery, humid_late
):
    session.commit()
    assert login(client, bakery).status_code == 303
    page = client.get("/shops/CITY-LIB").text
    table = page[
        page.index('id="fefo"') : page.index("</table>", page.index('id="fefo"'))
    ]
    assert humid_late.code in table and "下架" in table and ZH in table
    assert "2025-12-08" in table and "标签日期" in table
    client.cookies.set("lang", "en")
    page = client.get("/shops/CITY-LIB").text
    table = page[
        page.index('id="fefo"') : page.index("</table>", page.index('id="fefo"'))
    ]
    assert "First expiry, first out" in page and "Pull" in table and EN in table
