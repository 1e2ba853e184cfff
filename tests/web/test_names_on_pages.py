"""The management pages name people and shops (issue 16 item 11): operators
by their names, not WANG-03★; shops without their codes beside the name; the
event feed in words ("售出 批次 …", "sold from batch …"). The public scan
page still names no one."""

from __future__ import annotations

import re

from tests.trace.test_scope import chain  # noqa: F401
from tests.web.pagetext import visible
from tests.web.test_pages import login


def _text(html: str) -> str:
    return " ".join(visible(html))


def _plain(html: str) -> str:
    """All text, codes included, as one line."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _section(html: str, start: str, end: str) -> str:
    at = html.index(start)
    return html[at : html.index(end, at)]


def test_a_batch_names_its_operators_and_inspector(client, bakery, chain):  # noqa: F811
    login(client, bakery)
    page = client.get(f"/batches/{chain['b'][1].code}").text
    facts = _text(_section(page, '<dl class="facts card">', "</dl>"))
    assert "王某" in facts and "生产车间" in facts  # operator, location by name
    checks = _text(_section(page, '<ol class="timeline">', "</ol>"))
    assert "冷却后检验" in checks and "王某" in checks  # stage, inspector
    assert "WANG-03" not in _text(page) and "HALL-1" not in _text(page)
    en = client.get(f"/batches/{chain['b'][1].code}?lang=en").text
    assert "Post-cooling check" in _text(en) and "post_cooling" not in _text(en)


def test_shops_are_named_without_their_codes(client, bakery, chain):  # noqa: F811
    login(client, bakery)
    shops = _text(client.get("/shops").text)
    assert "城市书房" in shops and "CITY-LIB" not in shops
    shop = _text(client.get("/shops/CITY-LIB").text)
    assert "城市书房" in shop and "CITY-LIB" not in shop
    trace = client.get(f"/trace?code={chain['b'][3].code}").text
    table = _text(_section(trace, '<table class="list shops">', "</table>"))
    assert "城市书房" in table and "博物馆" in table and "CITY-LIB" not in table
    batch = client.get(f"/batches/{chain['b'][3].code}").text
    assert "CITY-LIB" not in _text(batch) and "MUSEUM" not in _text(batch)


def test_the_feed_says_what_happened_in_words(client, bakery, chain):  # noqa: F811
    login(client, bakery)
    sold = chain["b"][8].code  # the last batch sold from
    board = _plain(client.get("/").text)
    assert f"售出 批次 {sold}" in board and "batch:" not in board
    en = _plain(client.get("/?lang=en").text)
    assert f"sold from batch {sold}" in en
    log = client.get("/events").text
    assert "店主" in _text(log) and "user:owner" not in _text(log)  # who, by name


def test_the_public_page_still_names_no_one(client, session, bakery, chain):  # noqa: F811
    from sqlalchemy import select

    from bakeprint.packaging.models import Unit

    unit = session.scalar(select(Unit).where(Unit.batch_id == chain["b"][1].id))
    for lang in ("zh", "en"):
        page = client.get(f"/u/{unit.serial}?lang={lang}").text
        for private in ("王某", "WANG-03", "店主", "owner"):
            assert not re.search(re.escape(private), _text(page)), private


def test_a_refusal_says_what_the_role_may_not_do(client, bakery):
    from tests.web.test_distribution_pages import login_as

    login_as(client, bakery, "store-user")
    zh = client.get("/batches")
    assert zh.status_code == 403 and "您的角色不能查看记录" in zh.text
    assert "read" not in _text(zh.text)
    en = client.get("/batches?lang=en")
    assert "your role may not see the records" in en.text
