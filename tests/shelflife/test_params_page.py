"""The shelf-life parameters page: each category's current version, saved
as a new version by QC; a bad value is shown beside its field and nothing is
written (zh-CN and en)."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from bakeprint.shelflife.models import ShelfLifeParams
from tests.web.test_pages import login


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found
    return found.group(1)


def test_qc_saves_a_new_version_and_a_bad_value_is_refused(
    client, session, bakery, cat
):
    session.commit()
    assert login(client, bakery).status_code == 303
    page = client.get("/shelflife/params").text
    assert "保质期模型参数" in page and "酥皮类 · 版本 0" in page
    form = {"csrf": _csrf(page), "k_hall_per_pct": "0.02", "note": "梅雨季"}
    r = client.post("/shelflife/params/酥皮类", data=form, follow_redirects=False)
    assert r.status_code == 303
    page = client.get("/shelflife/params").text
    assert "酥皮类 · 版本 1" in page and 'value="0.02"' in page and "梅雨季" in page
    bad = {"csrf": _csrf(page), "late_exposure": "0.1"}
    r = client.post("/shelflife/params/酥皮类", data=bad)
    assert r.status_code == 422
    assert "参数 late_exposure=0.1 超出范围 1–50" in r.text
    client.cookies.set("lang", "en")
    r = client.post("/shelflife/params/酥皮类", data=bad)
    assert "parameter late_exposure=0.1 is outside 1–50" in r.text
    assert "Shelf-life model" in r.text
    n = session.scalar(select(func.count()).select_from(ShelfLifeParams))
    assert n == 1
