"""Every page in zh-CN and in English says everything in words of that
language (issue 16 item 11): no internal identifiers (``pre_bake``,
``batch:251207-…``, ``AM``), no untranslated interface English on a Chinese
page, no "1 batches". The pages are the app's own GET routes, reached by
following their links from the board, on the demo bakery."""

from __future__ import annotations

from sqlalchemy import select

from bakeprint.identity.models import User
from bakeprint.web.i18n import t
from tests.web import crawl, demo, pagetext
from tests.web.crawl import Page


def test_every_page_reads_in_its_own_language(app, client, session):
    d = demo.load(session)
    demo.log_in(client)
    vocabulary = pagetext.english_vocabulary()
    values = pagetext.internal_values()
    logins = set(
        session.scalars(select(User.username).where(User.tenant_id == d.tenant_id))
    )
    found: dict[str, list[str]] = {}

    def get(url: str, lang: str) -> Page:
        r = client.get(crawl.with_lang(url, lang), follow_redirects=False)
        location = r.headers.get("location", "") if r.is_redirect else ""
        return Page(r.status_code, r.headers.get("content-type", ""), r.text, location)

    def check(url: str, lang: str, page: Page) -> None:
        texts = pagetext.visible(page.text)
        for problem in pagetext.problems(texts, lang, vocabulary, values, logins):
            found.setdefault(problem, []).append(f"{lang} {url}")

    routes = crawl.page_routes(app)
    seeds = [
        "/login",
        "/",
        f"/batches/{demo.D.CASE_BATCH}",
        f"/batches/{d.in_progress}",
        f"/batches/{d.completed}",
        f"/trips/{d.planned_trip}",
        f"/trips/{d.departed_trip}",
        f"/recalls/{d.recall}",
        f"/trace?code={d.serial}",
        f"/scope?lot={demo.D.CASE_LOT}",
        "/lookup?q=NO-SUCH-CODE",
        f"/u/{d.serial}",
        d.link,
        # where a lot's and a GTIN's Digital Link lead (/01/… redirects)
        "/p/{1}/{3}".format(*d.link.strip("/").split("/")),
        "/p/{1}".format(*d.link.strip("/").split("/")),
    ]
    crawl.crawl(get, routes, seeds, check, per_route=3)

    unreached = [r.path for r in routes if not r.rendered]
    assert not unreached, (
        f"pages never rendered (link to them or seed them): {unreached}"
    )
    report = [
        f"{p}  [{', '.join(sorted(set(where))[:3])}]" for p, where in found.items()
    ]
    assert not report, "\n".join(sorted(report)[:60])


def test_a_count_of_one_is_singular_in_english():
    assert t("en", "n_batches", n=1) == "1 batch"
    assert t("en", "n_batches", n=2) == "2 batches"
    assert t("en", "n_units", n=1) == "1 unit" and t("zh", "n_units", n=1) == "1 份"
    assert t("en", "p_not_counted", n=1).startswith("1 ingredient or leg lacks")
