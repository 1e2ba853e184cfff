"""Accessibility basics (issue 7 item 7), checked in the real browser on every
page of the demo bakery — the management pages, their detail pages and the
public scan page: every field has a label, every button and link a name,
every chart a text alternative, text meets WCAG AA contrast against what is
really behind it, every control is reached with the Tab key and shows that it
has focus, the page says its language, and nothing is fetched from another
host (no CDN: a bakery's shop Wi-Fi may be all there is)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import login, shot

pytestmark = pytest.mark.browser

# the in-page checks: audit, the focusable controls, the focused one
AUDIT, FOCUSABLE, FOCUSED = (
    block[block.index("() =>") :]
    for block in (Path(__file__).parent / "a11y.js").read_text("utf-8").split("// ---")
)


def _keyboard(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Tab through the page: every control reached, each showing focus."""
    wanted = set(page.evaluate(FOCUSABLE))
    reached: set[str] = set()
    problems = []
    page.evaluate("() => { document.activeElement?.blur(); window.scrollTo(0, 0); }")
    first = previous = None
    # a date field takes one Tab per part (year, month, day…): room for those
    for _ in range(3 * len(wanted) + 10):
        page.keyboard.press("Tab")
        got = page.evaluate(FOCUSED)
        if got is None:
            continue
        key, shown, html = got
        if not shown:
            problems.append(f"no visible focus on {html}")
        if key == first and previous != first:
            break  # wrapped around
        first = first or key
        previous = key
        reached.add(key)
    missing = wanted - reached
    if missing:
        problems.append(f"{len(missing)} of {len(wanted)} controls not reached by Tab")
    return sorted(set(problems))


def _first_link(page, prefix: str) -> str | None:  # type: ignore[no-untyped-def]
    found = "p => document.querySelector(`main a[href^='${p}']`)?.getAttribute('href')"
    return page.evaluate(found, prefix)  # type: ignore[no-any-return]


PAGES = [
    "/",
    "/batches",
    "/batches/new",
    "/batches/251203-SS-PM-002",
    "/lots",
    "/lots/new",
    "/trips",
    "/shops",
    "/shops/CITY-LIB",
    "/trace?code=251203-SS-PM-002",
    "/scope?lot=LOT25S-45",
    "/recalls",
    "/alerts",
    "/attention",
    "/complaints",
    "/sensors",
    "/master",
    "/master/products/new",
    "/master/suppliers/B",
    "/events",
    "/users",
    "/account",
]


def test_every_page_passes_the_accessibility_basics(server, browser):  # type: ignore[no-untyped-def]
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = ctx.new_page()
    host = urlsplit(server).netloc
    elsewhere: list[str] = []
    page.on(
        "request",
        lambda r: (
            elsewhere.append(r.url)
            if urlsplit(r.url).scheme in ("http", "https")
            and urlsplit(r.url).netloc != host
            else None
        ),
    )
    login(page, server)
    pages = list(PAGES)
    for listing, prefix, needed in (
        ("/lots", "/lots/RM-", True),
        ("/trips", "/trips/", True),
        ("/sensors", "/sensors/", True),
        ("/recalls", "/recalls/", False),  # only once a test has opened one
        ("/complaints", "/complaints/", False),
    ):
        page.goto(server + listing)
        link = _first_link(page, prefix)
        assert link or not needed, f"no link to {prefix}… on {listing}"
        if link:
            pages.append(link)
    page.goto(f"{server}/api/v1/batches/251203-SS-PM-002/units?limit=1")
    unit = page.evaluate("() => JSON.parse(document.body.innerText)[0].uri")
    public = urlsplit(unit)
    pages += [f"{public.path}?{public.query}", "/login?lang=en"]

    report = {}
    for path in pages:
        if path.startswith("/login"):
            page.context.clear_cookies()
        page.goto(server + path)
        problems = page.evaluate(AUDIT) + _keyboard(page)
        if problems:
            report[path] = problems
            shot(page, "a11y" + path.replace("/", "-").replace("?", "-"))
    ctx.close()
    assert not report, "\n".join(
        f"{p}:\n  " + "\n  ".join(v[:12]) for p, v in report.items()
    )
    assert not elsewhere, f"fetched from another host: {elsewhere[:5]}"
